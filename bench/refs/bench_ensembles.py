"""solutions.ensembles vs torch / scipy / scikit-learn on ~1e6-element float64 inputs."""

from __future__ import annotations

import numpy as np
import scipy.stats
import torch
from sklearn.linear_model import LogisticRegression

from solutions import ensembles as E

N = 1_000_000
_rng = np.random.default_rng(0)

# 5 members, 20k samples, 10 classes
M, S, C = 5, N // 50, 10
PROBAS = _rng.dirichlet(np.ones(C), size=(M, S))
WEIGHTS = _rng.random(M) + 0.1
PROBAS_T, WEIGHTS_T = torch.from_numpy(PROBAS), torch.from_numpy(WEIGHTS)

# hard votes and scores: 5 members x 200k samples
PREDS = _rng.integers(0, C, (M, N // M))
PREDS_T = torch.from_numpy(PREDS)
SCORES = _rng.standard_normal((M, N // M))

# a "model" of 4 arrays of 250k parameters
PARAMS = [_rng.standard_normal(N // 4) for _ in range(4)]
_module = torch.nn.ParameterList([torch.nn.Parameter(torch.from_numpy(p.copy())) for p in PARAMS])
SWA_OURS = E.AveragedModel(PARAMS)
SWA_TORCH = torch.optim.swa_utils.AveragedModel(_module)
EMA_OURS = E.AveragedModel(PARAMS, multi_avg_fn=E.get_ema_multi_avg_fn(0.99))
EMA_TORCH = torch.optim.swa_utils.AveragedModel(
    _module, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(0.99)
)
for _avg, _model in ((SWA_OURS, PARAMS), (EMA_OURS, PARAMS)):
    _avg.update_parameters(_model)  # past the first (copying) update
SWA_TORCH.update_parameters(_module)
EMA_TORCH.update_parameters(_module)

# BatchNorm statistics: 10 batches of 1000 x 100 features
BATCHES = [_rng.standard_normal((1000, 100)) for _ in range(10)]
BATCHES_T = [torch.from_numpy(b) for b in BATCHES]
BN_TORCH = torch.nn.BatchNorm1d(100).double()
BN_STATE = {"running_mean": np.zeros(100), "running_var": np.ones(100)}

# stacking meta-learner: 100k samples x 10 features, 3 classes
X_META = _rng.standard_normal((N // 10, 10))
Y_META = np.argmax(X_META[:, :3] + _rng.standard_normal((N // 10, 3)), axis=1)

T_STEPS, CYCLES = N, 5
STEPS_T = torch.arange(1, T_STEPS + 1, dtype=torch.float64)


def _torch_snapshot_schedule(base_lr=0.1):
    cycle = -(-T_STEPS // CYCLES)
    return base_lr / 2 * (torch.cos(torch.pi * ((STEPS_T - 1) % cycle) / cycle) + 1)


CASES = [
    ("weighted_average (5 x 20k x 10)", lambda: E.weighted_average(PROBAS, WEIGHTS),
     lambda: torch.tensordot(WEIGHTS_T / WEIGHTS_T.sum(), PROBAS_T, dims=1)),
    ("vote (5 x 200k)", lambda: E.vote(PREDS), lambda: torch.mode(PREDS_T, dim=0)),
    ("rank_average (5 x 200k)", lambda: E.rank_average(SCORES),
     lambda: scipy.stats.rankdata(SCORES, axis=1).mean(axis=0) / SCORES.shape[1]),
    ("AveragedModel SWA update (4 x 250k)", lambda: SWA_OURS.update_parameters(PARAMS),
     lambda: SWA_TORCH.update_parameters(_module)),
    ("AveragedModel EMA update (4 x 250k)", lambda: EMA_OURS.update_parameters(PARAMS),
     lambda: EMA_TORCH.update_parameters(_module)),
    ("update_bn (10 x 1000 x 100)", lambda: E.update_bn(BATCHES, lambda x: [x], [BN_STATE]),
     lambda: torch.optim.swa_utils.update_bn(BATCHES_T, BN_TORCH)),
    ("snapshot_schedule (1e6 steps)", lambda: E.snapshot_schedule(0.1, T_STEPS, CYCLES),
     _torch_snapshot_schedule),
    ("LogisticRegression fit (1e5 x 10, 3 cl.)",
     lambda: E.LogisticRegression(tol=1e-6).fit(X_META, Y_META),
     lambda: LogisticRegression(tol=1e-6, max_iter=10_000).fit(X_META, Y_META)),
]  # fmt: skip
