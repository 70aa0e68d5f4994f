r"""Chapter 10: shapes and capacity.

Convolution arithmetic (output shapes, receptive fields, parameter and multiply-accumulate
counts), a direct numpy convolution with its backward, and the capacity of linear classifiers
(Cover's function-counting theorem, shattering by linear programming).

Along one spatial axis of size :math:`L`, a convolution or pooling window of size :math:`k`,
stride :math:`s`, padding :math:`p` and dilation :math:`d` covers :math:`d(k-1)+1` input
positions, so it fits

.. math:: L_\text{out} = \left\lfloor \frac{L + 2p - d(k-1) - 1}{s} \right\rfloor + 1

times (pooling with ``ceil_mode=True`` rounds up, but never starts a window in the right
padding). A transposed convolution inverts the map :math:`L \mapsto L_\text{out}`:

.. math:: L_\text{out} = (L - 1)s - 2p + d(k-1) + \text{output\_padding} + 1 .

Signatures, defaults and refusals mirror ``torch.nn`` (``Conv1d/2d/3d``,
``ConvTranspose1d/2d/3d``, ``MaxPool``/``AvgPool``) and ``torch.nn.functional.conv2d``.
Shapes are batched, ``(N, C, *spatial)``; the number of spatial axes (1 to 3) is read from
the input shape. Every impossible configuration raises ``ValueError`` naming the argument
(torch raises ``RuntimeError`` for some of them).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

__worked_examples__ = ["conv_output_size", "same_padding", "shatters"]

Array = np.ndarray
PADDING_MODES = ("same", "valid")


# ----------------------------------------------------------------------------- validation


def _is_int(x) -> bool:
    return isinstance(x, int | np.integer) and not isinstance(x, bool)


def _check_shape(input_shape, name: str = "input_shape") -> tuple[int, ...]:
    """A batched shape ``(N, C, *spatial)`` with 1 to 3 spatial axes."""
    if not isinstance(input_shape, Sequence | np.ndarray) or isinstance(input_shape, str):
        raise TypeError(f"{name} must be a tuple of ints (N, C, *spatial); got {input_shape!r}")
    shape = tuple(input_shape)
    if not all(_is_int(n) for n in shape):
        raise TypeError(f"{name} must hold ints; got {input_shape!r}")
    if not 3 <= len(shape) <= 5:
        raise ValueError(
            f"{name} must be (N, C, *spatial) with 1 to 3 spatial axes; got {len(shape)} axes"
        )
    if any(n < 0 for n in shape) or shape[1] < 1 or any(n < 1 for n in shape[2:]):
        raise ValueError(f"{name} must have N >= 0, C >= 1 and spatial sizes >= 1; got {shape}")
    return tuple(int(n) for n in shape)


def _per_axis(value, name: str, dims: int, *, minimum: int) -> tuple[int, ...]:
    """An int or a tuple of ``dims`` ints, each >= ``minimum`` (torch's ``_ntuple``)."""
    values = (value,) * dims if _is_int(value) else value
    if not isinstance(values, Sequence) or isinstance(values, str):
        raise TypeError(f"{name} must be an int or a tuple of {dims} ints; got {value!r}")
    values = tuple(values)
    if len(values) != dims or not all(_is_int(v) for v in values):
        raise ValueError(f"{name} must be an int or a tuple of {dims} ints; got {value!r}")
    if any(v < minimum for v in values):
        raise ValueError(f"{name} must be >= {minimum} on every axis; got {value!r}")
    return tuple(int(v) for v in values)


def _check_groups(in_channels: int, out_channels: int, groups) -> int:
    if not _is_int(groups) or groups < 1:
        raise ValueError(f"groups must be a positive int; got {groups!r}")
    if not _is_int(out_channels) or out_channels < 1:
        raise ValueError(f"out_channels must be a positive int; got {out_channels!r}")
    if in_channels % groups:
        raise ValueError(f"in_channels ({in_channels}) must be divisible by groups ({groups})")
    if out_channels % groups:
        raise ValueError(f"out_channels ({out_channels}) must be divisible by groups ({groups})")
    return int(groups)


def _conv_padding(padding, dims: int, kernel, stride, dilation) -> tuple[tuple[int, int], ...]:
    """``(left, right)`` per axis; ``'same'`` puts the odd extra position on the right."""
    if isinstance(padding, str):
        if padding not in PADDING_MODES:
            raise ValueError(f"padding must be an int, a tuple, 'same' or 'valid'; got {padding!r}")
        if padding == "valid":
            return ((0, 0),) * dims
        if any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
        return tuple(same_padding(k, d) for k, d in zip(kernel, dilation, strict=True))
    return tuple((p, p) for p in _per_axis(padding, "padding", dims, minimum=0))


def _positive_size(size: int, axis: int, what: str) -> int:
    if size < 1:
        raise ValueError(
            f"the {what} along spatial axis {axis} would be {size}: the (dilated) kernel does "
            "not fit in the padded input (use a smaller kernel or dilation, or more padding)"
        )
    return size


# ------------------------------------------------------------------- output shapes (kernels)


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1) -> int:
    r"""Output length of a convolution along one axis.

    .. math:: L_\text{out} = \left\lfloor \frac{L + p_\text{left} + p_\text{right}
              - d(k-1) - 1}{s} \right\rfloor + 1

    ``padding`` is an int (both sides) or a ``(left, right)`` pair. Returns an int, which is
    < 1 when the dilated kernel does not fit.

    >>> conv_output_size(32, 3, stride=2, padding=1)
    16
    """
    left, right = (padding, padding) if _is_int(padding) else padding
    return (size + left + right - dilation * (kernel_size - 1) - 1) // stride + 1


def same_padding(kernel_size: int, dilation: int = 1) -> tuple[int, int]:
    r"""The ``(left, right)`` padding that keeps the length at stride 1 (``padding='same'``).

    .. math:: p_\text{left} + p_\text{right} = d(k-1), \qquad
              p_\text{left} = \lfloor d(k-1)/2 \rfloor

    torch puts the odd extra position on the right.

    >>> same_padding(4), same_padding(3, dilation=2)
    ((1, 2), (2, 2))
    """
    total = dilation * (kernel_size - 1)
    return total // 2, total - total // 2


def conv_output_shape(
    input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1
) -> tuple[int, ...]:
    r"""Output shape of ``nn.Conv1d/2d/3d`` for a batched input ``(N, C, *spatial)``.

    .. math:: L_\text{out} = \left\lfloor \frac{L + 2p - d(k-1) - 1}{s} \right\rfloor + 1

    per spatial axis; the channels become ``out_channels``. ``kernel_size``, ``stride``,
    ``padding`` and ``dilation`` are ints or one int per spatial axis; ``padding`` may also be
    ``'same'`` (stride 1 only) or ``'valid'`` (no padding). Raises ``ValueError`` where torch
    refuses the configuration (channels not divisible by ``groups``, an output smaller than 1).

    >>> conv_output_shape((8, 3, 32, 32), 16, 3, stride=2, padding=1)
    (8, 16, 16, 16)
    """
    shape = _check_shape(input_shape)
    _check_groups(shape[1], out_channels, groups)
    *_, spatial = _conv_geometry(shape[2:], kernel_size, stride, padding, dilation)
    return (shape[0], int(out_channels), *spatial)


def _conv_geometry(sizes, kernel_size, stride, padding, dilation):
    """``(kernel, stride, dilation, pads, output sizes)`` per spatial axis of a convolution
    over spatial ``sizes``, each argument checked (shared by the shapes and :func:`conv2d`)."""
    dims = len(sizes)
    kernel = _per_axis(kernel_size, "kernel_size", dims, minimum=1)
    stride = _per_axis(stride, "stride", dims, minimum=1)
    dilation = _per_axis(dilation, "dilation", dims, minimum=1)
    pads = _conv_padding(padding, dims, kernel, stride, dilation)
    spatial = tuple(
        _positive_size(conv_output_size(n, k, s, p, d), axis, "convolution output")
        for axis, (n, k, s, p, d) in enumerate(
            zip(sizes, kernel, stride, pads, dilation, strict=True)
        )
    )
    return kernel, stride, dilation, pads, spatial


def conv_transpose_output_shape(
    input_shape,
    out_channels,
    kernel_size,
    stride=1,
    padding=0,
    output_padding=0,
    groups=1,
    dilation=1,
) -> tuple[int, ...]:
    r"""Output shape of ``nn.ConvTranspose1d/2d/3d`` (torch's argument order).

    .. math:: L_\text{out} = (L - 1)s - 2p + d(k-1) + \text{output\_padding} + 1

    ``output_padding`` picks one of the :math:`s` input lengths that a strided convolution
    maps to the same output, so it must be smaller than the stride or the dilation.

    >>> conv_transpose_output_shape((8, 16, 16, 16), 3, 3, stride=2, padding=1, output_padding=1)
    (8, 3, 32, 32)
    """
    shape = _check_shape(input_shape)
    dims = len(shape) - 2
    _check_groups(shape[1], out_channels, groups)
    kernel = _per_axis(kernel_size, "kernel_size", dims, minimum=1)
    stride = _per_axis(stride, "stride", dims, minimum=1)
    pads = _per_axis(padding, "padding", dims, minimum=0)
    extra = _per_axis(output_padding, "output_padding", dims, minimum=0)
    dilation = _per_axis(dilation, "dilation", dims, minimum=1)
    for op, s, d in zip(extra, stride, dilation, strict=True):
        if op >= s and op >= d:
            raise ValueError(
                f"output_padding ({output_padding!r}) must be smaller than either stride "
                f"({s}) or dilation ({d}) on every axis"
            )
    spatial = tuple(
        _positive_size((n - 1) * s - 2 * p + d * (k - 1) + op + 1, axis, "transposed output")
        for axis, (n, k, s, p, op, d) in enumerate(
            zip(shape[2:], kernel, stride, pads, extra, dilation, strict=True)
        )
    )
    return (shape[0], int(out_channels), *spatial)


def pool_output_shape(
    input_shape, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False
) -> tuple[int, ...]:
    r"""Output shape of ``nn.MaxPool1d/2d/3d`` (``AvgPool``: the same with ``dilation=1``).

    .. math:: L_\text{out} = \left\lfloor \frac{L + 2p - d(k-1) - 1}{s} \right\rfloor + 1

    (:math:`\lceil\cdot\rceil` with ``ceil_mode=True``, minus one when the last window would
    start in the right padding). ``stride`` defaults to ``kernel_size``; the padding may be at
    most half the kernel; channels are unchanged. ``AvgPool``'s ``count_include_pad`` changes
    the values, never the shape.

    >>> pool_output_shape((1, 3, 7, 7), 2, ceil_mode=True)
    (1, 3, 4, 4)
    """
    shape = _check_shape(input_shape)
    dims = len(shape) - 2
    kernel = _per_axis(kernel_size, "kernel_size", dims, minimum=1)
    stride = kernel if stride is None else _per_axis(stride, "stride", dims, minimum=1)
    pads = _per_axis(padding, "padding", dims, minimum=0)
    dilation = _per_axis(dilation, "dilation", dims, minimum=1)
    if not isinstance(ceil_mode, bool):
        raise TypeError(f"ceil_mode must be a bool; got {ceil_mode!r}")
    if any(p > k // 2 for p, k in zip(pads, kernel, strict=True)):
        raise ValueError(
            f"padding ({padding!r}) must be at most half of kernel_size ({kernel_size!r})"
        )
    spatial = tuple(
        _positive_size(_pool_size(n, k, s, p, d, ceil_mode), axis, "pooling output")
        for axis, (n, k, s, p, d) in enumerate(
            zip(shape[2:], kernel, stride, pads, dilation, strict=True)
        )
    )
    return (*shape[:2], *spatial)


def _pool_size(size, kernel, stride, pad, dilation, ceil_mode) -> int:
    """torch's ``pooling_output_shape``: floor division rounds toward minus infinity."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:  # last window starts in the padding
        out -= 1
    return out


# ------------------------------------------------------------------------ receptive fields


def receptive_field(layers) -> tuple[int, int, float]:
    r"""Receptive field size, jump and centre of the first output of a stack of layers.

    Each layer is a dict with ``kernel_size`` and optional ``stride`` (1), ``padding`` (0) and
    ``dilation`` (1), all ints (one axis). Starting from :math:`r_0 = 1`, :math:`j_0 = 1`,
    :math:`c_0 = 0` (the centre of input position 0), each layer of effective kernel
    :math:`\kappa = d(k-1)+1` gives

    .. math:: r_\ell = r_{\ell-1} + (\kappa_\ell - 1)\, j_{\ell-1}, \qquad
              j_\ell = j_{\ell-1}\, s_\ell, \qquad
              c_\ell = c_{\ell-1} + \Big(\frac{\kappa_\ell - 1}{2} - p_\ell\Big) j_{\ell-1} .

    Output position :math:`i` of the last layer sees the inputs centred on :math:`c + i j`,
    :math:`r` of them (part of them may be padding). Returns ``(r, j, c)``.

    >>> receptive_field([{"kernel_size": 3, "padding": 1}] * 2 + [{"kernel_size": 2, "stride": 2}])
    (6, 2, 0.5)
    """
    size, jump, centre = 1, 1, 0.0
    for _i, layer in enumerate(_check_layers(layers)):
        k, s, p, d = (layer[key] for key in ("kernel_size", "stride", "padding", "dilation"))
        span = d * (k - 1)  # effective kernel minus one
        size, centre, jump = size + span * jump, centre + (span / 2 - p) * jump, jump * s
    return size, jump, centre


def _check_layers(layers) -> list[dict]:
    if not isinstance(layers, Sequence) or isinstance(layers, str):
        raise TypeError(f"layers must be a list of dicts; got {type(layers).__name__}")
    out = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict) or "kernel_size" not in layer:
            raise ValueError(f"layers[{i}] must be a dict with a 'kernel_size'; got {layer!r}")
        unknown = set(layer) - {"kernel_size", "stride", "padding", "dilation"}
        if unknown:
            raise ValueError(f"layers[{i}] has unknown keys {sorted(unknown)}")
        full = {"stride": 1, "padding": 0, "dilation": 1, **layer}
        for key, minimum in (("kernel_size", 1), ("stride", 1), ("padding", 0), ("dilation", 1)):
            if not _is_int(full[key]) or full[key] < minimum:
                raise ValueError(f"layers[{i}]['{key}'] must be an int >= {minimum}")
        out.append(full)
    return out


# ---------------------------------------------------------------------- parameters and cost


def conv_params(in_channels, out_channels, kernel_size, groups=1, bias=True, spatial_dims=2) -> int:
    r"""Number of parameters of a convolution (any number of spatial axes).

    .. math:: \#\theta = C_\text{out}\,\frac{C_\text{in}}{g}\prod_a k_a
              \;+\; C_\text{out}\,[\text{bias}]

    ``kernel_size`` is an int (the same on each of ``spatial_dims`` axes, as ``nn.Conv2d(64,
    128, 3)`` means 3x3) or one int per axis. A linear layer is the case :math:`k = 1`; a
    depthwise convolution has :math:`g = C_\text{in}`.

    >>> conv_params(64, 128, 3)
    73856
    """
    if not _is_int(in_channels) or in_channels < 1:
        raise ValueError(f"in_channels must be a positive int; got {in_channels!r}")
    _check_groups(in_channels, out_channels, groups)
    if not _is_int(spatial_dims) or not 1 <= spatial_dims <= 3:
        raise ValueError(f"spatial_dims must be 1, 2 or 3; got {spatial_dims!r}")
    dims = spatial_dims if _is_int(kernel_size) else len(tuple(kernel_size))
    kernel = _per_axis(kernel_size, "kernel_size", dims, minimum=1)
    return out_channels * (in_channels // groups) * math.prod(kernel) + (
        out_channels if bias else 0
    )


def conv_macs(
    input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1
) -> int:
    r"""Multiply-accumulate operations of one convolution on a batch ``(N, C, *spatial)``.

    .. math:: \text{MACs} = N\,C_\text{out} \prod_a L_{\text{out},a}
              \cdot \frac{C_\text{in}}{g} \prod_a k_a

    one MAC per weight per output position (bias additions are not counted; FLOPs are about
    twice the MACs).

    >>> conv_macs((1, 64, 56, 56), 64, 3, padding=1)
    115605504
    """
    out = conv_output_shape(
        input_shape, out_channels, kernel_size, stride, padding, dilation, groups
    )
    dims = len(out) - 2
    kernel = _per_axis(kernel_size, "kernel_size", dims, minimum=1)
    return math.prod(out) * (input_shape[1] // groups) * math.prod(kernel)


LAYER_TYPES = ("conv", "maxpool", "avgpool", "flatten", "linear")


def stack_cost(input_shape, layers, bytes_per_element=4) -> dict:
    r"""Output shape, parameters, MACs and activation memory of a sequential stack.

    ``layers`` is a list of dicts with a ``type``:

    - ``"conv"``: ``out_channels``, ``kernel_size`` and optional ``stride``, ``padding``,
      ``dilation``, ``groups``, ``bias`` (``True``), as ``nn.ConvNd``;
    - ``"maxpool"`` / ``"avgpool"``: ``kernel_size`` and optional ``stride``, ``padding``,
      ``ceil_mode`` (and ``dilation`` for max pooling); no parameters, no MACs;
    - ``"flatten"``: ``(N, C, *spatial) -> (N, C * prod(spatial))``;
    - ``"linear"``: ``out_features``, optional ``bias``, on a flattened ``(N, F)`` input:
      :math:`F \cdot \text{out}` parameters (+ bias) and :math:`N F\,\text{out}` MACs.

    Returns ``{"output_shape", "params", "macs", "activation_bytes"}``, where the activation
    memory is that of every layer's output for the whole batch (what training keeps for the
    backward pass), :math:`\text{bytes} \sum_\ell \prod \text{shape}_\ell`.

    >>> stack_cost((2, 1, 28, 28), [{"type": "conv", "out_channels": 8, "kernel_size": 3},
    ...                             {"type": "flatten"}, {"type": "linear", "out_features": 10}])
    {'output_shape': (2, 10), 'params': 54170, 'macs': 205504, 'activation_bytes': 86608}
    """
    shape = _check_stack_input(input_shape)
    if not _is_int(bytes_per_element) or bytes_per_element < 1:
        raise ValueError(f"bytes_per_element must be a positive int; got {bytes_per_element!r}")
    if not isinstance(layers, Sequence) or isinstance(layers, str):
        raise TypeError(f"layers must be a list of dicts; got {type(layers).__name__}")
    params = macs = elements = 0
    for i, layer in enumerate(layers):
        shape, p, m = _layer_cost(shape, layer, i)
        params, macs, elements = params + p, macs + m, elements + math.prod(shape)
    return {
        "output_shape": shape,
        "params": params,
        "macs": macs,
        "activation_bytes": elements * bytes_per_element,
    }


def _check_stack_input(input_shape) -> tuple[int, ...]:
    """``(N, C, *spatial)``, or ``(N, F)`` for a stack of linear layers."""
    if isinstance(input_shape, Sequence) and len(input_shape) == 2:
        if not all(_is_int(n) and n >= 1 for n in input_shape):
            raise ValueError(f"input_shape must be positive ints; got {input_shape!r}")
        return tuple(int(n) for n in input_shape)
    return _check_shape(input_shape)


def _layer_cost(shape: tuple, layer, i: int) -> tuple[tuple, int, int]:
    """(output shape, parameters, MACs) of one layer of :func:`stack_cost`."""
    if not isinstance(layer, dict) or layer.get("type") not in LAYER_TYPES:
        raise ValueError(f"layers[{i}] must be a dict with 'type' in {LAYER_TYPES}; got {layer!r}")
    kind, opts = layer["type"], {k: v for k, v in layer.items() if k != "type"}
    try:
        if kind == "conv":
            bias = opts.pop("bias", True)
            out = conv_output_shape(shape, **opts)
            kernel = opts["kernel_size"]
            params = conv_params(
                shape[1], opts["out_channels"], kernel, opts.get("groups", 1), bias, len(shape) - 2
            )
            return out, params, conv_macs(shape, **opts)
        if kind in ("maxpool", "avgpool"):
            if kind == "avgpool" and opts.get("dilation", 1) != 1:
                raise ValueError("avgpool has no dilation")
            return pool_output_shape(shape, **opts), 0, 0
        if kind == "flatten":
            return (shape[0], math.prod(shape[1:])), 0, 0
        if len(shape) != 2:
            raise ValueError(f"linear needs a flattened (N, F) input; got shape {shape}")
        n_out, bias = opts.pop("out_features"), opts.pop("bias", True)
        if opts or not _is_int(n_out) or n_out < 1:
            raise ValueError("linear takes out_features (a positive int) and bias")
        return (
            (shape[0], n_out),
            shape[1] * n_out + (n_out if bias else 0),
            math.prod(shape) * n_out,
        )
    except (TypeError, KeyError) as err:
        raise ValueError(f"layers[{i}] ({kind}): {err}") from None


# ----------------------------------------------------------------------- direct convolution


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Array:
    r"""2-D cross-correlation, as ``torch.nn.functional.conv2d``.

    .. math:: y_{n,o,i,j} = b_o + \sum_{c=0}^{C/g-1} \sum_{u,v} w_{o,c,u,v}\;
              x_{n,\,g(o)C/g + c,\; s_h i + d_h u - p_\text{top},\; s_w j + d_w v - p_\text{left}}

    where :math:`g(o)` is the group of output channel :math:`o` and :math:`x` is zero outside
    the input. ``input`` is ``(N, C, H, W)`` (or unbatched ``(C, H, W)``), ``weight``
    ``(O, C/groups, kH, kW)``, ``bias`` ``(O,)`` or ``None``; ``padding`` is an int, a pair,
    ``'same'`` or ``'valid'``. Returns ``(N, O, H_out, W_out)`` in the input's float dtype.

    >>> conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2))).tolist()
    [[[[4.0, 4.0], [4.0, 4.0]]]]
    """
    x, w, b, unbatched, geometry = _conv2d_args(
        input, weight, bias, stride, padding, dilation, groups
    )
    out = _conv2d_forward(_pad2d(x, geometry.pads), w, geometry)
    if b is not None:
        out += b[:, None, None]
    return out[0] if unbatched else out


def conv2d_backward(
    grad_output, input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1
) -> tuple[Array, Array, Array | None]:
    r"""Gradients of :func:`conv2d`: ``(grad_input, grad_weight, grad_bias)``.

    With :math:`\delta = \partial L/\partial y`,

    .. math:: \frac{\partial L}{\partial b_o} = \sum_{n,i,j} \delta_{n,o,i,j}, \qquad
              \frac{\partial L}{\partial w_{o,c,u,v}} = \sum_{n,i,j} \delta_{n,o,i,j}\,
              x_{n,c',\,s_h i + d_h u - p,\; s_w j + d_w v - p}

    and :math:`\partial L/\partial x` scatters :math:`\delta_{n,o,i,j}\, w_{o,c,u,v}` back to
    every input position that output :math:`(i, j)` read (a transposed convolution); inputs
    no window reached get 0. ``grad_bias`` is ``None`` when ``bias`` is ``None``.
    """
    x, w, b, unbatched, geometry = _conv2d_args(
        input, weight, bias, stride, padding, dilation, groups
    )
    g = np.asarray(grad_output)
    expected = (x.shape[0], w.shape[0], *geometry.out_hw)
    if g.shape != (expected[1:] if unbatched else expected):
        raise ValueError(f"grad_output must have the output's shape {expected}; got {g.shape}")
    g = g.astype(x.dtype, copy=False).reshape(expected)
    grad_x, grad_w = _conv2d_backward_kernel(g, _pad2d(x, geometry.pads), w, geometry)
    (top, _), (left, _) = geometry.pads
    grad_x = grad_x[:, :, top : top + x.shape[2], left : left + x.shape[3]]
    grad_b = None if b is None else g.sum(axis=(0, 2, 3))
    return (grad_x[0] if unbatched else np.ascontiguousarray(grad_x)), grad_w, grad_b


class _Geometry:
    """Stride, dilation, ``(before, after)`` pads per axis, groups and output size."""

    def __init__(self, stride, dilation, pads, groups, out_hw):
        self.stride, self.dilation, self.pads, self.groups, self.out_hw = (
            stride,
            dilation,
            pads,
            groups,
            out_hw,
        )


def _conv2d_args(input, weight, bias, stride, padding, dilation, groups):
    x, w = np.asarray(input), np.asarray(weight)
    for name, a in (("input", x), ("weight", w)):
        if a.dtype not in (np.float32, np.float64):
            raise TypeError(f"{name} must be a float32 or float64 array; got dtype {a.dtype}")
    if x.dtype != w.dtype:
        raise TypeError(f"input ({x.dtype}) and weight ({w.dtype}) must have the same dtype")
    if w.ndim != 4:
        raise ValueError(
            f"weight must be (out_channels, in_channels/groups, kH, kW); got {w.shape}"
        )
    unbatched = x.ndim == 3
    if x.ndim not in (3, 4):
        raise ValueError(f"input must be (N, C, H, W) or (C, H, W); got shape {x.shape}")
    x = x[None] if unbatched else x
    if not _is_int(groups) or groups < 1:
        raise ValueError(f"groups must be a positive int; got {groups!r}")
    if x.shape[1] != w.shape[1] * groups:
        raise ValueError(
            f"input has {x.shape[1]} channels but weight expects in_channels/groups = "
            f"{w.shape[1]} times groups = {groups}"
        )
    if w.shape[0] % groups:
        raise ValueError(f"out_channels ({w.shape[0]}) must be divisible by groups ({groups})")
    b = None
    if bias is not None:
        b = np.asarray(bias)
        if b.shape != (w.shape[0],) or b.dtype != x.dtype:
            raise ValueError(
                f"bias must be a ({w.shape[0]},) array of dtype {x.dtype}; got {b.shape} {b.dtype}"
            )
    _, stride, dilation, pads, out_hw = _conv_geometry(
        x.shape[2:], tuple(w.shape[2:]), stride, padding, dilation
    )
    return x, w, b, unbatched, _Geometry(stride, dilation, pads, int(groups), out_hw)


def _pad2d(x: Array, pads) -> Array:
    if not any(p for pair in pads for p in pair):
        return x
    return np.pad(x, ((0, 0), (0, 0), *pads))


def _windows(xp: Array, kernel, geometry: _Geometry) -> Array:
    """Read-only view ``(N, C, H_out, W_out, kH, kW)``: the input patch each output reads."""
    (sh, sw), (dh, dw), (ho, wo) = geometry.stride, geometry.dilation, geometry.out_hw
    n, c, s = xp.shape[0], xp.shape[1], xp.strides
    return np.lib.stride_tricks.as_strided(
        xp,
        (n, c, ho, wo, *kernel),
        (s[0], s[1], s[2] * sh, s[3] * sw, s[2] * dh, s[3] * dw),
        writeable=False,
    )


def _conv2d_forward(xp: Array, w: Array, geometry: _Geometry) -> Array:
    """Each output is a dot product of a weight with the patch under it, per group."""
    o, cg = w.shape[:2]
    og, win = o // geometry.groups, _windows(xp, w.shape[2:], geometry)
    out = np.empty((xp.shape[0], o, *geometry.out_hw), dtype=xp.dtype)
    for g in range(geometry.groups):
        patches = win[:, g * cg : (g + 1) * cg]  # (N, C/g, Ho, Wo, kH, kW)
        y = np.tensordot(patches, w[g * og : (g + 1) * og], axes=([1, 4, 5], [1, 2, 3]))
        out[:, g * og : (g + 1) * og] = y.transpose(0, 3, 1, 2)
    return out


def _conv2d_backward_kernel(grad: Array, xp: Array, w: Array, geometry: _Geometry):
    """grad_weight correlates the output gradient with the patches; grad_input scatters
    ``grad * w`` back onto the positions each output read (one strided add per tap)."""
    o, cg, kh, kw = w.shape
    og, win = o // geometry.groups, _windows(xp, (kh, kw), geometry)
    (sh, sw), (dh, dw), (ho, wo) = geometry.stride, geometry.dilation, geometry.out_hw
    grad_w = np.empty_like(w)
    grad_xp = np.zeros_like(xp)
    for g in range(geometry.groups):
        gout, ch = grad[:, g * og : (g + 1) * og], slice(g * cg, (g + 1) * cg)
        grad_w[g * og : (g + 1) * og] = np.tensordot(gout, win[:, ch], axes=([0, 2, 3], [0, 2, 3]))
        taps = np.tensordot(gout, w[g * og : (g + 1) * og], axes=([1], [0]))  # N,Ho,Wo,C/g,kh,kw
        for u, v in itertools.product(range(kh), range(kw)):
            rows = slice(u * dh, u * dh + sh * (ho - 1) + 1, sh)
            cols = slice(v * dw, v * dw + sw * (wo - 1) + 1, sw)
            grad_xp[:, ch, rows, cols] += taps[..., u, v].transpose(0, 3, 1, 2)
    return grad_xp, grad_w


# ------------------------------------------------------------------------------- capacity


def cover_count(n_points: int, dim: int) -> int:
    r"""Dichotomies of ``n_points`` points in general position realizable by an affine
    classifier :math:`\operatorname{sign}(w^\top x + b)` in :math:`\mathbb R^\text{dim}`
    (Cover's function-counting theorem, :math:`d + 1` parameters):

    .. math:: C(N, d + 1) = 2 \sum_{k=0}^{d} \binom{N-1}{k} .

    It equals :math:`2^N` exactly while :math:`N \le d + 1`, so the VC dimension of
    half-spaces in :math:`\mathbb R^d` is :math:`d + 1`. Returns an exact Python int.

    >>> cover_count(3, 2), cover_count(4, 2)
    (8, 14)
    """
    for name, value, minimum in (("n_points", n_points, 1), ("dim", dim, 0)):
        if not _is_int(value) or value < minimum:
            raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}")
    return 2 * sum(math.comb(n_points - 1, k) for k in range(dim + 1))


def count_dichotomies(points) -> int:
    r"""How many of the :math:`2^N` labelings :math:`y \in \{-1, +1\}^N` of the rows of
    ``points`` (shape ``(N, d)``) an affine classifier separates strictly:

    .. math:: \exists\, w, b:\quad y_i\,(w^\top x_i + b) \ge 1 \quad \text{for all } i,

    a linear-programming feasibility problem per labeling (``scipy.optimize.linprog``).
    A labeling and its negation are separable together, so only half are solved.

    >>> count_dichotomies(np.array([[0., 0.], [1., 0.], [0., 1.], [1., 1.]]))
    14
    """
    x = _check_points(points)
    n = x.shape[0]
    if n == 0:
        return 1
    separable = sum(
        _separable(x, np.array((1, *signs), dtype=np.float64))
        for signs in itertools.product((1, -1), repeat=n - 1)
    )
    return 2 * separable


def shatters(points) -> bool:
    r"""Whether affine classifiers shatter ``points`` (every labeling is separable).

    >>> shatters(np.array([[0., 0.], [1., 0.], [0., 1.]]))
    True
    """
    return count_dichotomies(points) == 2 ** len(points)


def _check_points(points) -> Array:
    x = np.asarray(points, dtype=np.float64) if not isinstance(points, np.ndarray) else points
    if x.ndim != 2:
        raise ValueError(f"points must be a 2-D array (N, d); got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.number) or not np.isfinite(x).all():
        raise ValueError("points must be finite numbers")
    if x.shape[0] > 16:
        raise ValueError(f"points: at most 16 points (2^N linear programs); got {x.shape[0]}")
    return x.astype(np.float64)


def _separable(x: Array, y: Array) -> bool:
    """Feasibility of ``y_i (w.x_i + b) >= 1``: a zero objective, so any feasible point."""
    from scipy.optimize import linprog

    n, d = x.shape
    a_ub = -y[:, None] * np.hstack([x, np.ones((n, 1))])
    res = linprog(np.zeros(d + 1), A_ub=a_ub, b_ub=-np.ones(n), bounds=(None, None), method="highs")
    return res.status == 0
