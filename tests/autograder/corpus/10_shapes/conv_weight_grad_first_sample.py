# ruff: noqa  (a student submission: names come from the rest of the notebook)
# grad_weight correlates the output gradient with the FIRST sample's patches only (no sum
# over the batch). Right only where every case of a group has N = 1: public bias, dilation,
# same/valid and hidden bias, unbatched pass; 10 of 15 groups lost. (conv2d itself is right.)
# EXPECT: {"shapes.conv2d_backward": 1.3333333}
import numpy as np


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _setup(input, weight, stride, padding, dilation):
    x = np.asarray(input)
    unbatched = x.ndim == 3
    x = x[None] if unbatched else x
    s, d = _pair(stride), _pair(dilation)
    kh, kw = weight.shape[2:]
    if padding == "valid":
        pads = ((0, 0), (0, 0))
    elif padding == "same":
        th, tw = d[0] * (kh - 1), d[1] * (kw - 1)
        pads = ((th // 2, th - th // 2), (tw // 2, tw - tw // 2))
    else:
        ph, pw = _pair(padding)
        pads = ((ph, ph), (pw, pw))
    xp = np.pad(x, ((0, 0), (0, 0), *pads))
    ho = (xp.shape[2] - d[0] * (kh - 1) - 1) // s[0] + 1
    wo = (xp.shape[3] - d[1] * (kw - 1) - 1) // s[1] + 1
    return x, xp, unbatched, s, d, pads, ho, wo


def _patch(xp, channels, i, j, s, d, kh, kw):
    rows = slice(i * s[0], i * s[0] + d[0] * (kh - 1) + 1, d[0])
    cols = slice(j * s[1], j * s[1] + d[1] * (kw - 1) + 1, d[1])
    return channels, rows, cols


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    x, xp, unbatched, s, d, pads, ho, wo = _setup(input, weight, stride, padding, dilation)
    o_total, cg, kh, kw = weight.shape
    og = o_total // groups
    out = np.zeros((x.shape[0], o_total, ho, wo), dtype=x.dtype)
    for o in range(o_total):
        ch = slice((o // og) * cg, (o // og + 1) * cg)
        for i in range(ho):
            for j in range(wo):
                c, r, q = _patch(xp, ch, i, j, s, d, kh, kw)
                out[:, o, i, j] = np.tensordot(xp[:, c, r, q], weight[o], axes=([1, 2, 3], [0, 1, 2]))
    if bias is not None:
        out += bias[:, None, None]
    return out[0] if unbatched else out


def conv2d_backward(grad_output, input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    x, xp, unbatched, s, d, pads, ho, wo = _setup(input, weight, stride, padding, dilation)
    g = np.asarray(grad_output).reshape(x.shape[0], weight.shape[0], ho, wo)
    o_total, cg, kh, kw = weight.shape
    og = o_total // groups
    grad_xp, grad_w = np.zeros_like(xp), np.zeros_like(weight)
    for o in range(o_total):
        ch = slice((o // og) * cg, (o // og + 1) * cg)
        for i in range(ho):
            for j in range(wo):
                c, r, q = _patch(xp, ch, i, j, s, d, kh, kw)
                grad_xp[:, c, r, q] += g[:, o, i, j][:, None, None, None] * weight[o]
                grad_w[o] += np.tensordot(g[:1, o, i, j], xp[:1, c, r, q], axes=([0], [0]))
    (top, _), (left, _) = pads
    grad_x = grad_xp[:, :, top : top + x.shape[2], left : left + x.shape[3]]
    grad_b = None if bias is None else g.sum(axis=(0, 2, 3))
    return (grad_x[0] if unbatched else grad_x), grad_w, grad_b
