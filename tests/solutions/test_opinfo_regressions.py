"""Regression tests for the disagreements with torch found by its OpInfo inputs (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from solutions import activations as act
from solutions import losses, norm


@pytest.mark.parametrize("name", ["smooth_l1_loss", "huber_loss"])
def test_zero_dim_smooth_l1_and_huber(name):
    x, y = np.array(-4.8), np.array(-7.6)
    expected = getattr(F, name)(torch.tensor(x), torch.tensor(y)).item()
    assert getattr(losses, name)(x, y) == pytest.approx(expected)
    assert expected == pytest.approx(2.3)
    grad = getattr(losses, f"{name}_backward")(np.array(1.0), x, y)
    assert np.shape(grad) == () and float(grad) == 1.0


def test_group_norm_empty_batch():
    x, w, b = np.zeros((0, 2)), np.ones(2), np.zeros(2)
    assert norm.group_norm(x, 1, w, b).shape == (0, 2)
    gx, gw, gb = norm.group_norm_backward(np.zeros((0, 2)), x, 1, w, b)
    assert gx.shape == (0, 2) and gw.tolist() == [0.0, 0.0] and gb.tolist() == [0.0, 0.0]
    xt = torch.zeros((0, 2), requires_grad=True)
    wt = torch.ones(2, requires_grad=True)
    F.group_norm(xt, 1, wt).sum().backward()
    assert wt.grad.tolist() == gw.tolist()


@pytest.mark.parametrize("target_shape", [(), (1,)])
def test_multi_margin_loss_unreduced_shape_follows_target(target_shape):
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal(5), np.ones(target_shape, dtype=np.int64)
    expected = F.multi_margin_loss(torch.tensor(x), torch.tensor(t), reduction="none")
    ours = losses.multi_margin_loss(x, t, reduction="none")
    assert ours.shape == tuple(expected.shape) == target_shape
    np.testing.assert_allclose(ours, expected.numpy())
    g = np.full(target_shape, 2.0)
    xt = torch.tensor(x, requires_grad=True)
    F.multi_margin_loss(xt, torch.tensor(t), reduction="none").backward(torch.tensor(g))
    np.testing.assert_allclose(
        losses.multi_margin_loss_backward(g, x, t, reduction="none"), xt.grad.numpy()
    )


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_zero_dim_margin_losses(reduction):
    x = np.array(0.7)
    for ours, theirs, t in [
        (losses.multi_margin_loss, F.multi_margin_loss, np.array(0)),
        (losses.multilabel_margin_loss, F.multilabel_margin_loss, np.array([0])),
    ]:
        expected = theirs(torch.tensor(x), torch.tensor(t), reduction=reduction)
        got = ours(x, t, reduction=reduction)
        assert np.shape(got) == tuple(expected.shape)
        np.testing.assert_allclose(got, expected.numpy())


def _torch_grad(name, x, g):
    xt = torch.tensor(x, requires_grad=True)
    getattr(F, name)(xt).backward(torch.tensor(g))
    return xt.grad.numpy()


def test_relu_passes_the_gradient_at_nan_as_torch():
    for n in (3, 64):  # torch's scalar tail and its vectorized kernel agree for relu
        x = np.full(n, np.nan)
        x[1] = -1.0
        g = np.full(n, 0.5)
        np.testing.assert_array_equal(act.relu_backward(g, x), _torch_grad("relu", x, g))
        assert act.relu_backward(g, x)[0] == 0.5


@pytest.mark.parametrize("name", ["hardtanh", "relu6", "elu", "selu", "celu"])
def test_nan_gradient_follows_torchs_vectorized_kernel(name):
    x, g = np.full(64, np.nan), np.full(64, 0.5)  # 64 elements: all in the vectorized body
    np.testing.assert_array_equal(getattr(act, f"{name}_backward")(g, x), _torch_grad(name, x, g))


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_dtype(fn, dtype):
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    ours = getattr(act, fn)(x, 1, dtype=dtype)
    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
    xt = torch.tensor(x, requires_grad=True)
    expected = getattr(torch, fn)(xt, 1, dtype=torch_dtype)
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours, expected.detach().numpy(), rtol=1e-6)
    g = np.ones((3, 4), dtype=dtype)
    g[0, 0] = 3.0
    expected.backward(torch.tensor(g))
    grad = getattr(act, f"{fn}_backward")(g, x, 1, dtype=dtype)
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_softmax_dtype_must_be_floating():
    with pytest.raises(TypeError, match="dtype"):
        act.softmax(np.zeros(3), 0, dtype=np.int64)
