"""The activations chapter's definitions and derivatives, transcribed from the page, reproduce
``torch.nn.functional`` and its autograd.

Each entry pairs an equation label of ``chapters/03_activations/*.md`` (checked to be on
the page) with the page's formula for the function or its derivative, written from the page,
not from ``solutions/``, and the torch function it must agree with (values, or autograd
gradients for an upstream gradient ``g``), in float64.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

#: The chapter's pages (it is split into sections: index.md, then one page per section).
PAGES = sorted((Path(__file__).resolve().parents[2] / "chapters" / "03_activations").glob("*.md"))


def page_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in PAGES)


X = np.concatenate([np.linspace(-6, 6, 121), [-30.0, 25.0, 0.37, -0.37]])
X = X[X != 0]  # the kinks' conventions are stated in the text, not in these formulas
G = np.random.default_rng(0).normal(size=X.shape)
ALPHA_SELU, SCALE_SELU = 1.6732632423543772, 1.0507009873554805


def sig(x):
    return 1 / (1 + np.exp(-x))


def phi(x):
    return np.exp(-(x**2) / 2) / math.sqrt(2 * math.pi)


def Phi(x):
    return 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def torch_grad(fn, x, g):
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    fn(xt).backward(torch.tensor(g, dtype=torch.float64))
    return xt.grad.numpy()


def torch_value(fn, x):
    return fn(torch.tensor(x, dtype=torch.float64)).numpy()


U_TANH = lambda x: math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)  # noqa: E731

# label -> (page formula of x, torch function, "value" or "grad")
CASES = {
    "act-sigmoid-stable": (
        lambda x: np.where(
            x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x)))
        ),
        torch.sigmoid,
        "value",
    ),
    "act-sigmoid-grad": (lambda x: G * sig(x) * (1 - sig(x)), torch.sigmoid, "grad"),
    "act-tanh-grad": (lambda x: G * (1 - np.tanh(x) ** 2), torch.tanh, "grad"),
    "act-leaky-grad": (
        lambda x: np.where(x > 0, G, 0.1 * G),
        lambda t: F.leaky_relu(t, 0.1),
        "grad",
    ),
    "act-elu-grad": (
        lambda x: np.where(x > 0, G, G * 0.7 * np.exp(x)),
        lambda t: F.elu(t, alpha=0.7),
        "grad",
    ),
    "act-selu": (
        lambda x: SCALE_SELU * np.where(x > 0, x, ALPHA_SELU * (np.exp(x) - 1)),
        F.selu,
        "value",
    ),
    "act-selu-grad": (
        lambda x: np.where(x > 0, SCALE_SELU * G, SCALE_SELU * ALPHA_SELU * np.exp(x) * G),
        F.selu,
        "grad",
    ),
    "act-celu": (
        lambda x: np.maximum(0, x) + np.minimum(0, 0.5 * (np.exp(x / 0.5) - 1)),
        lambda t: F.celu(t, alpha=0.5),
        "value",
    ),
    "act-celu-grad": (
        lambda x: np.where(x > 0, G, G * np.exp(x / 0.5)),
        lambda t: F.celu(t, alpha=0.5),
        "grad",
    ),
    "act-softplus": (
        lambda x: np.where(2 * x <= 5, np.log1p(np.exp(2 * x)) / 2, x),
        lambda t: F.softplus(t, beta=2.0, threshold=5.0),
        "value",
    ),
    "act-softplus-grad": (
        lambda x: np.where(2 * x <= 5, G * sig(2 * x), G),
        lambda t: F.softplus(t, beta=2.0, threshold=5.0),
        "grad",
    ),
    "act-gelu-both": (
        lambda x: x / 2 * (1 + np.tanh(U_TANH(x))),
        lambda t: F.gelu(t, approximate="tanh"),
        "value",
    ),
    "act-gelu-grad-both": (
        lambda x: (
            G
            * (
                0.5 * (1 + np.tanh(U_TANH(x)))
                + x
                / 2
                * (1 - np.tanh(U_TANH(x)) ** 2)
                * math.sqrt(2 / math.pi)
                * (1 + 3 * 0.044715 * x**2)
            )
        ),
        lambda t: F.gelu(t, approximate="tanh"),
        "grad",
    ),
    "act-gelu-deriv": (lambda x: G * (Phi(x) + x * phi(x)), F.gelu, "grad"),
    "act-silu-grad": (lambda x: G * sig(x) * (1 + x * (1 - sig(x))), F.silu, "grad"),
    "act-mish-grad": (
        lambda x: (
            G
            * (np.tanh(np.log1p(np.exp(x))) + x * (1 - np.tanh(np.log1p(np.exp(x))) ** 2) * sig(x))
        ),
        F.mish,
        "grad",
    ),
}


@pytest.mark.parametrize("label", sorted(CASES))
def test_page_formula_matches_torch(label):
    assert re.search(rf"^\$\$ \({re.escape(label)}\)$", page_text(), re.M)
    formula, fn, kind = CASES[label]
    expected = torch_value(fn, X) if kind == "value" else torch_grad(fn, X, G)
    np.testing.assert_allclose(formula(X), expected, rtol=1e-9, atol=1e-12, err_msg=label)


def test_glu_and_softmax_backward_formulas():
    rng = np.random.default_rng(1)
    x, g = rng.normal(size=(3, 8)), rng.normal(size=(3, 4))
    a, b = x[:, :4], x[:, 4:]
    # (act-glu-grad): dL/da = g sigma(b), dL/db = g a sigma(b)(1 - sigma(b)), concatenated
    page = np.concatenate([g * sig(b), g * a * sig(b) * (1 - sig(b))], axis=1)
    np.testing.assert_allclose(page, torch_grad(lambda t: F.glu(t, dim=-1), x, g), rtol=1e-10)
    # (act-softmax-grad) and (act-logsoftmax-grad) with a temperature T
    T, g5 = 2.5, rng.normal(size=(3, 8))
    s = np.exp(x / T) / np.exp(x / T).sum(1, keepdims=True)
    page_softmax = s * (g5 - (g5 * s).sum(1, keepdims=True)) / T
    page_log_softmax = (g5 - s * g5.sum(1, keepdims=True)) / T
    np.testing.assert_allclose(
        page_softmax, torch_grad(lambda t: F.softmax(t / T, dim=1), x, g5), rtol=1e-10
    )
    np.testing.assert_allclose(
        page_log_softmax, torch_grad(lambda t: F.log_softmax(t / T, dim=1), x, g5), rtol=1e-10
    )
    text = page_text()
    for label in ("act-glu-grad", "act-softmax-grad", "act-logsoftmax-grad"):
        assert f"$$ ({label})" in text
