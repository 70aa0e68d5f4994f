r"""Regularization: penalties, weight decay, dropout, clipping, early stopping, label
smoothing, class imbalance and adversarial perturbations.

Conventions (shared with torch):

* The L2 penalty is :math:`\tfrac12\lambda\lVert w\rVert_2^2`, whose gradient :math:`\lambda w`
  is exactly what ``torch.optim.SGD(weight_decay=λ)`` adds to the gradient.
* Dropout's ``p`` is the probability of *dropping* a unit (inverted dropout, scale
  :math:`1/(1-p)` in training, identity in evaluation).
* Adversarial perturbations use the gradient of the loss with respect to the *input*.

Randomness comes from a ``generator`` argument: anything :func:`numpy.random.default_rng`
accepts (``None``, an int seed or a :class:`numpy.random.Generator`).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

import numpy as np

from solutions._checks import (
    as_float_array,
    check_choice,
    check_nonnegative,
    check_probability,
    check_same_shape,
)
from solutions.optim import Adam, AdamW

__worked_examples__ = ["l2_penalty", "l2_penalty_backward", "fgsm", "adam_l2_vs_adamw"]

#: Added to the total norm before dividing, as ``torch.nn.utils.clip_grad_norm_`` does.
CLIP_NORM_EPS = 1e-6


# --------------------------------------------------------------------------------------
# L1 / L2 penalties
# --------------------------------------------------------------------------------------


def _as_param_list(params, name: str = "params") -> tuple[list[np.ndarray], bool]:
    """A list of float arrays and whether a single array (not a list) was given."""
    if isinstance(params, (list, tuple)):
        if not params:
            raise ValueError(f"{name} must be a non-empty array or list of arrays; got []")
        return [as_float_array(p, f"{name}[{i}]") for i, p in enumerate(params)], False
    return [as_float_array(params, name)], True


def _penalty_dtype(arrays: list[np.ndarray]):
    return np.result_type(*arrays)


def l1_penalty(params, lam: float) -> np.ndarray:
    r"""L1 (lasso) penalty of one array or a list of arrays.

    .. math:: \Omega(w) = \lambda \sum_j |w_j|

    Minus the log of a Laplace prior :math:`p(w_j) = \frac{1}{2b}e^{-|w_j|/b}` is
    :math:`|w_j|/b + \ln 2b`, so :math:`\lambda = 1/b` (the :math:`\frac{1}{2b}` is the
    normaliser and only adds a constant).

    Args:
        params: an array or a list of arrays (all entries are penalised).
        lam: :math:`\lambda \ge 0`.

    Returns:
        The penalty as a number: the reference returns a 0-d array in the parameters' dtype;
        graded by value (a Python float, numpy scalar or 0-d array), with the tolerance of
        that dtype.

    Example:
        >>> float(l1_penalty([np.array([1.0, -2.0]), np.array([0.5])], 0.5))
        1.75
    """
    arrays, _ = _as_param_list(params)
    check_nonnegative(lam, "lam")
    dtype = _penalty_dtype(arrays)
    return np.asarray(lam * sum(np.abs(w).sum() for w in arrays), dtype=dtype)


def l1_penalty_backward(grad_output, params, lam: float):
    r"""Gradient of :func:`l1_penalty`: :math:`\lambda\,\mathrm{sign}(w)` (0 at :math:`w=0`,
    the subgradient torch's ``abs`` uses).

    Returns an array if ``params`` is an array, else a list in the same order.
    """
    arrays, single = _as_param_list(params)
    check_nonnegative(lam, "lam")
    scale = np.asarray(grad_output) * lam
    grads = [np.multiply(scale, np.sign(w), dtype=w.dtype) for w in arrays]
    return grads[0] if single else grads


def l2_penalty(params, lam: float) -> np.ndarray:
    r"""L2 (ridge, weight-decay) penalty with the :math:`\tfrac12` convention.

    .. math:: \Omega(w) = \frac{\lambda}{2} \sum_j w_j^2,
        \qquad \nabla_w \Omega = \lambda w

    The :math:`\tfrac12` makes the gradient :math:`\lambda w`, which is precisely the term
    ``torch.optim.SGD(..., weight_decay=λ)`` adds to each gradient, so "L2 penalty λ" and
    "SGD weight decay λ" are the same algorithm (for plain SGD; not for Adam, see
    :func:`adam_l2_vs_adamw`). It is minus the log of a Gaussian prior
    :math:`\mathcal N(0, \sigma^2)` with :math:`\lambda = 1/\sigma^2`.

    Args:
        params: an array or a list of arrays.
        lam: :math:`\lambda \ge 0`.

    Example:
        >>> float(l2_penalty(np.array([3.0, 4.0]), 0.1))
        1.25
    """
    arrays, _ = _as_param_list(params)
    check_nonnegative(lam, "lam")
    dtype = _penalty_dtype(arrays)
    return np.asarray(0.5 * lam * sum(np.square(w).sum() for w in arrays), dtype=dtype)


def l2_penalty_backward(grad_output, params, lam: float):
    r"""Gradient of :func:`l2_penalty`: :math:`\lambda w` per array (same structure as
    ``params``)."""
    arrays, single = _as_param_list(params)
    check_nonnegative(lam, "lam")
    scale = np.asarray(grad_output) * lam
    grads = [np.multiply(scale, w, dtype=w.dtype) for w in arrays]
    return grads[0] if single else grads


# --------------------------------------------------------------------------------------
# Lasso vs ridge: sparsity vs smoothness
# --------------------------------------------------------------------------------------


def soft_threshold(x, threshold: float) -> np.ndarray:
    r"""Proximal operator of :math:`t\lVert\cdot\rVert_1`.

    .. math:: \mathrm{prox}_{t|\cdot|}(x) = \mathrm{sign}(x)\,\max(|x| - t, 0)

    Example:
        >>> soft_threshold(np.array([-3.0, 0.5, 2.0]), 1.0)
        array([-2.,  0.,  1.])
    """
    x = as_float_array(x, "x")
    check_nonnegative(threshold, "threshold")
    return np.sign(x) * np.maximum(np.abs(x) - threshold, 0)


def _check_regression_data(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(as_float_array(X, "X"), dtype=np.float64)
    y = np.asarray(as_float_array(y, "y"), dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_samples, n_features); got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X; got shape {y.shape}")
    return X, y


def lasso_proximal_gradient(
    X, y, lam: float, *, w0=None, max_iter: int = 100_000, tol: float = 1e-12
) -> np.ndarray:
    r"""Lasso by proximal gradient descent (ISTA).

    .. math:: \min_w \frac{1}{2n}\lVert y - Xw\rVert_2^2 + \lambda\lVert w\rVert_1,
        \qquad w \leftarrow \mathrm{prox}_{\lambda/L}\!\left(w - \tfrac1L \nabla f(w)\right)

    with :math:`L = \lambda_{\max}(X^\top X)/n` the Lipschitz constant of the smooth part
    (the objective of ``sklearn.linear_model.Lasso(alpha=λ, fit_intercept=False)``).
    Stops when no coefficient moves more than ``tol`` (times the step's scale).

    Args:
        X: (n, d) design matrix. y: (n,) targets. lam: :math:`\lambda \ge 0`.
        w0: (d,) warm start (default zeros).
    """
    X, y = _check_regression_data(X, y)
    check_nonnegative(lam, "lam")
    n = X.shape[0]
    gram, xty = X.T @ X / n, X.T @ y / n
    lipschitz = max(float(np.linalg.eigvalsh(gram)[-1]), np.finfo(float).tiny)
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=np.float64)
    for _ in range(max_iter):
        w_new = soft_threshold(w - (gram @ w - xty) / lipschitz, lam / lipschitz)
        converged = np.max(np.abs(w_new - w), initial=0.0) <= tol * max(1.0, np.abs(w).max())
        w = w_new
        if converged:
            break
    return w


def ridge_solution(X, y, lam: float) -> np.ndarray:
    r"""Ridge regression in closed form.

    .. math:: \min_w \frac{1}{2n}\lVert y - Xw\rVert_2^2 + \frac{\lambda}{2}\lVert w\rVert_2^2
        \;\Rightarrow\; \left(\tfrac1n X^\top X + \lambda I\right) w = \tfrac1n X^\top y

    (``sklearn.linear_model.Ridge(alpha=n·λ, fit_intercept=False)``).
    """
    X, y = _check_regression_data(X, y)
    check_nonnegative(lam, "lam")
    n, d = X.shape
    return np.linalg.solve(X.T @ X / n + lam * np.eye(d), X.T @ y / n)


def l1_l2_solution_path(X, y, lambdas) -> tuple[np.ndarray, np.ndarray]:
    r"""Lasso and ridge coefficients along a path of :math:`\lambda` values.

    Same data term :math:`\frac{1}{2n}\lVert y-Xw\rVert^2` for both, penalties
    :math:`\lambda\lVert w\rVert_1` (:func:`lasso_proximal_gradient`, warm-started along the
    path) and :math:`\frac\lambda2\lVert w\rVert_2^2` (:func:`ridge_solution`). The lasso path
    is piecewise linear and sets coefficients exactly to 0 one after another (all are 0 for
    :math:`\lambda \ge \lVert X^\top y\rVert_\infty/n`); the ridge path shrinks every
    coefficient smoothly and none reaches 0.

    Args:
        X: (n, d). y: (n,). lambdas: (L,) non-negative values.

    Returns:
        ``(lasso_coefs, ridge_coefs)``, each of shape (L, d).

    Example:
        >>> X = np.eye(2) * np.sqrt(2); y = np.array([2.0, 0.2]) * np.sqrt(2)
        >>> lasso, ridge = l1_l2_solution_path(X, y, [0.5])
        >>> lasso.round(6), ridge.round(6)
        (array([[1.5, 0. ]]), array([[1.333333, 0.133333]]))
    """
    X, y = _check_regression_data(X, y)
    lambdas = np.asarray(lambdas, dtype=np.float64).reshape(-1)
    if np.any(~np.isfinite(lambdas)) or np.any(lambdas < 0):
        raise ValueError(f"lambdas must be finite and >= 0; got {lambdas}")
    lasso = np.empty((lambdas.size, X.shape[1]))
    ridge = np.empty_like(lasso)
    w = None
    for i in np.argsort(-lambdas):  # from large λ (sparse) to small: good warm starts
        w = lasso_proximal_gradient(X, y, lambdas[i], w0=w)
        lasso[i] = w
        ridge[i] = ridge_solution(X, y, lambdas[i])
    return lasso, ridge


# --------------------------------------------------------------------------------------
# Adam + L2 vs AdamW
# --------------------------------------------------------------------------------------


def adam_l2_vs_adamw(
    grad_fn: Callable[[np.ndarray], np.ndarray],
    w0,
    *,
    lr: float = 1e-2,
    weight_decay: float = 1e-1,
    steps: int = 100,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Run Adam with an L2 penalty and AdamW (decoupled decay) from the same start.

    .. math::
        \text{Adam+L2: } g_t = \nabla f(w) + \lambda w,\;
            w \leftarrow w - \eta\,\hat m_t/(\sqrt{\hat v_t}+\epsilon)
        \qquad
        \text{AdamW: } w \leftarrow w - \eta\lambda w - \eta\,\hat m_t/(\sqrt{\hat v_t}+\epsilon),\;
            g_t = \nabla f(w)

    With Adam+L2 the decay :math:`\lambda w` passes through the adaptive normalisation, so
    coordinates with large gradients are barely decayed; AdamW (Loshchilov & Hutter 2019)
    decays every weight at the same relative rate :math:`\eta\lambda`. They coincide only for
    :math:`\lambda = 0`. Uses :class:`solutions.optim.Adam` (``weight_decay``) and
    :class:`solutions.optim.AdamW`, so both match ``torch.optim`` step for step.

    Args:
        grad_fn: :math:`w \mapsto \nabla f(w)` (without the penalty), same shape as ``w0``.
        w0: the starting parameters (any shape; not modified).
        lr, weight_decay, steps, betas, eps: as in ``torch.optim.Adam``/``AdamW``.

    Returns:
        ``(adam_l2, adamw)``: trajectories of shape ``(steps + 1, *w0.shape)``, row 0 = ``w0``.
    """
    # book: begin body
    w0 = np.asarray(as_float_array(w0, "w0"))
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an int >= 0; got {steps!r}")
    trajectories = []
    for optimizer_class in (Adam, AdamW):
        w = w0.copy()
        opt = optimizer_class([w], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        path = [w.copy()]
        for _ in range(steps):
            opt.step([np.asarray(grad_fn(w), dtype=w.dtype)])
            path.append(w.copy())
        trajectories.append(np.stack(path))
    return trajectories[0], trajectories[1]


# --------------------------------------------------------------------------------------
# Dropout
# --------------------------------------------------------------------------------------


def _check_dropout_p(p: float) -> None:
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout_mask(shape, p: float = 0.5, generator=None, dtype=np.float64) -> np.ndarray:
    r"""The scaled mask of inverted dropout.

    .. math:: m_j = \frac{r_j}{1-p}, \qquad r_j \sim \mathrm{Bernoulli}(1 - p)

    so :math:`\mathbb E[m_j] = 1`. ``p = 1`` gives all zeros (nothing is kept).

    Args:
        shape: the mask's shape. p: drop probability in [0, 1].
        generator: ``None``, an int seed or a ``numpy.random.Generator``.
        dtype: floating dtype of the mask.

    Example:
        >>> dropout_mask((6,), 0.5, generator=0)
        array([2., 0., 0., 0., 2., 2.])
    """
    _check_dropout_p(p)
    keep = np.random.default_rng(generator).random(shape) >= p
    if p == 1:
        return np.zeros(shape, dtype=dtype)
    return keep.astype(dtype) / np.asarray(1 - p, dtype=dtype)


def dropout(input, p: float = 0.5, training: bool = True, generator=None) -> np.ndarray:
    r"""Inverted dropout (``torch.nn.functional.dropout``).

    .. math:: y = x \odot m \text{ in training (} m \text{ from :func:`dropout_mask`)},
        \qquad y = x \text{ in evaluation}

    ``p`` is the probability of *dropping* a unit. Scaling the kept units by
    :math:`1/(1-p)` during training keeps :math:`\mathbb E[y] = x`, so nothing is rescaled
    at test time.

    The mask is drawn from ``generator``; to reproduce it (e.g. in
    :func:`dropout_backward`) pass the same int seed, or a generator in the same state
    (``copy.deepcopy`` it before the forward).

    Args:
        input: any shape. p: drop probability in [0, 1]. training: apply dropout or not.
        generator: ``None``, an int seed or a ``numpy.random.Generator``.

    Example:
        >>> dropout(np.ones(6), 0.5, generator=0)
        array([2., 0., 0., 0., 2., 2.])
        >>> dropout(np.ones(3), 0.5, training=False)
        array([1., 1., 1.])
    """
    x = as_float_array(input, "input")
    _check_dropout_p(p)
    if not training:
        return x.copy()
    return x * dropout_mask(x.shape, p, generator, dtype=x.dtype)


def dropout_backward(
    grad_output, input, p: float = 0.5, training: bool = True, generator=None
) -> np.ndarray:
    r"""Gradient of :func:`dropout`: :math:`\partial L/\partial x = g \odot m` (the same mask;
    pass the same seed or a generator in the same state as the forward)."""
    x = as_float_array(input, "input")
    _check_dropout_p(p)
    g = np.asarray(grad_output, dtype=x.dtype)
    if not training:
        return g.copy()
    return g * dropout_mask(x.shape, p, generator, dtype=x.dtype)


def multi_sample_dropout(
    input,
    head: Callable[[np.ndarray], np.ndarray],
    num_samples: int = 8,
    p: float = 0.5,
    training: bool = True,
    generator=None,
) -> np.ndarray:
    r"""Multi-sample dropout (Inoue 2019): average a head over several dropout masks.

    .. math:: y = \frac1S \sum_{s=1}^{S} \mathrm{head}(x \odot m^{(s)})

    Sharing everything before the dropout layer makes :math:`S` samples cost little more
    than one; the averaged output (and loss) has lower variance. In evaluation dropout is
    the identity, so the result is ``head(input)``.

    Args:
        input: features fed to the dropout layer. head: the layers after it.
        num_samples: :math:`S \ge 1`. p, training, generator: as in :func:`dropout`
            (one generator is advanced ``num_samples`` times).
    """
    x = as_float_array(input, "input")
    if not isinstance(num_samples, (int, np.integer)) or num_samples < 1:
        raise ValueError(f"num_samples must be an int >= 1; got {num_samples!r}")
    if not training:
        return np.asarray(head(x))
    rng = np.random.default_rng(generator)
    outputs = [np.asarray(head(dropout(x, p, True, rng))) for _ in range(num_samples)]
    return sum(outputs[1:], outputs[0]) / num_samples


# --------------------------------------------------------------------------------------
# Gradient clipping
# --------------------------------------------------------------------------------------


def _grad_list(grads) -> list[np.ndarray]:
    """The non-None gradients (torch skips parameters whose ``.grad`` is None)."""
    if isinstance(grads, np.ndarray):
        grads = [grads]
    out = []
    for i, g in enumerate(grads):
        if g is None:
            continue
        if not isinstance(g, np.ndarray) or not np.issubdtype(g.dtype, np.floating):
            raise TypeError(
                f"grads[{i}] must be a floating numpy array (modified in place); "
                f"got {type(g).__name__}"
            )
        out.append(g)
    return out


def _vector_norm(x: np.ndarray, norm_type: float) -> np.ndarray:
    if norm_type == 2:
        return np.sqrt(np.sum(np.square(x)))
    a = np.abs(x)
    if norm_type == math.inf:
        return a.max(initial=0.0)
    if norm_type == 1:
        return a.sum()
    return np.sum(a**norm_type) ** (1.0 / norm_type)


def clip_grad_norm_(
    grads, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False
) -> np.ndarray:
    r"""Rescale gradients in place so that their total norm is at most ``max_norm``
    (``torch.nn.utils.clip_grad_norm_``).

    .. math::
        \lVert g\rVert = \Big\lVert\big(\lVert g_1\rVert_p, \dots, \lVert g_k\rVert_p\big)
        \Big\rVert_p, \qquad
        g_i \leftarrow g_i \cdot \min\!\Big(1, \frac{c}{\lVert g\rVert + 10^{-6}}\Big),
        \quad c = \text{max\_norm}

    The norm is taken over all gradients together (as if concatenated into one vector), so
    clipping preserves the direction of the full gradient.

    Args:
        grads: a float array or a list of float arrays (``None`` entries are skipped);
            modified in place.
        max_norm: the largest allowed total norm.
        norm_type: :math:`p > 0`, or ``inf`` / ``'inf'`` for the max-abs norm.
        error_if_nonfinite: raise ``RuntimeError`` if the total norm is nan or inf.

    Returns:
        The total norm *before* clipping (a 0-d array).

    Example:
        >>> g = [np.array([3.0]), np.array([4.0])]
        >>> float(clip_grad_norm_(g, 1.0)), [float(x[0].round(6)) for x in g]
        (5.0, [0.6, 0.8])
    """
    norm_type = float(norm_type)
    if not (norm_type > 0):
        raise ValueError(f"norm_type must be > 0 or inf; got {norm_type}")
    grad_list = _grad_list(grads)
    if not grad_list:
        return np.asarray(0.0)
    dtype = np.result_type(*grad_list)
    norms = np.array([_vector_norm(g, norm_type) for g in grad_list], dtype=dtype)
    total = np.asarray(_vector_norm(norms, norm_type), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    clip_coef = np.minimum(dtype.type(max_norm) / (total + dtype.type(CLIP_NORM_EPS)), 1.0)
    for g in grad_list:
        g *= clip_coef.astype(g.dtype)
    return total


def clip_grad_value_(grads, clip_value: float) -> None:
    r"""Clamp every gradient entry to :math:`[-c, c]` in place
    (``torch.nn.utils.clip_grad_value_``).

    .. math:: g_j \leftarrow \min(\max(g_j, -c), c)

    Unlike :func:`clip_grad_norm_` this changes the gradient's direction.

    Example:
        >>> g = np.array([-3.0, 0.5, 2.0]); clip_grad_value_(g, 1.0); g
        array([-1. ,  0.5,  1. ])
    """
    clip_value = float(clip_value)
    for g in _grad_list(grads):
        np.clip(g, -clip_value, clip_value, out=g)


# --------------------------------------------------------------------------------------
# Early stopping
# --------------------------------------------------------------------------------------


class EarlyStopping:
    r"""Stop when a validation metric has not improved for ``patience`` epochs.

    An epoch improves when

    .. math:: \text{metric} < \text{best} - \text{min\_delta} \;(\text{mode='min'}), \qquad
        \text{metric} > \text{best} + \text{min\_delta} \;(\text{mode='max'}).

    On improvement the metric, the epoch index and a deep copy of ``state`` are kept as
    ``best``, ``best_epoch`` and ``best_state`` (the checkpoint to restore), and the counter
    ``num_bad_epochs`` resets to 0; otherwise it grows by one. :meth:`step` returns ``True``
    once ``num_bad_epochs >= patience``. A nan metric never improves. Epochs are numbered
    from 0 by the calls to :meth:`step`. (The validation set is what early stopping is tuned
    on; the test set never is.)

    Example:
        >>> es = EarlyStopping(patience=2)
        >>> [es.step(m, state={"m": m}) for m in [3.0, 2.0, 2.5, 2.1]], es.best_epoch
        ([False, False, False, True], 1)
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0, mode: str = "min"):
        if not isinstance(patience, (int, np.integer)) or patience < 0:
            raise ValueError(f"patience must be an int >= 0; got {patience!r}")
        check_nonnegative(min_delta, "min_delta")
        check_choice(mode, "mode", ("min", "max"))
        self.patience, self.min_delta, self.mode = int(patience), float(min_delta), mode
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch: int | None = None
        self.best_state = None
        self.num_bad_epochs = 0
        self.epoch = -1
        self.should_stop = False

    def is_improvement(self, metric: float) -> bool:
        if self.mode == "min":
            return metric < self.best - self.min_delta
        return metric > self.best + self.min_delta

    def step(self, metric: float, state=None) -> bool:
        """Record one epoch's metric (and the model state); return whether to stop."""
        self.epoch += 1
        metric = float(metric)
        if self.is_improvement(metric):
            self.best, self.best_epoch = metric, self.epoch
            self.best_state = copy.deepcopy(state)
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        self.should_stop = self.num_bad_epochs >= self.patience
        return self.should_stop


# --------------------------------------------------------------------------------------
# Label smoothing
# --------------------------------------------------------------------------------------


def label_smoothing(targets, num_classes: int, epsilon: float = 0.1) -> np.ndarray:
    r"""Smoothed target distribution, as used by ``F.cross_entropy(label_smoothing=ε)``.

    .. math:: \tilde y_k = (1 - \varepsilon)\, y_k + \frac{\varepsilon}{K}

    Cross-entropy against :math:`\tilde y` equals torch's ``label_smoothing=ε`` loss.

    Args:
        targets: integer class indices of shape (N, d1, ...) or (), or float one-hot /
            probability targets with the class axis at 1 (or 0 for a single 1-D
            target), as torch's ``cross_entropy`` accepts them.
        num_classes: :math:`K \ge 1`.
        epsilon: :math:`\varepsilon \in [0, 1]`.

    Returns:
        Float probabilities with the class axis at position 1 (0 for a scalar index /
        1-D target), e.g. (N, K) for (N,) indices.

    Example:
        >>> label_smoothing(np.array([0, 2]), 3, 0.3)
        array([[0.8, 0.1, 0.1],
               [0.1, 0.1, 0.8]])
    """
    if not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"num_classes must be an int >= 1; got {num_classes!r}")
    if not 0 <= epsilon <= 1:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {epsilon}")
    t = np.asarray(targets)
    if np.issubdtype(t.dtype, np.integer):
        if t.size and (t.min() < 0 or t.max() >= num_classes):
            raise IndexError(
                f"targets must be class indices in [0, {num_classes - 1}]; "
                f"got values in [{t.min()}, {t.max()}]"
            )
        one_hot = np.eye(num_classes)[t]  # class axis last
        y = np.moveaxis(one_hot, -1, 1 if t.ndim >= 1 else 0)
    else:
        y = as_float_array(t, "targets")
        class_axis = 1 if y.ndim >= 2 else 0
        if y.ndim == 0 or y.shape[class_axis] != num_classes:
            raise ValueError(
                f"probability targets must have {num_classes} classes on axis {class_axis}; "
                f"got shape {y.shape}"
            )
    return (1 - epsilon) * y + epsilon / num_classes


# --------------------------------------------------------------------------------------
# Class imbalance: re-sampling and re-weighting
# --------------------------------------------------------------------------------------


def _check_counts(class_counts) -> np.ndarray:
    n = np.asarray(class_counts, dtype=np.float64)
    if n.ndim != 1 or n.size == 0:
        raise ValueError(f"class_counts must be a non-empty 1-D array; got shape {n.shape}")
    if np.any(~np.isfinite(n)) or np.any(n < 0):
        raise ValueError(f"class_counts must be finite and >= 0; got {n}")
    if not n.sum() > 0:
        raise ValueError("class_counts must contain at least one positive count")
    return n


def resampling_probabilities(class_counts, q: float = 1.0) -> np.ndarray:
    r"""Probability of drawing each class when re-sampling (Kang et al. 2020).

    .. math:: p_j = \frac{n_j^{\,q}}{\sum_k n_k^{\,q}}

    ``q = 1``: instance-balanced (every example equally likely, the natural frequencies);
    ``q = 0``: class-balanced (every class equally likely); ``q = 1/2``: square-root
    sampling, in between. Classes with no examples get probability 0.

    Example:
        >>> resampling_probabilities([90, 10], q=0.5)
        array([0.75, 0.25])
    """
    n = _check_counts(class_counts)
    if not np.isfinite(q) or q < 0:
        raise ValueError(f"q must be a finite number >= 0; got {q!r}")
    powered = np.where(n > 0, n ** float(q), 0.0)
    return powered / powered.sum()


def sampling_weights(labels, q: float = 1.0, num_classes: int | None = None) -> np.ndarray:
    r"""Per-example probabilities that realise :func:`resampling_probabilities`.

    .. math:: \pi_i = \frac{p_{y_i}}{n_{y_i}}, \qquad \sum_i \pi_i = 1

    (usable as ``torch.utils.data.WeightedRandomSampler`` weights).

    Args:
        labels: (N,) non-negative integer class labels. q: as in
            :func:`resampling_probabilities`. num_classes: default ``labels.max() + 1``.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be a non-empty 1-D integer array; got shape {labels.shape}, "
            f"dtype {labels.dtype}"
        )
    if labels.min() < 0:
        raise ValueError(f"labels must be >= 0; got min {labels.min()}")
    counts = np.bincount(labels, minlength=num_classes or 0)
    p_class = resampling_probabilities(counts, q)
    return p_class[labels] / counts[labels]


def resample_indices(labels, num_samples: int, q: float = 1.0, generator=None) -> np.ndarray:
    r"""Draw ``num_samples`` example indices (with replacement) so that class :math:`j` is
    drawn with probability :math:`p_j \propto n_j^q` (:func:`sampling_weights`).

    Example:
        >>> idx = resample_indices(np.array([0] * 90 + [1] * 10), 10_000, q=0.0, generator=0)
        >>> bool(abs((idx >= 90).mean() - 0.5) < 0.02)
        True
    """
    if not isinstance(num_samples, (int, np.integer)) or num_samples < 0:
        raise ValueError(f"num_samples must be an int >= 0; got {num_samples!r}")
    weights = sampling_weights(labels, q)
    return np.random.default_rng(generator).choice(weights.size, size=num_samples, p=weights)


def class_weights(class_counts, scheme: str = "inverse", beta: float = 0.999) -> np.ndarray:
    r"""Per-class loss weights for an imbalanced data set, normalised to
    :math:`\sum_j w_j = K`.

    .. math::
        \text{inverse: } w_j \propto \frac{1}{n_j}, \qquad
        \text{inverse\_sqrt: } w_j \propto \frac{1}{\sqrt{n_j}}, \qquad
        \text{effective\_number: } w_j \propto \frac{1 - \beta}{1 - \beta^{n_j}}

    Cui et al. (2019): the *effective number* of samples :math:`E_n = (1-\beta^n)/(1-\beta)`
    counts the diminishing novelty of each extra sample; :math:`\beta = 0` gives uniform
    weights, :math:`\beta \to 1` inverse frequency. The result can be passed as
    ``weight=`` to ``F.cross_entropy``.

    Args:
        class_counts: (K,) positive counts. scheme: one of the three above.
        beta: :math:`\beta \in [0, 1)` (only for ``'effective_number'``).

    Example:
        >>> class_weights([30, 10], "inverse")
        array([0.5, 1.5])
    """
    n = _check_counts(class_counts)
    check_choice(scheme, "scheme", ("inverse", "inverse_sqrt", "effective_number"))
    if np.any(n == 0):
        raise ValueError(f"class_counts must all be > 0 to weight classes; got {n}")
    if scheme == "inverse":
        w = 1.0 / n
    elif scheme == "inverse_sqrt":
        w = 1.0 / np.sqrt(n)
    else:
        check_probability(beta, "beta", closed_right=False)
        if beta == 0:
            w = np.ones_like(n)
        else:  # 1 - β^n = -expm1(n log β): accurate for β close to 1
            w = -math.expm1(math.log(beta)) / -np.expm1(n * math.log(beta))
    return w * (n.size / w.sum())


# --------------------------------------------------------------------------------------
# Adversarial perturbations
# --------------------------------------------------------------------------------------


def _clip_box(x: np.ndarray, clip_min, clip_max) -> np.ndarray:
    if clip_min is None and clip_max is None:
        return x
    return np.clip(x, clip_min, clip_max)


def _check_input_grad(x, grad) -> tuple[np.ndarray, np.ndarray]:
    x = as_float_array(x, "x")
    grad = np.asarray(as_float_array(grad, "grad"), dtype=x.dtype)
    check_same_shape(x, grad, "x", "grad")
    return x, grad


def fgsm(x, grad, epsilon: float, clip_min=None, clip_max=None) -> np.ndarray:
    r"""Fast gradient sign method (Goodfellow et al. 2015).

    .. math:: x_{\text{adv}} = \mathrm{clip}\big(x + \varepsilon\,
        \mathrm{sign}(\nabla_x L(\theta, x, y))\big)

    The gradient is with respect to the **input** :math:`x`, not the weights :math:`\theta`:
    the attack moves the example, the model is fixed. It is the steepest ascent step of the
    linearised loss inside the :math:`\ell_\infty` ball of radius :math:`\varepsilon`.

    Args:
        x: inputs (any shape). grad: :math:`\nabla_x L`, same shape.
        epsilon: :math:`\varepsilon \ge 0`. clip_min, clip_max: optional valid range of x.

    Example:
        >>> fgsm(np.array([0.5, 0.5]), np.array([2.0, -0.1]), 0.1)
        array([0.6, 0.4])
    """
    x, grad = _check_input_grad(x, grad)
    check_nonnegative(epsilon, "epsilon")
    step = np.asarray(epsilon, x.dtype) * np.sign(grad)
    return _clip_box(x + step, clip_min, clip_max)


def _per_example_l2_normalize(v: np.ndarray) -> np.ndarray:
    """v / ||v||_2 per example (axis 0 is the batch); zero rows stay zero."""
    if v.ndim == 0:
        norms = np.abs(v)
    else:
        norms = np.sqrt(np.sum(v * v, axis=tuple(range(1, v.ndim)), keepdims=True))
    return np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)


def fgm(x, grad, epsilon: float, clip_min=None, clip_max=None) -> np.ndarray:
    r"""Fast gradient method (Miyato et al. 2017): an :math:`\ell_2` step of length
    :math:`\varepsilon` per example.

    .. math:: x_{\text{adv}} = x + \varepsilon \frac{g}{\lVert g\rVert_2},
        \qquad g = \nabla_x L = -\nabla_x \log p(y \mid x)

    The sign matters: the step goes *up* the loss. Norms are per example (axis 0 is the
    batch, the norm runs over all other axes); an example with zero gradient is not moved.

    Example:
        >>> fgm(np.zeros((1, 2)), np.array([[3.0, 4.0]]), 1.0)
        array([[0.6, 0.8]])
    """
    x, grad = _check_input_grad(x, grad)
    check_nonnegative(epsilon, "epsilon")
    step = np.asarray(epsilon, x.dtype) * _per_example_l2_normalize(grad)
    return _clip_box(x + step, clip_min, clip_max)


def _project(delta: np.ndarray, epsilon: float, norm: str) -> np.ndarray:
    if norm == "inf":
        return np.clip(delta, -epsilon, epsilon)
    axes = tuple(range(1, delta.ndim))
    norms = np.sqrt(np.sum(delta * delta, axis=axes, keepdims=True)) if axes else np.abs(delta)
    scale = np.minimum(1.0, np.divide(epsilon, norms, out=np.ones_like(norms), where=norms > 0))
    return delta * scale


def _random_start(x0: np.ndarray, epsilon: float, norm: str, rng) -> np.ndarray:
    if norm == "inf":
        return rng.uniform(-epsilon, epsilon, size=x0.shape).astype(x0.dtype)
    # uniform in the l2 ball: a Gaussian direction and a radius ε U^(1/d)
    direction = _per_example_l2_normalize(rng.standard_normal(x0.shape))
    d = max(int(np.prod(x0.shape[1:])), 1)
    radius = epsilon * rng.random((x0.shape[0],) + (1,) * (x0.ndim - 1)) ** (1.0 / d)
    return (direction * radius).astype(x0.dtype)


def pgd(
    x0,
    grad_fn: Callable[[np.ndarray], np.ndarray],
    epsilon: float,
    alpha: float,
    steps: int,
    norm: str = "inf",
    random_start: bool = False,
    generator=None,
    clip_min=None,
    clip_max=None,
) -> np.ndarray:
    r"""Projected gradient descent attack (Madry et al. 2018): iterated FGSM/FGM steps,
    each projected back onto the :math:`\varepsilon`-ball around :math:`x_0` and the box.

    .. math:: x_{t+1} = \mathrm{clip}_{[a,b]}\Big(\Pi_{B_\varepsilon(x_0)}\big(x_t + \alpha\,
        s(\nabla_x L(x_t))\big)\Big),\quad
        s(g) = \mathrm{sign}(g)\ (\ell_\infty),\ \ s(g) = g/\lVert g\rVert_2\ (\ell_2)

    Projection onto the :math:`\ell_\infty` ball clips each coordinate of :math:`x - x_0` to
    :math:`[-\varepsilon, \varepsilon]`; onto the :math:`\ell_2` ball it rescales
    :math:`x - x_0` (per example) to norm at most :math:`\varepsilon`. Clipping to the box
    afterwards keeps the iterate in both sets when the box contains :math:`x_0`.

    Args:
        x0: clean inputs (batch on axis 0). grad_fn: :math:`x \mapsto \nabla_x L(x)`.
        epsilon: ball radius >= 0. alpha: step size >= 0. steps: number of steps >= 0.
        norm: ``'inf'`` or ``'2'``. random_start: start uniformly inside the ball.
        generator: for the random start. clip_min, clip_max: valid range of the inputs.

    Returns:
        The adversarial inputs, same shape and dtype as ``x0``.
    """
    x0 = as_float_array(x0, "x0")
    check_nonnegative(epsilon, "epsilon")
    check_nonnegative(alpha, "alpha")
    check_choice(str(norm), "norm", ("inf", "2"))
    norm = str(norm)
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an int >= 0; got {steps!r}")
    x = x0.copy()
    if random_start:
        x = x0 + _random_start(x0, epsilon, norm, np.random.default_rng(generator))
        x = _clip_box(x, clip_min, clip_max)
    for _ in range(steps):
        grad = np.asarray(grad_fn(x), dtype=x0.dtype)
        step = np.sign(grad) if norm == "inf" else _per_example_l2_normalize(grad)
        x = x0 + _project(x + alpha * step - x0, epsilon, norm)
        x = _clip_box(x, clip_min, clip_max).astype(x0.dtype, copy=False)
    return x
