"""The losses chapter's formulas, transcribed from the page, reproduce ``torch.nn.functional``.

Each ``page_*`` function below transcribes one display equation of
``chapters/04_losses/*.md`` (its label is in the name of the test case and is checked to
be on the page); the loss and, where the page states it, the gradient are compared with
torch's loss and autograd gradient in float64 on random inputs. Written from the page, not
from ``solutions/``: a formula on the page that disagrees with torch fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

#: The chapter's pages (it is split into sections: index.md, then one page per section).
PAGES = sorted((Path(__file__).resolve().parents[2] / "chapters" / "04_losses").glob("*.md"))


def page_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in PAGES)


RNG = np.random.default_rng(0)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softplus(u):
    return np.maximum(u, 0) + np.log1p(np.exp(-np.abs(u)))


def t(a, grad=False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def torch_value_and_grads(fn, *arrays):
    tensors = [t(a, grad=True) for a in arrays]
    out = fn(*tensors)
    out.sum().backward()
    return out.detach().numpy(), [None if x.grad is None else x.grad.numpy() for x in tensors]


# ---- the page's formulas (element-wise, reduction "none") --------------------------------


def page_bce_logits(x, y, pw):  # (loss-bce-logits), second line
    return (1 - y) * x + (1 + (pw - 1) * y) * softplus(-x)


def page_bce_logits_grad(x, y, pw):  # (loss-bce-logits-grad)
    return (1 + (pw - 1) * y) * sigmoid(x) - pw * y


def page_poisson(x, y, log_input, full, eps=1e-8):  # (loss-poisson)
    loss = np.exp(x) - y * x if log_input else x - y * np.log(x + eps)
    if full:
        safe = np.where(y > 1, y, 2.0)
        stirling = safe * np.log(safe) - safe + 0.5 * np.log(2 * np.pi * safe)
        loss = loss + np.where(y > 1, stirling, 0.0)
    return loss


def page_poisson_grad(x, y, log_input, eps=1e-8):  # (loss-poisson-grad)
    return np.exp(x) - y if log_input else 1 - y / (x + eps)


def page_gaussian(x, y, var, eps=1e-6):  # (loss-gaussian), full=False
    v = np.maximum(var, eps)
    return 0.5 * (np.log(v) + (x - y) ** 2 / v)


def page_gaussian_grads(x, y, var, eps=1e-6):  # (loss-gaussian-grad)
    v = np.maximum(var, eps)
    return (x - y) / v, 0.5 * (1 / v - (x - y) ** 2 / v**2)


def page_multimargin(x, y, p, margin, w):  # (loss-multimargin)
    n, c = x.shape
    z = margin - x[np.arange(n), y][:, None] + x
    z[np.arange(n), y] = 0
    return (w[y][:, None] * np.maximum(z, 0) ** p).sum(1) / c


def page_multimargin_grad(x, y, p, margin, w):  # (loss-multimargin-grad)
    n, c = x.shape
    z = margin - x[np.arange(n), y][:, None] + x
    z[np.arange(n), y] = 0
    g = w[y][:, None] / c * p * np.where(z > 0, z, 0) ** (p - 1) * (z > 0)
    g[np.arange(n), y] = -g.sum(1)
    return g


def page_multilabel_margin(x, targets):  # (loss-multilabel-margin)
    out = []
    for row, tgt in zip(x, targets, strict=True):
        labels = []
        for k in tgt:
            if k < 0:
                break
            labels.append(k)
        others = [k for k in range(len(row)) if k not in labels]
        out.append(sum(max(0.0, 1 - (row[j] - row[k])) for j in labels for k in others) / len(row))
    return np.array(out)


def page_soft_margin_grad(x, y):  # (loss-softmargin-grad)
    return -y * sigmoid(-y * x)


def page_multilabel_soft_margin(x, y, w):  # (loss-multilabel-softmargin)
    return -(w * (y * np.log(sigmoid(x)) + (1 - y) * np.log(sigmoid(-x)))).mean(axis=1)


def page_triplet(a, p, n, margin, norm, eps=1e-6):  # (loss-triplet)
    def d(u, v):
        return (np.abs(u - v + eps) ** norm).sum(-1) ** (1 / norm)

    return np.maximum(d(a, p) - d(a, n) + margin, 0)


def page_hinge_embedding(x, y, margin):  # (loss-hingeembedding)
    return np.where(y == 1, x, np.maximum(margin - x, 0))


def page_cosine_embedding(x1, x2, y, margin, eps=1e-12):  # (loss-cosineembedding)
    m1, m2 = (x1**2).sum(-1) + eps, (x2**2).sum(-1) + eps
    c = (x1 * x2).sum(-1) / np.sqrt(m1 * m2)
    return np.where(y == 1, 1 - c, np.maximum(c - margin, 0))


def page_smooth_l1_grad(x, y, beta):  # (loss-smooth-l1-grad)
    r = x - y
    return np.where(np.abs(r) < beta, r / beta, np.sign(r))


def page_kl_grad(p):  # (loss-kl-grad)
    return -p


# ---- the comparisons ----------------------------------------------------------------------


def case_bce_logits():
    x, y = RNG.normal(size=20) * 8, RNG.random(20)
    pw = RNG.random(20) * 3 + 0.5
    value, (gx, _) = torch_value_and_grads(
        lambda a, b: F.binary_cross_entropy_with_logits(
            a, b.detach(), pos_weight=t(pw), reduction="none"
        ),
        x,
        y,
    )
    return [(page_bce_logits(x, y, pw), value), (page_bce_logits_grad(x, y, pw), gx)]


def case_poisson():
    pairs = []
    y = RNG.poisson(3.0, size=30).astype(float)
    for log_input in (True, False):
        x = RNG.normal(size=30) if log_input else RNG.random(30) * 4 + 0.1
        for full in (False, True):
            value, (gx, _) = torch_value_and_grads(
                lambda a, b, li=log_input, fu=full: F.poisson_nll_loss(
                    a, b.detach(), log_input=li, full=fu, reduction="none"
                ),
                x,
                y,
            )
            pairs += [(page_poisson(x, y, log_input, full), value)]
            pairs += [(page_poisson_grad(x, y, log_input), gx)]
    return pairs


def case_gaussian():
    x, y = RNG.normal(size=25), RNG.normal(size=25)
    var = RNG.random(25) * 2 + 0.05
    value, (gx, _, gv) = torch_value_and_grads(
        lambda a, b, v: F.gaussian_nll_loss(a, b.detach(), v, reduction="none"), x, y, var
    )
    px, pv = page_gaussian_grads(x, y, var)
    return [(page_gaussian(x, y, var), value), (px, gx), (pv, gv)]


def case_multimargin():
    x, y = RNG.normal(size=(6, 5)), RNG.integers(0, 5, 6)
    w = RNG.random(5) + 0.5
    pairs = []
    for p in (1, 2):
        xt = t(x, grad=True)
        out = F.multi_margin_loss(
            xt, torch.tensor(y), p=p, margin=0.7, weight=t(w), reduction="none"
        )
        out.sum().backward()
        pairs += [(page_multimargin(x, y, p, 0.7, w), out.detach().numpy())]
        pairs += [(page_multimargin_grad(x, y, p, 0.7, w), xt.grad.numpy())]
    return pairs


def case_multilabel_margin():
    x = RNG.normal(size=(4, 5))
    targets = np.array([[3, 0, -1, 1, 2], [1, -1, 0, 0, 0], [0, 1, 2, 3, 4], [-1, 2, 2, 2, 2]])
    value = F.multilabel_margin_loss(t(x), torch.tensor(targets), reduction="none")
    return [(page_multilabel_margin(x, targets), value.numpy())]


def case_soft_margin():
    x, y = RNG.normal(size=15) * 3, RNG.choice([-1.0, 1.0], 15)
    _, (gx, _) = torch_value_and_grads(
        lambda a, b: F.soft_margin_loss(a, b.detach(), reduction="none"), x, y
    )
    return [(page_soft_margin_grad(x, y), gx)]


def case_multilabel_soft_margin():
    x, y = RNG.normal(size=(5, 4)) * 3, RNG.integers(0, 2, (5, 4)).astype(float)
    w = RNG.random(4) + 0.5
    value = F.multilabel_soft_margin_loss(t(x), t(y), weight=t(w), reduction="none")
    return [(page_multilabel_soft_margin(x, y, w), value.numpy())]


def case_triplet():
    a, p, n = (RNG.normal(size=(8, 3)) for _ in range(3))
    pairs = []
    for norm in (1.0, 2.0, 3.0):
        value = F.triplet_margin_loss(t(a), t(p), t(n), margin=0.5, p=norm, reduction="none")
        pairs.append((page_triplet(a, p, n, 0.5, norm), value.numpy()))
    return pairs


def case_hinge_embedding():
    x, y = RNG.random(12) * 2, RNG.choice([-1.0, 1.0], 12)
    value = F.hinge_embedding_loss(t(x), t(y), margin=1.2, reduction="none")
    return [(page_hinge_embedding(x, y, 1.2), value.numpy())]


def case_cosine_embedding():
    x1, x2 = RNG.normal(size=(7, 4)), RNG.normal(size=(7, 4))
    x2[0] = 0.0  # a zero vector: cosine 0 thanks to the eps, not NaN
    y = RNG.choice([-1.0, 1.0], 7)
    value = F.cosine_embedding_loss(t(x1), t(x2), t(y), margin=-0.2, reduction="none")
    return [(page_cosine_embedding(x1, x2, y, -0.2), value.numpy())]


def case_smooth_l1():
    x, y = RNG.normal(size=20) * 2, RNG.normal(size=20)
    _, (gx, _) = torch_value_and_grads(
        lambda a, b: F.smooth_l1_loss(a, b.detach(), beta=0.7, reduction="none"), x, y
    )
    return [(page_smooth_l1_grad(x, y, 0.7), gx)]


def case_kl():
    logq = np.log(RNG.dirichlet(np.ones(6), size=3))
    p = RNG.dirichlet(np.ones(6), size=3)
    _, (gx, _) = torch_value_and_grads(
        lambda a, b: F.kl_div(a, b.detach(), reduction="none"), logq, p
    )
    return [(page_kl_grad(p), gx)]


CASES = {
    "loss-bce-logits": case_bce_logits,
    "loss-poisson": case_poisson,
    "loss-gaussian": case_gaussian,
    "loss-multimargin": case_multimargin,
    "loss-multilabel-margin": case_multilabel_margin,
    "loss-softmargin-grad": case_soft_margin,
    "loss-multilabel-softmargin": case_multilabel_soft_margin,
    "loss-triplet": case_triplet,
    "loss-hingeembedding": case_hinge_embedding,
    "loss-cosineembedding": case_cosine_embedding,
    "loss-smooth-l1-grad": case_smooth_l1,
    "loss-kl-grad": case_kl,
}


@pytest.mark.parametrize("label", sorted(CASES))
def test_page_formula_matches_torch(label):
    assert re.search(rf"^\$\$ \({re.escape(label)}\)$", page_text(), re.M), (
        f"equation ({label}) is no longer on the page"
    )
    for i, (ours, theirs) in enumerate(CASES[label]()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12, err_msg=f"{label}[{i}]")
