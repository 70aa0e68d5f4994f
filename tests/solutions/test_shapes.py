"""Conformance tests for solutions/shapes.py.

Shapes are checked against the output shape of real torch modules run on a small CPU input
(the ``meta`` device skips some of torch's checks, e.g. of ``output_padding``), for random
configurations that include invalid ones: where torch refuses a configuration, ours must
refuse it too, with a ValueError.
Parameter counts come from ``sum(p.numel())`` of torch modules, MACs from counting the
multiplications of an explicit loop, receptive fields from a one-hot gradient backpropagated
through torch layers, Cover's count from enumerating every labeling with an LP.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from solutions import shapes

pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")

CONFIGS = 1000  # random module configurations per shape function (valid and invalid)


def _torch_shape(make_module, input_shape):
    """The output shape torch gives, or None when torch refuses the configuration."""
    try:
        with torch.no_grad():
            return tuple(make_module()(torch.zeros(input_shape)).shape)
    except (RuntimeError, ValueError):
        return None


def _ours(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ValueError:
        return None


def _per_axis(draw, dims, lo, hi):
    """An int or a tuple of ``dims`` ints, as torch modules accept."""
    if draw(st.booleans()):
        return draw(st.integers(lo, hi))
    return tuple(draw(st.integers(lo, hi)) for _ in range(dims))


@st.composite
def conv_configs(draw):
    dims = draw(st.integers(1, 3))
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    in_channels = groups * draw(st.integers(1, 3)) + draw(st.sampled_from([0, 0, 0, 1]))
    out_channels = groups * draw(st.integers(1, 3)) + draw(st.sampled_from([0, 0, 0, 1]))
    spatial = tuple(draw(st.integers(1, 12)) for _ in range(dims))
    kernel = _per_axis(draw, dims, 1, 5)
    stride = _per_axis(draw, dims, 1, 3)
    dilation = _per_axis(draw, dims, 1, 3)
    padding = draw(st.one_of(st.sampled_from(["same", "valid"]), st.just(None))) or _per_axis(
        draw, dims, 0, 3
    )
    return dict(
        input_shape=(draw(st.integers(1, 2)), in_channels, *spatial),
        out_channels=out_channels,
        kernel_size=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
    )


CONV = {1: torch.nn.Conv1d, 2: torch.nn.Conv2d, 3: torch.nn.Conv3d}
CONV_T = {1: torch.nn.ConvTranspose1d, 2: torch.nn.ConvTranspose2d, 3: torch.nn.ConvTranspose3d}
MAXPOOL = {1: torch.nn.MaxPool1d, 2: torch.nn.MaxPool2d, 3: torch.nn.MaxPool3d}
AVGPOOL = {1: torch.nn.AvgPool1d, 2: torch.nn.AvgPool2d, 3: torch.nn.AvgPool3d}


def _conv_module(cfg):
    c = dict(cfg)
    shape = c.pop("input_shape")
    return lambda: CONV[len(shape) - 2](shape[1], **c)


@settings(max_examples=CONFIGS)
@given(conv_configs())
def test_conv_output_shape_matches_torch(cfg):
    expected = _torch_shape(_conv_module(cfg), cfg["input_shape"])
    assert _ours(shapes.conv_output_shape, **cfg) == expected


@settings(max_examples=CONFIGS)
@given(conv_configs(), st.data())
def test_conv_transpose_output_shape_matches_torch(cfg, data):
    dims = len(cfg["input_shape"]) - 2
    if isinstance(cfg["padding"], str):
        cfg["padding"] = 0
    cfg["output_padding"] = _per_axis(data.draw, dims, 0, 2)
    c = dict(cfg)
    shape = c.pop("input_shape")
    expected = _torch_shape(lambda: CONV_T[dims](shape[1], **c), shape)
    if expected is not None and 0 in expected[2:]:
        # torch's grouped ConvTranspose3d path skips the size check its other paths make
        # and returns an empty output: we refuse it everywhere, as torch does elsewhere.
        expected = None
    assert _ours(shapes.conv_transpose_output_shape, **cfg) == expected


@st.composite
def pool_configs(draw):
    dims = draw(st.integers(1, 3))
    spatial = tuple(draw(st.integers(1, 12)) for _ in range(dims))
    stride = draw(st.one_of(st.none(), st.integers(1, 3)))
    return dict(
        input_shape=(draw(st.integers(1, 2)), draw(st.integers(1, 3)), *spatial),
        kernel_size=_per_axis(draw, dims, 1, 5),
        stride=stride if stride is None or draw(st.booleans()) else (stride,) * dims,
        padding=_per_axis(draw, dims, 0, 3),
        ceil_mode=draw(st.booleans()),
    )


@settings(max_examples=CONFIGS)
@given(pool_configs(), st.integers(1, 3))
def test_maxpool_output_shape_matches_torch(cfg, dilation):
    c = dict(cfg)
    shape = c.pop("input_shape")
    dims = len(shape) - 2
    expected = _torch_shape(lambda: MAXPOOL[dims](dilation=dilation, **c), shape)
    assert _ours(shapes.pool_output_shape, dilation=dilation, **cfg) == expected


@settings(max_examples=CONFIGS // 3)
@given(pool_configs(), st.booleans())
def test_avgpool_output_shape_matches_torch_whatever_count_include_pad(cfg, include_pad):
    c = dict(cfg)
    shape = c.pop("input_shape")
    dims = len(shape) - 2
    kernel = c["kernel_size"] if isinstance(c["kernel_size"], tuple) else (c["kernel_size"],) * dims
    # AvgPool3d alone also refuses an unpadded input smaller than the kernel (an
    # implementation limit of its CPU kernel, not a rule of the shape formula)
    assume(dims < 3 or all(n >= k for n, k in zip(shape[2:], kernel, strict=False)))
    expected = _torch_shape(lambda: AVGPOOL[dims](count_include_pad=include_pad, **c), shape)
    assert _ours(shapes.pool_output_shape, **cfg) == expected


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: shapes.conv_output_shape((1, 3, 8, 8), 4, 3, groups=2), "groups"),
        (lambda: shapes.conv_output_shape((1, 3, 8, 8), 4, 3, stride=2, padding="same"), "same"),
        (lambda: shapes.conv_output_shape((1, 3, 8, 8), 4, 3, padding="full"), "padding"),
        (lambda: shapes.conv_output_shape((1, 3, 2, 8), 4, 3), "kernel"),
        (lambda: shapes.conv_output_shape((1, 3, 8, 8), 4, (3, 3, 3)), "kernel_size"),
        (lambda: shapes.conv_output_shape((8, 8), 4, 3), "input_shape"),
        (lambda: shapes.conv_output_shape((1, 3, 8, 8), 4, 3, dilation=0), "dilation"),
        (lambda: shapes.pool_output_shape((1, 3, 8, 8), 2, padding=2), "padding"),
        (
            lambda: shapes.conv_transpose_output_shape((1, 3, 8), 3, 3, output_padding=1),
            "output_padding",
        ),
        (lambda: shapes.cover_count(0, 2), "n_points"),
        (lambda: shapes.receptive_field([{"kernel_size": 3, "strides": 2}]), "strides"),
        (lambda: shapes.stack_cost((1, 4), [{"type": "conv2d"}]), "type"),
    ],
)
def test_impossible_configurations_name_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


# ------------------------------------------------------------------------- parameters, MACs


@settings(max_examples=300)
@given(conv_configs(), st.booleans())
def test_conv_params_equal_torch_numel(cfg, bias):
    shape = cfg["input_shape"]
    dims = len(shape) - 2
    try:
        module = CONV[dims](
            shape[1], cfg["out_channels"], cfg["kernel_size"], groups=cfg["groups"], bias=bias
        )
    except ValueError:
        with pytest.raises(ValueError):
            shapes.conv_params(
                shape[1],
                cfg["out_channels"],
                cfg["kernel_size"],
                cfg["groups"],
                bias,
                spatial_dims=dims,
            )
        return
    expected = sum(p.numel() for p in module.parameters())
    got = shapes.conv_params(
        shape[1], cfg["out_channels"], cfg["kernel_size"], cfg["groups"], bias, spatial_dims=dims
    )
    assert got == expected


def _macs_by_counting(input_shape, out_channels, kernel, stride, padding, dilation, groups):
    """Count the multiplications of a direct loop that reads only real (unpadded) inputs and
    padding alike, one per weight tap per output position: the definition of MACs."""
    n, c, h, w = input_shape
    out = shapes.conv_output_shape(
        input_shape, out_channels, kernel, stride, padding, dilation, groups
    )
    count = 0
    for _o, _i, _j in itertools.product(range(out_channels), range(out[2]), range(out[3])):
        for _c, _u, _v in itertools.product(range(c // groups), range(kernel), range(kernel)):
            count += 1
    return n * count


@pytest.mark.parametrize(
    "cfg",
    [
        ((2, 4, 7, 6), 6, 3, 2, 1, 1, 2),
        ((1, 3, 9, 9), 3, 3, 1, "same", 2, 3),
        ((3, 2, 5, 5), 4, 1, 1, 0, 1, 1),
    ],
)
def test_conv_macs_count_one_per_tap_per_output(cfg):
    assert shapes.conv_macs(*cfg) == _macs_by_counting(*cfg)


def test_stack_cost_matches_torch_sequential():
    """A small VGG-like stack: shape and parameters from torch, MACs from torch's FLOP counter
    (which counts 2 FLOPs per MAC), activations by summing every layer's output size."""
    from torch.utils.flop_counter import FlopCounterMode

    layers = [
        {"type": "conv", "out_channels": 8, "kernel_size": 3, "padding": 1},
        {"type": "maxpool", "kernel_size": 2},
        {
            "type": "conv",
            "out_channels": 16,
            "kernel_size": 3,
            "padding": 1,
            "groups": 2,
            "bias": False,
        },
        {"type": "avgpool", "kernel_size": 3, "stride": 2, "ceil_mode": True},
        {"type": "flatten"},
        {"type": "linear", "out_features": 10},
    ]
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1, groups=2, bias=False),
        torch.nn.AvgPool2d(3, stride=2, ceil_mode=True),
        torch.nn.Flatten(),
        torch.nn.LazyLinear(10),
    )
    x = torch.zeros(4, 3, 20, 20)
    elements = 0
    with FlopCounterMode(display=False) as counter:
        h = x
        for layer in model:
            h = layer(h)
            elements += h.numel()
    got = shapes.stack_cost((4, 3, 20, 20), layers, bytes_per_element=4)
    assert got["output_shape"] == tuple(h.shape)
    assert got["params"] == sum(p.numel() for p in model.parameters())
    assert 2 * got["macs"] == counter.get_total_flops()
    assert got["activation_bytes"] == 4 * elements


# -------------------------------------------------------------------------- receptive fields


@st.composite
def layer_stacks(draw):
    n = draw(st.integers(1, 4))
    return [
        {
            "kernel_size": draw(st.integers(1, 4)),
            "stride": draw(st.integers(1, 3)),
            "padding": draw(st.integers(0, 2)),
            "dilation": draw(st.integers(1, 3)),
        }
        for _ in range(n)
    ]


@settings(max_examples=300)
@given(layer_stacks())
def test_receptive_field_matches_backpropagated_one_hot(layers):
    """Positive weights, one-hot gradient at an output position far from the borders: the
    non-zero input gradient is exactly the receptive field (no padding inside it)."""
    size, jump, centre = shapes.receptive_field(layers)
    length = 4 * size + 8 * jump + 16
    x = torch.ones(1, 1, length, dtype=torch.float64, requires_grad=True)
    h = x
    for layer in layers:
        w = torch.ones(1, 1, layer["kernel_size"], dtype=torch.float64)
        h = F.conv1d(
            h, w, stride=layer["stride"], padding=layer["padding"], dilation=layer["dilation"]
        )
    i = h.shape[-1] // 2
    grad = torch.zeros_like(h)
    grad[..., i] = 1.0
    h.backward(grad)
    nonzero = np.flatnonzero(x.grad.numpy()[0, 0])
    first, last = int(nonzero[0]), int(nonzero[-1])
    assert last - first + 1 == size
    assert (first + last) / 2 == centre + i * jump
    # the jump: the next output's field starts `jump` later
    assert shapes.receptive_field(layers)[1] == math.prod(layer["stride"] for layer in layers)


def test_receptive_field_of_dilated_stack_grows_exponentially():
    """WaveNet-style dilations 1, 2, 4, ... with kernel 2: r = 2^L (the known closed form)."""
    for depth in range(1, 8):
        stack = [{"kernel_size": 2, "dilation": 2**i} for i in range(depth)]
        assert shapes.receptive_field(stack)[0] == 2**depth


# ------------------------------------------------------------------------------ conv2d


@st.composite
def conv2d_inputs(draw):
    groups = draw(st.sampled_from([1, 2, 3]))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = draw(st.sampled_from(["same", "valid", "int", "pair"]))
    stride = (1, 1) if padding == "same" else (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    if padding == "int":
        padding = draw(st.integers(0, 2))
    elif padding == "pair":
        padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    h = draw(st.integers(dilation[0] * (kh - 1) + 1, 9))
    w = draw(st.integers(dilation[1] * (kw - 1) + 1, 9))
    batch = draw(st.sampled_from([None, 1, 2]))
    seed = draw(st.integers(0, 2**32 - 1))
    return dict(
        shape=(cin, h, w) if batch is None else (batch, cin, h, w),
        weight_shape=(cout, cin // groups, kh, kw),
        bias=draw(st.booleans()),
        stride=stride if draw(st.booleans()) else stride[0] if stride[0] == stride[1] else stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        seed=seed,
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@settings(max_examples=150)
@given(cfg=conv2d_inputs())
def test_conv2d_forward_and_backward_match_torch(cfg, dtype):
    rng = np.random.default_rng(cfg["seed"])
    x = rng.standard_normal(cfg["shape"]).astype(dtype)
    w = rng.standard_normal(cfg["weight_shape"]).astype(dtype)
    b = rng.standard_normal(cfg["weight_shape"][0]).astype(dtype) if cfg["bias"] else None
    kw = {k: cfg[k] for k in ("stride", "padding", "dilation", "groups")}
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    bt = None if b is None else torch.tensor(b, requires_grad=True)
    yt = F.conv2d(xt, wt, bt, **kw)
    y = shapes.conv2d(x, w, b, **kw)
    rtol, atol = (1e-12, 1e-12) if dtype == np.float64 else (1e-5, 1e-5)
    assert y.dtype == dtype and y.shape == tuple(yt.shape)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=rtol, atol=atol)
    g = rng.standard_normal(y.shape).astype(dtype)
    yt.backward(torch.tensor(g))
    gx, gw, gb = shapes.conv2d_backward(g, x, w, b, **kw)
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=rtol, atol=atol * 10)
    np.testing.assert_allclose(gw, wt.grad.numpy(), rtol=rtol, atol=atol * 10)
    assert gx.dtype == gw.dtype == dtype
    if b is None:
        assert gb is None
    else:
        np.testing.assert_allclose(gb, bt.grad.numpy(), rtol=rtol, atol=atol * 10)


def test_conv2d_refuses_mismatched_channels_and_dtypes():
    x = np.zeros((1, 4, 5, 5))
    with pytest.raises(ValueError, match="channels"):
        shapes.conv2d(x, np.zeros((2, 3, 3, 3)))
    with pytest.raises(TypeError, match="dtype"):
        shapes.conv2d(x, np.zeros((2, 4, 3, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="grad_output"):
        shapes.conv2d_backward(np.zeros((1, 2, 4, 4)), x, np.zeros((2, 4, 3, 3)))


# ------------------------------------------------------------------------------ capacity


def _brute_force_dichotomies(points):
    """Every labeling, each tested by the LP without the symmetry shortcut."""
    from scipy.optimize import linprog

    n, d = points.shape
    count = 0
    for labels in itertools.product((-1.0, 1.0), repeat=n):
        y = np.array(labels)
        a = -y[:, None] * np.hstack([points, np.ones((n, 1))])
        res = linprog(np.zeros(d + 1), A_ub=a, b_ub=-np.ones(n), bounds=(None, None))
        count += res.status == 0
    return count


@pytest.mark.parametrize("dim", [1, 2, 3])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_cover_count_equals_brute_force_on_points_in_general_position(n, dim):
    points = np.random.default_rng(10 * n + dim).standard_normal((n, dim))
    assert shapes.cover_count(n, dim) == _brute_force_dichotomies(points)
    assert shapes.count_dichotomies(points) == _brute_force_dichotomies(points)


def test_three_points_shattered_four_not_in_the_plane():
    triangle = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    square = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    collinear = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    assert shapes.shatters(triangle)
    assert not shapes.shatters(square)  # XOR labeling
    assert shapes.count_dichotomies(square) == 14 == shapes.cover_count(4, 2)
    assert not shapes.shatters(collinear)  # not in general position: (+, -, +) fails
    assert shapes.count_dichotomies(collinear) == 6


def test_cover_count_is_two_to_the_n_up_to_the_vc_dimension():
    for dim in range(6):
        for n in range(1, 12):
            full = shapes.cover_count(n, dim) == 2**n
            assert full == (n <= dim + 1)
