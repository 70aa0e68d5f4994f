"""The optimizers chapter's algorithm boxes and schedule formulas, transcribed line by line,
reproduce ``torch.optim`` and ``torch.optim.lr_scheduler``.

Each ``*_box`` below is a transcription of one ``{prf:algorithm}`` of
``chapters/05_optimizers/*.md`` (same symbols, same order, first-step conventions
included), written from the page, not from ``solutions/``. They are run next to the torch
optimizer with the same hyperparameters on the same gradient sequence; a formula on the page
that disagrees with torch fails here. The closed forms of the schedules (the section
"Learning-rate schedules") are checked the same way against torch's recursive schedulers over
30 steps. The chapter must still contain each box and each schedule's anchor, so a formula
cannot be deleted while its transcription keeps passing.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

#: The chapter's pages (it is split into sections: index.md, then one page per section).
PAGES = sorted((Path(__file__).resolve().parents[2] / "chapters" / "05_optimizers").glob("*.md"))


def page_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in PAGES)


STEPS = 12


def gradients(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    # a sign flip now and then (Rprop, AMSGrad), and a zero entry (Rprop's third branch)
    grads = [rng.standard_normal(4) * rng.choice([0.1, 1.0, 5.0]) for _ in range(STEPS)]
    grads[3][2] = 0.0
    return grads


@pytest.fixture(autouse=True)
def float64_scalars():
    """torch keeps optimizer scalars (NAdam's mu_product, ASGD's eta and mu) in the default
    dtype: float64 here, so that the comparison is exact to rounding."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def torch_run(cls, theta0: np.ndarray, grads, **options) -> np.ndarray:
    p = torch.nn.Parameter(torch.tensor(theta0, dtype=torch.float64))
    opt = cls([p], **options)
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    return p.detach().numpy()


def sgd_box(theta, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    b = None
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * theta
        if momentum == 0:
            d = g
        else:
            b = g.copy() if t == 1 else momentum * b + (1 - dampening) * g
            d = g + momentum * b if nesterov else b
        theta = theta - lr * d
    return theta


def adagrad_box(theta, grads, lr, lr_decay=0.0, weight_decay=0.0, G0=0.0, eps=1e-10):
    G = np.full_like(theta, G0)
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * theta
        lr_t = lr / (1 + (t - 1) * lr_decay)
        G = G + g**2
        theta = theta - lr_t * g / (np.sqrt(G) + eps)
    return theta


def rmsprop_box(theta, grads, lr, alpha, eps, weight_decay=0.0, momentum=0.0, centered=False):
    v, gbar, b = np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)
    for g in grads:
        g = g + weight_decay * theta
        v = alpha * v + (1 - alpha) * g**2
        if centered:
            gbar = alpha * gbar + (1 - alpha) * g
            v_tilde = v - gbar**2
        else:
            v_tilde = v
        if momentum > 0:
            b = momentum * b + g / (np.sqrt(v_tilde) + eps)
            theta = theta - lr * b
        else:
            theta = theta - lr * g / (np.sqrt(v_tilde) + eps)
    return theta


def adadelta_box(theta, grads, lr, rho, eps, weight_decay=0.0):
    v, u = np.zeros_like(theta), np.zeros_like(theta)
    for g in grads:
        g = g + weight_decay * theta
        v = rho * v + (1 - rho) * g**2
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta**2
        theta = theta - lr * delta
    return theta


def adam_box(theta, grads, lr, betas, eps, weight_decay=0.0, amsgrad=False, adamw=False):
    b1, b2 = betas
    m, v, vmax = np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        if adamw:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        if amsgrad:
            vmax = np.maximum(vmax, v)
            v_hat = vmax / (1 - b2**t)
        else:
            v_hat = v / (1 - b2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta


def adamax_box(theta, grads, lr, betas, eps, weight_decay=0.0):
    b1, b2 = betas
    m, u = np.zeros_like(theta), np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g) + eps)
        theta = theta - lr / (1 - b1**t) * m / u
    return theta


def nadam_box(theta, grads, lr, betas, eps, weight_decay=0.0, psi=4e-3):
    b1, b2 = betas
    m, v, pi = np.zeros_like(theta), np.zeros_like(theta), 1.0
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * theta
        mu_t = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        pi = pi * mu_t
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        d = np.sqrt(v / (1 - b2**t)) + eps
        theta = (
            theta - lr * (1 - mu_t) / (1 - pi) * g / d - lr * mu_next / (1 - pi * mu_next) * m / d
        )
    return theta


def radam_box(theta, grads, lr, betas, eps, weight_decay=0.0):
    b1, b2 = betas
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    rho_inf = 2 / (1 - b2) - 1
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho > 5:
            r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            lt = math.sqrt(1 - b2**t) / (np.sqrt(v) + eps)
            theta = theta - lr * m_hat * r * lt
        else:
            theta = theta - lr * m_hat
    return theta


def asgd_box(theta, grads, lr, lambd, alpha, t0, weight_decay=0.0, averaged=False):
    eta, mu, theta_bar = lr, 1.0, np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * theta
        theta = theta * (1 - lambd * eta) - eta * g
        theta_bar = theta_bar + mu * (theta - theta_bar) if mu != 1 else theta.copy()
        eta = lr / (1 + lambd * lr * t) ** alpha
        mu = 1 / max(1, t - t0)
    return theta_bar if averaged else theta


def rprop_box(theta, grads, lr, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0)):
    eta_minus, eta_plus = etas
    step = np.full_like(theta, lr)
    prev = np.zeros_like(theta)
    for g in grads:
        g = g.copy()
        s = np.sign(g * prev)
        c = np.where(s > 0, eta_plus, np.where(s < 0, eta_minus, 1.0))
        step = np.clip(step * c, *step_sizes)
        g[s < 0] = 0
        theta = theta - step * np.sign(g)
        prev = g
    return theta


CASES = {
    "alg-sgd": [
        (sgd_box, torch.optim.SGD, dict(lr=0.05)),
        (sgd_box, torch.optim.SGD, dict(lr=0.05, momentum=0.9, dampening=0.3)),
        (sgd_box, torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ],
    "alg-adagrad": [
        (adagrad_box, torch.optim.Adagrad, dict(lr=0.1, lr_decay=0.05, weight_decay=0.1)),
    ],
    "alg-rmsprop": [
        (rmsprop_box, torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, eps=1e-8)),
        (
            rmsprop_box,
            torch.optim.RMSprop,
            dict(lr=0.01, alpha=0.9, eps=1e-8, momentum=0.8, centered=True, weight_decay=0.1),
        ),
    ],
    "alg-adadelta": [
        (adadelta_box, torch.optim.Adadelta, dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.1)),
    ],
    "alg-adam": [
        (adam_box, torch.optim.Adam, dict(lr=0.01, betas=(0.9, 0.999), eps=1e-2)),
        (
            adam_box,
            torch.optim.Adam,
            dict(lr=0.01, betas=(0.8, 0.99), eps=1e-8, weight_decay=0.1, amsgrad=True),
        ),
    ],
    "alg-adamw": [
        (
            lambda theta, grads, **o: adam_box(theta, grads, adamw=True, **o),
            torch.optim.AdamW,
            dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.5, amsgrad=True),
        ),
    ],
    "alg-adamax": [
        (adamax_box, torch.optim.Adamax, dict(lr=0.01, betas=(0.9, 0.999), eps=1e-2)),
    ],
    "alg-nadam": [
        (nadam_box, torch.optim.NAdam, dict(lr=0.01, betas=(0.9, 0.999), eps=1e-2)),
    ],
    "alg-radam": [
        (radam_box, torch.optim.RAdam, dict(lr=0.01, betas=(0.9, 0.999), eps=1e-2)),
    ],
    "alg-asgd": [
        (asgd_box, torch.optim.ASGD, dict(lr=0.05, lambd=0.01, alpha=0.75, t0=5.0)),
    ],
    "alg-rprop": [
        (rprop_box, torch.optim.Rprop, dict(lr=0.05, etas=(0.5, 1.2), step_sizes=(1e-3, 0.2))),
    ],
}


def rename(options: dict) -> dict:
    """The boxes' names for the two options whose torch names are keywords elsewhere."""
    return {("G0" if k == "initial_accumulator_value" else k): v for k, v in options.items()}


@pytest.mark.parametrize(
    ("label", "case"),
    [(label, case) for label, cases in CASES.items() for case in cases],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_algorithm_box_matches_torch(label, case):
    box, torch_cls, options = case
    theta0 = np.array([0.5, -1.5, 2.0, 0.1])
    grads = gradients()
    expected = torch_run(torch_cls, theta0, grads, **options)
    got = box(theta0.copy(), grads, **rename(options))
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12, err_msg=label)


def test_asgd_box_average_matches_torch():
    theta0, grads = np.array([0.5, -1.5, 2.0, 0.1]), gradients(1)
    options = dict(lr=0.05, lambd=0.01, alpha=0.75, t0=5.0, weight_decay=0.1)
    p = torch.nn.Parameter(torch.tensor(theta0, dtype=torch.float64))
    opt = torch.optim.ASGD([p], **options)
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    expected = opt.state[p]["ax"].numpy()
    got = asgd_box(theta0.copy(), grads, averaged=True, **options)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_every_box_is_on_the_page():
    labels = set(re.findall(r"^:label: (alg-[a-z]+)$", page_text(), re.M))
    assert labels == set(CASES), sorted(labels ^ set(CASES))


# --------------------------------------------------------------------------------------------
# The schedules: the closed forms of the "Learning-rate schedules" section against torch
# --------------------------------------------------------------------------------------------


def torch_lrs(make, steps: int, lr: float = 0.1) -> np.ndarray:
    """The lr used by each of ``steps`` optimizer steps (t = 0, 1, ...) under torch."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr, momentum=0.9)
    scheduler, lrs = make(opt), []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return np.array(lrs)


def multistep_formula(t, eta0, milestones, gamma):
    return eta0 * gamma ** sum(m <= t for m in milestones)


def linear_formula(t, eta0, s, e, T):
    return eta0 * (s + (e - s) * min(t, T) / T)


def cosine_formula(t, eta0, T_max, eta_min):
    return eta_min + 0.5 * (eta0 - eta_min) * (1 + math.cos(math.pi * t / T_max))


def sgdr_formula(t, eta0, T_0, T_mult, eta_min):
    if T_mult == 1:
        k, t_cur = t // T_0, t % T_0
    else:
        k = int(math.log(1 + t * (T_mult - 1) / T_0, T_mult))
        t_cur = t - T_0 * (T_mult**k - 1) / (T_mult - 1)
    T_i = T_0 * T_mult**k
    return eta_min + 0.5 * (eta0 - eta_min) * (1 + math.cos(math.pi * t_cur / T_i))


def cyclic_formula(t, base, top, up, down, mode="triangular", gamma=1.0):
    c = math.floor(1 + t / (up + down))
    x = 1 + t / (up + down) - c
    r = up / (up + down)
    h = x / r if x <= r else (x - 1) / (r - 1)
    scale = {"triangular": 1.0, "triangular2": 2.0 ** (1 - c), "exp_range": gamma**t}[mode]
    return base + (top - base) * h * scale


def onecycle_formula(t, top, T, p=0.3, div=25.0, final_div=1e4):
    init = top / div
    low = init / final_div
    end1 = p * T - 1
    if t <= end1:
        a, b, q = init, top, t / end1
    else:
        a, b, q = top, low, (t - end1) / (T - 1 - end1)
    return b + 0.5 * (a - b) * (1 + math.cos(math.pi * q))


SCHEDULES = {
    "def-lr-scheduler-multisteplr": (
        lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [3, 7, 7, 12], gamma=0.5),
        lambda t: multistep_formula(t, 0.1, [3, 7, 7, 12], 0.5),
    ),
    "def-lr-scheduler-exponentiallr": (
        lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
        lambda t: 0.1 * 0.9**t,
    ),
    "def-lr-scheduler-linearlr": (
        lambda o: torch.optim.lr_scheduler.LinearLR(
            o, start_factor=0.2, end_factor=0.9, total_iters=7
        ),
        lambda t: linear_formula(t, 0.1, 0.2, 0.9, 7),
    ),
    "def-lr-scheduler-cosineannealinglr": (
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=0.01),
        lambda t: cosine_formula(t, 0.1, 8, 0.01),
    ),
    "def-lr-scheduler-cosineannealingwarmrestarts": (
        lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
            o, T_0=3, T_mult=2, eta_min=0.01
        ),
        lambda t: sgdr_formula(t, 0.1, 3, 2, 0.01),
    ),
    "def-lr-scheduler-cycliclr": (
        lambda o: torch.optim.lr_scheduler.CyclicLR(
            o, base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5, mode="triangular2"
        ),
        lambda t: cyclic_formula(t, 0.01, 0.1, 3, 5, "triangular2"),
    ),
    "def-lr-scheduler-onecyclelr": (
        lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=30),
        lambda t: onecycle_formula(t, 0.1, 30),
    ),
}


@pytest.mark.parametrize("anchor", sorted(SCHEDULES))
def test_schedule_formula_matches_torch(anchor):
    make, formula = SCHEDULES[anchor]
    steps = 30
    expected = torch_lrs(make, steps)
    got = np.array([formula(t) for t in range(steps)])
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12, err_msg=anchor)
    assert f"({anchor})=" in page_text()
