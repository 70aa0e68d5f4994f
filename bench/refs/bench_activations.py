"""Benchmarks of solutions/activations.py against torch.nn.functional on 1e6 float64 elements.

Forward: ours vs ``F.<name>``. Backward: ours (which recomputes what it needs from the input)
vs torch autograd from the input (forward with a graph, then the backward).
"""

import numpy as np
import torch
import torch.nn.functional as F

from solutions import activations as act

SHAPE = (1000, 1000)
rng = np.random.default_rng(0)
x = rng.standard_normal(SHAPE) * 3
g = rng.standard_normal(SHAPE)
weight = rng.uniform(0.1, 0.3, SHAPE[1])
noise = act.rrelu_noise(x, generator=rng)
xt = torch.from_numpy(x)
gt = torch.from_numpy(g)
weight_t = torch.from_numpy(weight)
noise_t = torch.from_numpy(noise)


def torch_grad(fn, *tensors):
    leaves = [t.detach().requires_grad_(True) for t in tensors]
    return lambda: torch.autograd.grad(fn(*leaves), leaves, gt_for(fn, leaves))


def gt_for(fn, leaves):
    out_shape = fn(*[t.detach() for t in leaves]).shape
    return gt if out_shape == gt.shape else gt[..., : out_shape[-1]].contiguous()


# (name, ours forward, torch forward, ours backward, torch function of tensors for autograd)
ELEMENTWISE = [
    ("sigmoid", act.sigmoid, torch.sigmoid, act.sigmoid_backward, {}),
    ("tanh", act.tanh, torch.tanh, act.tanh_backward, {}),
    ("relu", act.relu, F.relu, act.relu_backward, {}),
    ("leaky_relu", act.leaky_relu, F.leaky_relu, act.leaky_relu_backward, {}),
    ("rrelu (eval)", act.rrelu, F.rrelu, act.rrelu_backward, {}),
    ("elu", act.elu, F.elu, act.elu_backward, {}),
    ("selu", act.selu, F.selu, act.selu_backward, {}),
    ("celu", act.celu, F.celu, act.celu_backward, {}),
    ("relu6", act.relu6, F.relu6, act.relu6_backward, {}),
    ("hardtanh", act.hardtanh, F.hardtanh, act.hardtanh_backward, {}),
    ("softplus", act.softplus, F.softplus, act.softplus_backward, {}),
    ("gelu", act.gelu, F.gelu, act.gelu_backward, {}),
    ("gelu tanh", act.gelu, F.gelu, act.gelu_backward, {"approximate": "tanh"}),
    ("silu", act.silu, F.silu, act.silu_backward, {}),
    ("mish", act.mish, F.mish, act.mish_backward, {}),
]


def build_cases():
    cases = []
    for name, ours, theirs, ours_backward, kw in ELEMENTWISE:
        cases.append((name, lambda o=ours, k=kw: o(x, **k), lambda t=theirs, k=kw: t(xt, **k)))
        cases.append(
            (
                f"{name} backward",
                lambda b=ours_backward, k=kw: b(g, x, **k),
                torch_grad(lambda v, t=theirs, k=kw: t(v, **k), xt),
            )
        )
    swish_t = lambda v, b: v * torch.sigmoid(b * v)
    beta_t = torch.tensor(1.5, dtype=torch.float64)
    swiglu_t = lambda v: F.silu(v.chunk(2, -1)[0]) * v.chunk(2, -1)[1]
    rrelu_t = lambda v: torch.ops.aten.rrelu_with_noise(v, noise_t.clone(), 0.125, 1 / 3, True)
    cases += [
        ("prelu", lambda: act.prelu(x, weight), lambda: F.prelu(xt, weight_t)),
        (
            "prelu backward",
            lambda: act.prelu_backward(g, x, weight),
            torch_grad(F.prelu, xt, weight_t),
        ),
        (
            "rrelu (train, given noise)",
            lambda: act.rrelu(x, training=True, noise=noise),
            lambda: xt * noise_t,
        ),
        (
            "rrelu backward (train)",
            lambda: act.rrelu_backward(g, x, training=True, noise=noise),
            torch_grad(rrelu_t, xt),
        ),
        ("swish", lambda: act.swish(x, 1.5), lambda: swish_t(xt, beta_t)),
        (
            "swish backward (x, beta)",
            lambda: act.swish_backward(g, x, 1.5),
            torch_grad(swish_t, xt, beta_t),
        ),
        ("glu", lambda: act.glu(x), lambda: F.glu(xt)),
        ("glu backward", lambda: act.glu_backward(g[:, :500], x), torch_grad(F.glu, xt)),
        ("swiglu", lambda: act.swiglu(x), lambda: swiglu_t(xt)),
        (
            "swiglu backward",
            lambda: act.swiglu_backward(g[:, :500], x),
            torch_grad(swiglu_t, xt),
        ),
    ]
    for name, ours, ours_backward, theirs in [
        ("softmax", act.softmax, act.softmax_backward, torch.softmax),
        ("log_softmax", act.log_softmax, act.log_softmax_backward, torch.log_softmax),
    ]:
        cases += [
            (name, lambda o=ours: o(x, 1), lambda t=theirs: t(xt, 1)),
            (
                f"{name} backward",
                lambda b=ours_backward: b(g, x, 1),
                torch_grad(lambda v, t=theirs: t(v, 1), xt),
            ),
            (
                f"{name} T=2",
                lambda o=ours: o(x, 1, temperature=2.0),
                lambda t=theirs: t(xt / 2.0, 1),
            ),
        ]
    return cases


CASES = build_cases()
