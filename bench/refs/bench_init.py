"""Benchmarks of solutions/init.py against torch.nn.init on 1e6-element float64 weights."""

import numpy as np
import torch

from solutions import init

SHAPE = (1000, 1000)
CONV_SHAPE = (64, 64, 16, 16)  # 1,048,576 elements, a conv weight for dirac_

rng = np.random.default_rng(0)
gen = torch.Generator().manual_seed(0)
ours_w = np.empty(SHAPE)
torch_w = torch.empty(SHAPE, dtype=torch.float64)
ours_conv = np.empty(CONV_SHAPE)
torch_conv = torch.empty(CONV_SHAPE, dtype=torch.float64)


def case(name, ours, oracle):
    return (name, ours, oracle)


CASES = [
    case(
        "uniform_",
        lambda: init.uniform_(ours_w, -1, 1, rng),
        lambda: torch.nn.init.uniform_(torch_w, -1, 1, gen),
    ),
    case(
        "normal_",
        lambda: init.normal_(ours_w, 0, 1, rng),
        lambda: torch.nn.init.normal_(torch_w, 0, 1, gen),
    ),
    case(
        "trunc_normal_",
        lambda: init.trunc_normal_(ours_w, generator=rng),
        lambda: torch.nn.init.trunc_normal_(torch_w, generator=gen),
    ),
    case(
        "constant_",
        lambda: init.constant_(ours_w, 0.5),
        lambda: torch.nn.init.constant_(torch_w, 0.5),
    ),
    case("eye_", lambda: init.eye_(ours_w), lambda: torch.nn.init.eye_(torch_w)),
    case("dirac_", lambda: init.dirac_(ours_conv), lambda: torch.nn.init.dirac_(torch_conv)),
    case(
        "xavier_uniform_",
        lambda: init.xavier_uniform_(ours_w, generator=rng),
        lambda: torch.nn.init.xavier_uniform_(torch_w, generator=gen),
    ),
    case(
        "xavier_normal_",
        lambda: init.xavier_normal_(ours_w, generator=rng),
        lambda: torch.nn.init.xavier_normal_(torch_w, generator=gen),
    ),
    case(
        "kaiming_uniform_",
        lambda: init.kaiming_uniform_(ours_w, generator=rng),
        lambda: torch.nn.init.kaiming_uniform_(torch_w, generator=gen),
    ),
    case(
        "kaiming_normal_",
        lambda: init.kaiming_normal_(ours_w, generator=rng),
        lambda: torch.nn.init.kaiming_normal_(torch_w, generator=gen),
    ),
    case(
        "lecun_normal_ (vs kaiming linear)",
        lambda: init.lecun_normal_(ours_w, generator=rng),
        lambda: torch.nn.init.kaiming_normal_(torch_w, nonlinearity="linear", generator=gen),
    ),
    case(
        "orthogonal_",
        lambda: init.orthogonal_(ours_w, generator=rng),
        lambda: torch.nn.init.orthogonal_(torch_w, generator=gen),
    ),
    case(
        "sparse_",
        lambda: init.sparse_(ours_w, 0.1, generator=rng),
        lambda: torch.nn.init.sparse_(torch_w, 0.1, generator=gen),
    ),
]
