"""The normalization chapter's formulas, transcribed from the page, reproduce torch.

The shared standardization gradient, BatchNorm's evaluation-mode gradient, RMSNorm's gradient
and InstanceNorm's running-statistics update of ``chapters/02_norm/index.md`` (labels checked
to be on the page), written from the page and compared with torch's autograd and modules in
float64.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

PAGE = Path(__file__).resolve().parents[2] / "chapters" / "02_norm" / "index.md"


def on_page(label: str) -> bool:
    return bool(re.search(rf"^\$\$ \({re.escape(label)}\)$", PAGE.read_text("utf-8"), re.M))


def grad_of(fn, x, g):
    xt = torch.tensor(x, requires_grad=True)
    fn(xt).backward(torch.tensor(g))
    return xt.grad.numpy()


def test_standardization_gradient_is_layer_norms():
    assert on_page("norm-standardize-grad") and on_page("norm-ln-grad")
    rng = np.random.default_rng(0)
    x, g, gamma = rng.normal(size=(4, 7)) * 3 + 1, rng.normal(size=(4, 7)), rng.normal(size=7)
    eps = 1e-5
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    xhat = (x - mu) / np.sqrt(var + eps)
    ghat = g * gamma
    page = (
        ghat - ghat.mean(-1, keepdims=True) - xhat * (ghat * xhat).mean(-1, keepdims=True)
    ) / np.sqrt(var + eps)
    torch_dx = grad_of(lambda t: F.layer_norm(t, (7,), torch.tensor(gamma), None, eps), x, g)
    np.testing.assert_allclose(page, torch_dx, rtol=1e-9, atol=1e-12)


def test_batch_norm_evaluation_gradient():
    assert on_page("norm-bn-eval-grad")
    rng = np.random.default_rng(1)
    x, g = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    rm, rv, gamma = rng.normal(size=3), rng.random(3) + 0.5, rng.normal(size=3)
    page = gamma / np.sqrt(rv + 1e-5) * g
    torch_dx = grad_of(
        lambda t: F.batch_norm(
            t, torch.tensor(rm), torch.tensor(rv), torch.tensor(gamma), None, training=False
        ),
        x,
        g,
    )
    np.testing.assert_allclose(page, torch_dx, rtol=1e-10)


def test_rms_norm_gradient():
    assert on_page("norm-rms-grad")
    rng = np.random.default_rng(2)
    x, g, gamma = rng.normal(size=(3, 6)), rng.normal(size=(3, 6)), rng.normal(size=6)
    eps = 1e-6
    r = 1 / np.sqrt(eps + (x**2).mean(-1, keepdims=True))
    xhat, ghat = r * x, g * gamma
    page = r * (ghat - xhat * (ghat * xhat).mean(-1, keepdims=True))
    torch_dx = grad_of(lambda t: F.rms_norm(t, (6,), torch.tensor(gamma), eps), x, g)
    np.testing.assert_allclose(page, torch_dx, rtol=1e-9, atol=1e-12)


def test_instance_norm_running_statistics():
    assert on_page("norm-in")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 2, 5, 5)) * 2 + 1
    m, s = 0.1, 25
    rm, rv = np.zeros(2), np.ones(2)
    mu, var = x.mean(axis=(2, 3)), x.var(axis=(2, 3))
    page_rm = (1 - m) * rm + m * mu.mean(0)
    page_rv = (1 - m) * rv + m * (s / (s - 1) * var).mean(0)
    trm, trv = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    F.instance_norm(torch.tensor(x), trm, trv, use_input_stats=True, momentum=m)
    np.testing.assert_allclose(page_rm, trm.numpy(), rtol=1e-10)
    np.testing.assert_allclose(page_rv, trv.numpy(), rtol=1e-10)
