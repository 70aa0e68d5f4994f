"""solutions.regularization vs torch on ~1e6-element float64 inputs.

Random draws (dropout, resampling) use each library's own generator, so the two sides
compute the same kind of result, not the same numbers.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from solutions import regularization as R

N = 1_000_000
_rng = np.random.default_rng(0)
X = _rng.standard_normal(N)
G = _rng.standard_normal(N)
PARAMS = [_rng.standard_normal(N // 4) for _ in range(4)]
XT, GT = torch.from_numpy(X), torch.from_numpy(G)
PARAMS_T = [torch.from_numpy(p) for p in PARAMS]
LAM, EPS = 1e-2, 0.03

# 4 gradients of 250k entries, clipped in place (the first call already clips them, so the
# steady state measures computing the norm and scaling by a coefficient of ~1)
GRADS = [_rng.standard_normal(N // 4) for _ in range(4)]
_TORCH_PARAMS = [torch.zeros(N // 4, dtype=torch.float64, requires_grad=True) for _ in range(4)]
for _p, _g in zip(_TORCH_PARAMS, GRADS, strict=True):
    _p.grad = torch.from_numpy(_g.copy())

# label smoothing: 1e5 targets, 10 classes -> 1e6 probabilities
K = 10
LABELS = _rng.integers(0, K, N // K)
LABELS_T = torch.from_numpy(LABELS)

# adversarial: a batch of 1000 examples of 1000 features
XB, GB = X.reshape(1000, 1000), G.reshape(1000, 1000)
XBT, GBT = torch.from_numpy(XB), torch.from_numpy(GB)
TARGET = np.zeros_like(XB)
TARGET_T = torch.from_numpy(TARGET)

# class-imbalanced labels for re-sampling
IMBALANCED = np.minimum(_rng.geometric(0.3, N) - 1, 9)
IMB_WEIGHTS_T = torch.from_numpy(R.sampling_weights(IMBALANCED, 0.5))


def _torch_pgd(steps=5, eps=0.1, alpha=0.03):
    x = XBT.clone()
    for _ in range(steps):
        x = x + alpha * (x - TARGET_T).sign()
        x = XBT + (x - XBT).clamp(-eps, eps)
        x = x.clamp(-3, 3)
    return x


def _torch_fgm():
    return XBT + EPS * GBT / GBT.norm(dim=1, keepdim=True)


CASES = [
    ("l2_penalty (4 x 250k)", lambda: R.l2_penalty(PARAMS, LAM),
     lambda: 0.5 * LAM * sum((t * t).sum() for t in PARAMS_T)),
    ("l1_penalty (4 x 250k)", lambda: R.l1_penalty(PARAMS, LAM),
     lambda: LAM * sum(t.abs().sum() for t in PARAMS_T)),
    ("l1_penalty_backward", lambda: R.l1_penalty_backward(1.0, X, LAM),
     lambda: LAM * XT.sign()),
    ("l2_penalty_backward", lambda: R.l2_penalty_backward(1.0, X, LAM), lambda: LAM * XT),
    ("dropout p=0.3", lambda: R.dropout(X, 0.3, generator=_rng), lambda: F.dropout(XT, 0.3)),
    ("dropout eval", lambda: R.dropout(X, 0.3, training=False),
     lambda: F.dropout(XT, 0.3, training=False).clone()),
    ("clip_grad_norm_ (4 x 250k)", lambda: R.clip_grad_norm_(GRADS, 1.0),
     lambda: torch.nn.utils.clip_grad_norm_(_TORCH_PARAMS, 1.0)),
    ("clip_grad_norm_ inf", lambda: R.clip_grad_norm_(GRADS, 1.0, norm_type="inf"),
     lambda: torch.nn.utils.clip_grad_norm_(_TORCH_PARAMS, 1.0, norm_type="inf")),
    ("clip_grad_value_ (4 x 250k)", lambda: R.clip_grad_value_(GRADS, 1e-3),
     lambda: torch.nn.utils.clip_grad_value_(_TORCH_PARAMS, 1e-3)),
    ("label_smoothing (1e5 x 10)", lambda: R.label_smoothing(LABELS, K, 0.1),
     lambda: F.one_hot(LABELS_T, K).double() * 0.9 + 0.1 / K),
    ("fgsm", lambda: R.fgsm(X, G, EPS, clip_min=-3, clip_max=3),
     lambda: (XT + EPS * GT.sign()).clamp(-3, 3)),
    ("fgm (1000 x 1000)", lambda: R.fgm(XB, GB, EPS), _torch_fgm),
    ("pgd inf, 5 steps", lambda: R.pgd(XB, lambda x: x - TARGET, 0.1, 0.03, 5, clip_min=-3,
                                       clip_max=3), _torch_pgd),
    ("resample_indices q=0.5", lambda: R.resample_indices(IMBALANCED, N, 0.5, generator=_rng),
     lambda: torch.multinomial(IMB_WEIGHTS_T, N, replacement=True)),
]  # fmt: skip
