r"""Chapter 5: optimizers.

Gradient descent in its three flavours (batch, stochastic, mini-batch) on least squares,
Newton's method, and the optimizers of ``torch.optim`` on numpy arrays: SGD (momentum,
dampening, Nesterov), Adagrad, RMSprop, Adadelta, Adam (AMSGrad), AdamW, Adamax, NAdam, RAdam,
ASGD and Rprop. They match ``torch.optim`` step for step in float64.

Each optimizer is a *pure step function* ``<name>_step(param, grad, state, *, hyper...)``
(updates ``param`` and the per-parameter ``state`` dict in place, creating the state on the
first call) under a thin stateful class that mirrors the torch API::

    opt = Adam([w, b], lr=1e-3)            # or [{"params": [w], "lr": 1e-2}, {"params": [b]}]
    opt.step([grad_w, grad_b])             # updates w and b in place
    opt.param_groups[0]["lr"]              # every hyperparameter, per group, as in torch
    opt.load_state_dict(opt.state_dict())  # {"state": {index: {...}}, "param_groups": [...]}

``opt.state`` is keyed by the parameter's position in the flattened parameter list (numpy
arrays are not hashable, so torch's ``state[param]`` becomes ``state[index]``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

__worked_examples__ = ["gd_step", "sgd_step", "newton_method"]


# --------------------------------------------------------------------------------------------
# Plain gradient descent on least squares, and Newton's method
# --------------------------------------------------------------------------------------------


def gd_step(param: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
    r"""One plain gradient-descent step, in place.

    .. math:: \theta \leftarrow \theta - \gamma\, \nabla_\theta f(\theta)

    Args:
        param: the parameters (any shape), updated in place.
        grad: :math:`\nabla_\theta f`, same shape as ``param``.
        lr: the step size :math:`\gamma \ge 0`.

    Returns:
        ``param`` (the same array).

    Example:
        >>> w = np.array([1.0, -2.0])
        >>> gd_step(w, np.array([0.5, 0.5]), lr=0.1)
        array([ 0.95, -2.05])
    """
    param -= lr * grad
    return param


def mse_loss_and_grad(
    X: np.ndarray, y: np.ndarray, weight: np.ndarray, bias: float
) -> tuple[float, np.ndarray, float]:
    r"""Mean squared error of a linear model and its gradient.

    .. math::
        L(w, b) = \frac{1}{n}\sum_{i=1}^n (x_i^\top w + b - y_i)^2, \qquad
        \nabla_w L = \frac{2}{n} X^\top r, \quad \nabla_b L = \frac{2}{n}\sum_i r_i,
        \quad r = Xw + b - y

    Args:
        X: inputs, shape ``(n, d)``.
        y: targets, shape ``(n,)``.
        weight: shape ``(d,)``.
        bias: a scalar.

    Returns:
        ``(loss, grad_weight, grad_bias)``.

    Example:
        >>> loss, gw, gb = mse_loss_and_grad(np.eye(2), np.ones(2), np.zeros(2), 0.0)
        >>> float(loss), gw.tolist(), float(gb)
        (1.0, [-1.0, -1.0], -2.0)
    """
    residual = X @ weight + bias - y
    n = len(y)
    return float(residual @ residual / n), 2.0 / n * (X.T @ residual), 2.0 / n * residual.sum()


FIT_METHODS = ("batch", "sgd", "minibatch")


def fit_linear_regression(
    X: np.ndarray,
    y: np.ndarray,
    *,
    method: str = "batch",
    lr: float = 0.1,
    epochs: int = 100,
    batch_size: int = 32,
    generator: np.random.Generator | None = None,
) -> tuple[np.ndarray, float, np.ndarray]:
    r"""Least squares by batch, stochastic or mini-batch gradient descent (from zeros).

    .. math::
        \text{each step: } (w, b) \leftarrow (w, b) - \gamma\, \nabla L_B(w, b),
        \qquad L_B = \frac{1}{|B|}\sum_{i \in B} (x_i^\top w + b - y_i)^2

    where the batch :math:`B` is the whole data set (``"batch"``: one step per epoch), one
    example (``"sgd"``: :math:`n` steps per epoch) or ``batch_size`` examples (``"minibatch"``:
    :math:`\lceil n / \text{batch\_size} \rceil` steps per epoch, the last batch may be
    smaller). The stochastic variants visit the examples in a fresh random order every epoch.

    Args:
        X: inputs, shape ``(n, d)``.
        y: targets, shape ``(n,)``.
        method: ``"batch"``, ``"sgd"`` or ``"minibatch"``.
        lr: step size (> 0).
        epochs: passes over the data (>= 1).
        batch_size: examples per step for ``"minibatch"`` (>= 1).
        generator: ``numpy.random.Generator`` for the shuffling (a fresh one if None).

    Returns:
        ``(weight, bias, losses)`` where ``losses[k]`` is the full-data MSE after epoch ``k``
        (``losses[0]`` is the loss at the zero initialisation), shape ``(epochs + 1,)``.

    Example:
        >>> X = np.array([[0.0], [1.0], [2.0]]); y = 2 * X[:, 0] + 1
        >>> w, b, losses = fit_linear_regression(X, y, lr=0.2, epochs=500)
        >>> np.round(w, 6).tolist(), round(b, 6)
        ([2.0], 1.0)
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d); got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X; got shape {y.shape}")
    if method not in FIT_METHODS:
        raise ValueError(f"method must be one of {FIT_METHODS}; got {method!r}")
    if not lr > 0:
        raise ValueError(f"lr must be > 0; got {lr!r}")
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1; got {epochs!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1; got {batch_size!r}")
    generator = np.random.default_rng() if generator is None else generator
    n = len(y)
    step_size = {"batch": n, "sgd": 1, "minibatch": batch_size}[method]
    weight, bias = np.zeros(X.shape[1]), np.zeros(())
    losses = [mse_loss_and_grad(X, y, weight, float(bias))[0]]
    for _ in range(epochs):
        order = np.arange(n) if method == "batch" else generator.permutation(n)
        for start in range(0, n, step_size):
            batch = order[start : start + step_size]
            _, grad_w, grad_b = mse_loss_and_grad(X[batch], y[batch], weight, float(bias))
            gd_step(weight, grad_w, lr)
            gd_step(bias, grad_b, lr)
        losses.append(mse_loss_and_grad(X, y, weight, float(bias))[0])
    return weight, float(bias), np.array(losses)


def newton_method(
    grad_fn: Callable[[np.ndarray], np.ndarray],
    hess_fn: Callable[[np.ndarray], np.ndarray],
    x0: np.ndarray,
    steps: int = 10,
) -> np.ndarray:
    r"""Newton's method for minimisation: jump to the minimum of the local quadratic model.

    .. math:: x_{k+1} = x_k - \big[\nabla^2 f(x_k)\big]^{-1} \nabla f(x_k)

    The linear system :math:`\nabla^2 f(x_k)\, \Delta = \nabla f(x_k)` is solved, never the
    inverse formed. On a quadratic :math:`f(x) = \tfrac12 x^\top A x - b^\top x` with :math:`A`
    positive definite one step lands exactly on the minimiser :math:`A^{-1} b`.

    Args:
        grad_fn: ``x -> gradient``, shape ``(d,)``.
        hess_fn: ``x -> Hessian``, shape ``(d, d)``.
        x0: the starting point, shape ``(d,)``.
        steps: number of Newton steps (>= 0).

    Returns:
        The iterates :math:`x_0, \dots, x_{\text{steps}}`, shape ``(steps + 1, d)``.

    Example:
        >>> A = np.array([[3.0, 1.0], [1.0, 2.0]]); b = np.array([1.0, 1.0])
        >>> xs = newton_method(lambda x: A @ x - b, lambda x: A, np.zeros(2), steps=1)
        >>> np.allclose(xs[1], np.linalg.solve(A, b))
        True
    """
    x = np.array(x0, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"x0 must have shape (d,); got shape {x.shape}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0; got {steps!r}")
    iterates = [x.copy()]
    for _ in range(steps):
        hessian = np.asarray(hess_fn(x), dtype=np.float64)
        if hessian.shape != (x.size, x.size):
            raise ValueError(f"hess_fn must return shape ({x.size}, {x.size}); got {hessian.shape}")
        x = x - np.linalg.solve(hessian, np.asarray(grad_fn(x), dtype=np.float64))
        iterates.append(x.copy())
    return np.stack(iterates)


# --------------------------------------------------------------------------------------------
# Pure step functions (one per optimizer): update ``param`` and ``state`` in place
# --------------------------------------------------------------------------------------------


def _signed_grad(grad: np.ndarray, maximize: bool) -> np.ndarray:
    return -grad if maximize else grad


def _with_l2(grad: np.ndarray, param: np.ndarray, weight_decay: float) -> np.ndarray:
    """L2 penalty folded into the gradient (a new array: the caller's gradient is untouched)."""
    return grad + weight_decay * param if weight_decay != 0 else grad


def sgd_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict,
    *,
    lr: float = 1e-3,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    maximize: bool = False,
) -> None:
    r"""One step of SGD with momentum (``torch.optim.SGD``).

    .. math::
        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ \mu \text{ (momentum)},\
            \tau \text{ (dampening)},\ \lambda \text{ (weight\_decay)},\
            \textit{nesterov},\ \textit{maximize} \\
        &g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
        &\textbf{if } \lambda \ne 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
        &\textbf{if } \mu \ne 0: \\
        &\quad \textbf{if } t = 1:\ b_t \leftarrow g_t
            \quad\text{(first step: the buffer is the gradient, no dampening)} \\
        &\quad \textbf{else}:\ b_t \leftarrow \mu b_{t-1} + (1 - \tau) g_t \\
        &\quad \textbf{if } \textit{nesterov}:\ g_t \leftarrow g_t + \mu b_t
            \quad \textbf{else}:\ g_t \leftarrow b_t \\
        &\theta_t \leftarrow \theta_{t-1} - \gamma g_t
        \end{aligned}

    This is torch's convention :math:`b = \mu b + g` (the lr multiplies the buffer), not the
    EMA form :math:`b = \mu b + (1-\mu) g`, whose steps are :math:`1/(1-\mu)` times smaller.

    Args:
        param: parameters (any shape, float), updated in place.
        grad: gradient, same shape and dtype as ``param`` (never modified).
        state: per-parameter state dict; holds ``"momentum_buffer"`` once momentum is used.
        lr, momentum, dampening, weight_decay, nesterov, maximize: as above (torch defaults).

    Example:
        >>> w, state = np.array([1.0]), {}
        >>> for _ in range(2):
        ...     sgd_step(w, np.array([1.0]), state, lr=0.1, momentum=0.9)
        >>> w  # steps 0.1 * 1, then 0.1 * (0.9 + 1)
        array([0.71])
    """
    # book: begin update
    grad = _with_l2(_signed_grad(grad, maximize), param, weight_decay)
    if momentum != 0:
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = state["momentum_buffer"] = np.array(grad, copy=True)
        else:
            buf *= momentum
            buf += (1 - dampening) * grad
        grad = grad + momentum * buf if nesterov else buf
    param -= lr * grad


def adagrad_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict,
    *,
    lr: float = 1e-2,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
    maximize: bool = False,
) -> None:
    r"""One step of Adagrad (``torch.optim.Adagrad``).

    .. math::
        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ \eta \text{ (lr\_decay)},\
            \lambda \text{ (weight\_decay)},\ \tau \text{ (initial\_accumulator\_value)},\
            \epsilon,\ \textit{maximize} \\
        &\textbf{initialize}: G_0 \leftarrow \tau \\
        &g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
        &\tilde\gamma \leftarrow \gamma / (1 + (t - 1)\eta) \\
        &\textbf{if } \lambda \ne 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
        &G_t \leftarrow G_{t-1} + g_t^2 \\
        &\theta_t \leftarrow \theta_{t-1} - \tilde\gamma\, g_t / (\sqrt{G_t} + \epsilon)
        \end{aligned}

    State: ``"step"`` (int) and ``"sum"`` (:math:`G`, same shape as ``param``).

    Example:
        >>> w, state = np.array([1.0]), {}
        >>> adagrad_step(w, np.array([2.0]), state, lr=0.1)
        >>> w, state["sum"]  # first step moves by lr * sign(g)
        (array([0.9]), array([4.]))
    """
    if not state:
        state["step"] = 0
        state["sum"] = np.full_like(param, initial_accumulator_value)
    state["step"] += 1
    grad = _with_l2(_signed_grad(grad, maximize), param, weight_decay)
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    state["sum"] += grad * grad
    std = np.sqrt(state["sum"]) + eps
    param -= clr * grad / std


def rmsprop_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict,
    *,
    lr: float = 1e-2,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
    maximize: bool = False,
) -> None:
    r"""One step of RMSprop (``torch.optim.RMSprop``).

    .. math::
        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ \alpha \text{ (alpha)},\ \epsilon,\
            \lambda \text{ (weight\_decay)},\ \mu \text{ (momentum)},\
            \textit{centered},\ \textit{maximize} \\
        &\textbf{initialize}: v_0 \leftarrow 0,\ b_0 \leftarrow 0,\ g^{ave}_0 \leftarrow 0 \\
        &g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
        &\textbf{if } \lambda \ne 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
        &v_t \leftarrow \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
        &\tilde v_t \leftarrow v_t \\
        &\textbf{if } \textit{centered}:\
            g^{ave}_t \leftarrow \alpha g^{ave}_{t-1} + (1 - \alpha) g_t,\quad
            \tilde v_t \leftarrow \tilde v_t - (g^{ave}_t)^2 \\
        &\textbf{if } \mu > 0:\
            b_t \leftarrow \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon),\quad
            \theta_t \leftarrow \theta_{t-1} - \gamma b_t \\
        &\textbf{else}:\
            \theta_t \leftarrow \theta_{t-1} - \gamma g_t / (\sqrt{\tilde v_t} + \epsilon)
        \end{aligned}

    State: ``"step"``, ``"square_avg"``, and ``"momentum_buffer"`` (momentum > 0),
    ``"grad_avg"`` (centered).

    Example:
        >>> w, state = np.array([1.0]), {}
        >>> rmsprop_step(w, np.array([1.0]), state, lr=0.01, alpha=0.75, eps=0.0)
        >>> w  # 1 - 0.01 / sqrt(0.25)
        array([0.98])
    """
    if not state:
        state["step"] = 0
        state["square_avg"] = np.zeros_like(param)
        if momentum > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if centered:
            state["grad_avg"] = np.zeros_like(param)
    state["step"] += 1
    grad = _with_l2(_signed_grad(grad, maximize), param, weight_decay)
    square_avg = state["square_avg"]
    square_avg *= alpha
    square_avg += (1 - alpha) * grad * grad
    if centered:
        grad_avg = state["grad_avg"]
        grad_avg += (1 - alpha) * (grad - grad_avg)  # = alpha a + (1 - alpha) g (lerp)
        avg = np.sqrt(square_avg - grad_avg * grad_avg)
    else:
        avg = np.sqrt(square_avg)
    avg += eps
    if momentum > 0:
        buf = state["momentum_buffer"]
        buf *= momentum
        buf += grad / avg
        param -= lr * buf
    else:
        param -= lr * grad / avg


def adadelta_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict,
    *,
    lr: float = 1.0,
    rho: float = 0.9,
    eps: float = 1e-6,
    weight_decay: float = 0.0,
    maximize: bool = False,
) -> None:
    r"""One step of Adadelta (``torch.optim.Adadelta``).

    .. math::
        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ \rho \text{ (rho)},\ \epsilon,\
            \lambda \text{ (weight\_decay)},\ \textit{maximize} \\
        &\textbf{initialize}: v_0 \leftarrow 0 \text{ (square avg)},\
            u_0 \leftarrow 0 \text{ (accumulated update)} \\
        &g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
        &\textbf{if } \lambda \ne 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
        &v_t \leftarrow \rho v_{t-1} + (1 - \rho) g_t^2 \\
        &\Delta x_t \leftarrow \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        &u_t \leftarrow \rho u_{t-1} + (1 - \rho) \Delta x_t^2 \\
        &\theta_t \leftarrow \theta_{t-1} - \gamma \Delta x_t
        \end{aligned}

    The original method has no learning rate; torch keeps ``lr`` (default 1.0) as a scale.
    State: ``"step"``, ``"square_avg"`` (:math:`v`), ``"acc_delta"`` (:math:`u`).

    Example:
        >>> w, state = np.array([1.0]), {}
        >>> adadelta_step(w, np.array([1.0]), state, rho=0.0, eps=1.0)
        >>> w  # 1 - sqrt(0 + 1) / sqrt(1 + 1)
        array([0.29289322])
    """
    if not state:
        state["step"] = 0
        state["square_avg"] = np.zeros_like(param)
        state["acc_delta"] = np.zeros_like(param)
    state["step"] += 1
    grad = _with_l2(_signed_grad(grad, maximize), param, weight_decay)
    square_avg, acc_delta = state["square_avg"], state["acc_delta"]
    square_avg *= rho
    square_avg += (1 - rho) * grad * grad
    delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
    acc_delta *= rho
    acc_delta += (1 - rho) * delta * delta
    param -= lr * delta


def adam_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict,
    *,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    maximize: bool = False,
    decoupled_weight_decay: bool = False,
) -> None:
    r"""One step of Adam (``torch.optim.Adam``); AMSGrad and decoupled decay as options.

    .. math::
        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \epsilon,\
            \lambda \text{ (weight\_decay)},\ \textit{amsgrad},\ \textit{maximize},\
            \textit{decoupled\_weight\_decay} \\
        &\textbf{initialize}: m_0 \leftarrow 0,\ v_0 \leftarrow 0,\ v^{max}_0 \leftarrow 0 \\
        &g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
        &\textbf{if } \lambda \ne 0: \\
        &\quad \textbf{if } \textit{decoupled\_weight\_decay}:\
            \theta_{t-1} \leftarrow \theta_{t-1}(1 - \gamma\lambda)
            \quad \textbf{else}:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
        &m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        &v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        &\hat m_t \leftarrow m_t / (1 - \beta_1^t) \\
        &\textbf{if } \textit{amsgrad}:\ v^{max}_t \leftarrow \max(v^{max}_{t-1}, v_t),\quad
            \hat v_t \leftarrow v^{max}_t / (1 - \beta_2^t) \\
        &\textbf{else}:\ \hat v_t \leftarrow v_t / (1 - \beta_2^t) \\
        &\theta_t \leftarrow \theta_{t-1} - \gamma \hat m_t / (\sqrt{\hat v_t} + \epsilon)
        \end{aligned}

    The state keeps the *uncorrected* moments :math:`m, v`; the bias corrections are local
    (overwriting the state with :math:`\hat m` would correct again at every step), and
    :math:`\epsilon` is added outside the square root.
    State: ``"step"``, ``"exp_avg"`` (:math:`m`), ``"exp_avg_sq"`` (:math:`v`),
    ``"max_exp_avg_sq"`` (amsgrad).

    Example:
        >>> w, state = np.array([1.0]), {}
        >>> adam_step(w, np.array([5.0]), state, lr=0.1, eps=0.0)
        >>> w  # the first Adam step is lr * sign(g)
        array([0.9])
    """
    beta1, beta2 = betas
    if not state:
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(param)
        state["exp_avg_sq"] = np.zeros_like(param)
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
    state["step"] += 1
    step = state["step"]
    grad = _signed_grad(grad, maximize)
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            grad = grad + weight_decay * param
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    exp_avg += (1 - beta1) * (grad - exp_avg)  # = beta1 m + (1 - beta1) g, as torch's lerp
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * grad * grad
    bias_correction1 = 1 - beta1**step
    bias_correction2_sqrt = (1 - beta2**step) ** 0.5
    if amsgrad:
        np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
        exp_avg_sq = state["max_exp_avg_sq"]
    denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
    param -= (lr / bias_correction1) * exp_avg / denom


def adamw_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict,
    *,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
    amsgrad: bool = False,
    maximize: bool = False,
) -> None:
    r"""One step of AdamW (``torch.optim.AdamW``): Adam with decoupled weight decay.

    .. math::
        \begin{aligned}
        &\theta_{t-1} \leftarrow \theta_{t-1} (1 - \gamma \lambda)
            \quad\text{(decay applied to the weights, scaled by the lr)} \\
        &\text{then the Adam step of } :func:`adam_step` \text{ on the raw gradient } g_t
        \end{aligned}

    Unlike Adam's ``weight_decay`` (an L2 term added to :math:`g_t`, which then gets divided
    by :math:`\sqrt{\hat v_t}`), the decay here is not rescaled by the adaptive denominator.

    Example:
        >>> w, state = np.array([1.0]), {}
        >>> adamw_step(w, np.array([5.0]), state, lr=0.1, eps=0.0, weight_decay=0.5)
        >>> w  # 1 * (1 - 0.1 * 0.5) - 0.1
        array([0.85])
    """
    adam_step(
        param,
        grad,
        state,
        lr=lr,
        betas=betas,
        eps=eps,
        weight_decay=weight_decay,
        amsgrad=amsgrad,
        maximize=maximize,
        decoupled_weight_decay=True,
    )


def adamax_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict,
    *,
    lr: float = 2e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    maximize: bool = False,
) -> None:
    r"""One step of Adamax (``torch.optim.Adamax``): Adam with the infinity norm.

    .. math::
        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \epsilon,\
            \lambda \text{ (weight\_decay)},\ \textit{maximize} \\
        &\textbf{initialize}: m_0 \leftarrow 0,\ u_0 \leftarrow 0 \\
        &g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
        &\textbf{if } \lambda \ne 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
        &m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        &u_t \leftarrow \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \\
        &\theta_t \leftarrow \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\, m_t / u_t
        \end{aligned}

    :math:`u_t` is the :math:`p \to \infty` limit of Adam's :math:`(\beta_2 v + (1-\beta_2)
    |g|^p)^{1/p}`: a max, not a bound on the learning rate. It needs no bias correction.
    State: ``"step"``, ``"exp_avg"`` (:math:`m`), ``"exp_inf"`` (:math:`u`).

    Example:
        >>> w, state = np.array([1.0]), {}
        >>> adamax_step(w, np.array([-3.0]), state, lr=0.1, eps=0.0)
        >>> w
        array([1.1])
    """
    beta1, beta2 = betas
    if not state:
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(param)
        state["exp_inf"] = np.zeros_like(param)
    state["step"] += 1
    grad = _with_l2(_signed_grad(grad, maximize), param, weight_decay)
    exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
    exp_avg += (1 - beta1) * (grad - exp_avg)  # = beta1 m + (1 - beta1) g, as torch's lerp
    exp_inf *= beta2
    np.maximum(exp_inf, np.abs(grad) + eps, out=exp_inf)
    clr = lr / (1 - beta1 ** state["step"])
    param -= clr * exp_avg / exp_inf


def nadam_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict,
    *,
    lr: float = 2e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum_decay: float = 4e-3,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
) -> None:
    r"""One step of NAdam (``torch.optim.NAdam``): Adam with Nesterov momentum (Dozat 2016).

    .. math::
        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \epsilon,\
            \lambda \text{ (weight\_decay)},\ \psi \text{ (momentum\_decay)},\
            \textit{decoupled\_weight\_decay},\ \textit{maximize} \\
        &\textbf{initialize}: m_0 \leftarrow 0,\ v_0 \leftarrow 0,\
            \Pi_0 \leftarrow 1 \text{ (mu\_product)} \\
        &g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
        &\textbf{if } \lambda \ne 0: \\
        &\quad \textbf{if } \textit{decoupled\_weight\_decay}:\
            \theta_{t-1} \leftarrow \theta_{t-1}(1 - \gamma\lambda)
            \quad \textbf{else}:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
        &\mu_t \leftarrow \beta_1 \big(1 - \tfrac12\, 0.96^{t\psi}\big),\quad
            \mu_{t+1} \leftarrow \beta_1 \big(1 - \tfrac12\, 0.96^{(t+1)\psi}\big),\quad
            \Pi_t \leftarrow \Pi_{t-1}\mu_t \\
        &m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        &v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        &d_t \leftarrow \sqrt{v_t / (1 - \beta_2^t)} + \epsilon \\
        &\theta_t \leftarrow \theta_{t-1}
            - \gamma \frac{1 - \mu_t}{1 - \Pi_t}\, g_t / d_t
            - \gamma \frac{\mu_{t+1}}{1 - \Pi_t \mu_{t+1}}\, m_t / d_t
        \end{aligned}

    State: ``"step"``, ``"mu_product"`` (:math:`\Pi`, a float), ``"exp_avg"``, ``"exp_avg_sq"``.

    Example:
        >>> w, state = np.array([1.0]), {}
        >>> nadam_step(w, np.array([1.0]), state)
        >>> round(float(w[0]), 6)
        0.997887
    """
    beta1, beta2 = betas
    if not state:
        state["step"] = 0
        state["mu_product"] = 1.0
        state["exp_avg"] = np.zeros_like(param)
        state["exp_avg_sq"] = np.zeros_like(param)
    state["step"] += 1
    step = state["step"]
    grad = _signed_grad(grad, maximize)
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            grad = grad + weight_decay * param
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
    state["mu_product"] *= mu
    mu_product = state["mu_product"]
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    exp_avg += (1 - beta1) * (grad - exp_avg)  # = beta1 m + (1 - beta1) g, as torch's lerp
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * grad * grad
    denom = np.sqrt(exp_avg_sq / (1 - beta2**step)) + eps
    param -= lr * (1.0 - mu) / (1.0 - mu_product) * grad / denom
    param -= lr * mu_next / (1.0 - mu_product * mu_next) * exp_avg / denom


def radam_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict,
    *,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
) -> None:
    r"""One step of RAdam (``torch.optim.RAdam``): Adam with a rectified adaptive lr.

    .. math::
        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \epsilon,\
            \lambda \text{ (weight\_decay)},\ \textit{decoupled\_weight\_decay},\
            \textit{maximize} \\
        &\textbf{initialize}: m_0 \leftarrow 0,\ v_0 \leftarrow 0,\
            \rho_\infty \leftarrow 2 / (1 - \beta_2) - 1 \\
        &g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
        &\textbf{if } \lambda \ne 0: \\
        &\quad \textbf{if } \textit{decoupled\_weight\_decay}:\
            \theta_{t-1} \leftarrow \theta_{t-1}(1 - \gamma\lambda)
            \quad \textbf{else}:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
        &m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t,\quad
            v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2,\quad
            \hat m_t \leftarrow m_t / (1 - \beta_1^t) \\
        &\rho_t \leftarrow \rho_\infty - 2 t \beta_2^t / (1 - \beta_2^t) \\
        &\textbf{if } \rho_t > 5: \\
        &\quad l_t \leftarrow \sqrt{1 - \beta_2^t} / (\sqrt{v_t} + \epsilon),\quad
            r_t \leftarrow \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}
            {(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}} \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \gamma \hat m_t\, l_t\, r_t \\
        &\textbf{else}:\ \theta_t \leftarrow \theta_{t-1} - \gamma \hat m_t
            \quad\text{(variance not yet tractable: plain momentum SGD)}
        \end{aligned}

    State: ``"step"``, ``"exp_avg"``, ``"exp_avg_sq"``.

    Example:
        >>> w, state = np.array([1.0]), {}
        >>> radam_step(w, np.array([2.0]), state, lr=0.1)
        >>> w  # rho_1 = 1 <= 5: an un-adapted step of lr * m_hat = 0.1 * 2
        array([0.8])
    """
    beta1, beta2 = betas
    if not state:
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(param)
        state["exp_avg_sq"] = np.zeros_like(param)
    state["step"] += 1
    step = state["step"]
    grad = _signed_grad(grad, maximize)
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            grad = grad + weight_decay * param
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    exp_avg += (1 - beta1) * (grad - exp_avg)  # = beta1 m + (1 - beta1) g, as torch's lerp
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * grad * grad
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    bias_corrected_exp_avg = exp_avg / bias_correction1
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
    if rho_t > 5.0:
        adaptive_lr = bias_correction2**0.5 / (np.sqrt(exp_avg_sq) + eps)
        rect = (
            (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        ) ** 0.5
        param -= bias_corrected_exp_avg * lr * adaptive_lr * rect
    else:
        param -= bias_corrected_exp_avg * lr


def asgd_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict,
    *,
    lr: float = 1e-2,
    lambd: float = 1e-4,
    alpha: float = 0.75,
    t0: float = 1e6,
    weight_decay: float = 0.0,
    maximize: bool = False,
) -> None:
    r"""One step of averaged SGD (``torch.optim.ASGD``, Polyak & Juditsky 1992).

    .. math::
        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ \lambda \text{ (lambd)},\
            \alpha \text{ (alpha)},\ t_0 \text{ (t0)},\ \omega \text{ (weight\_decay)},\
            \textit{maximize} \\
        &\textbf{initialize}: \eta_0 \leftarrow \gamma,\ \mu_0 \leftarrow 1,\
            \bar\theta_0 \leftarrow 0 \text{ (ax)} \\
        &g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
        &\textbf{if } \omega \ne 0:\ g_t \leftarrow g_t + \omega \theta_{t-1} \\
        &\theta_t \leftarrow \theta_{t-1}(1 - \lambda \eta_{t-1}) - \eta_{t-1} g_t \\
        &\textbf{if } \mu_{t-1} \ne 1:\
            \bar\theta_t \leftarrow \bar\theta_{t-1} + \mu_{t-1}(\theta_t - \bar\theta_{t-1})
            \quad \textbf{else}:\ \bar\theta_t \leftarrow \theta_t \\
        &\eta_t \leftarrow \gamma / (1 + \lambda \gamma t)^{\alpha},\quad
            \mu_t \leftarrow 1 / \max(1, t - t_0)
        \end{aligned}

    The averaged iterate :math:`\bar\theta` (state ``"ax"``) starts averaging after step
    :math:`t_0`; it is what one evaluates, while :math:`\theta` keeps taking the SGD steps.
    State: ``"step"``, ``"eta"`` and ``"mu"`` (floats), ``"ax"``.

    Example:
        >>> w, state = np.array([1.0]), {}
        >>> asgd_step(w, np.array([1.0]), state, lr=0.1, lambd=0.0)
        >>> w, state["ax"]
        (array([0.9]), array([0.9]))
    """
    if not state:
        state["step"] = 0
        state["eta"] = float(lr)
        state["mu"] = 1.0
        state["ax"] = np.zeros_like(param)
    state["step"] += 1
    grad = _with_l2(_signed_grad(grad, maximize), param, weight_decay)
    eta = state["eta"]
    param *= 1 - lambd * eta
    param -= eta * grad
    ax = state["ax"]
    if state["mu"] != 1:
        ax += (param - ax) * state["mu"]
    else:
        ax[...] = param
    step = state["step"]
    state["eta"] = lr / ((1 + lambd * lr * step) ** alpha)
    state["mu"] = 1 / max(1, step - t0)


def rprop_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict,
    *,
    lr: float = 1e-2,
    etas: tuple[float, float] = (0.5, 1.2),
    step_sizes: tuple[float, float] = (1e-6, 50.0),
    maximize: bool = False,
) -> None:
    r"""One step of resilient backpropagation (``torch.optim.Rprop``).

    .. math::
        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ (\eta^-, \eta^+) \text{ (etas)},\
            (\Gamma_{min}, \Gamma_{max}) \text{ (step\_sizes)},\ \textit{maximize} \\
        &\textbf{initialize}: g_0^{prev} \leftarrow 0,\ \eta_0 \leftarrow \gamma
            \text{ (per-element step size)} \\
        &g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
        &\textbf{for each element } i: \\
        &\quad \textbf{if } g^{prev}_{i} g_{t,i} > 0:\
            \eta_{t,i} \leftarrow \min(\eta_{t-1,i}\, \eta^+, \Gamma_{max}) \\
        &\quad \textbf{else if } g^{prev}_{i} g_{t,i} < 0:\
            \eta_{t,i} \leftarrow \max(\eta_{t-1,i}\, \eta^-, \Gamma_{min}),\quad
            g_{t,i} \leftarrow 0 \\
        &\quad \textbf{else}:\ \eta_{t,i} \leftarrow \eta_{t-1,i} \\
        &\theta_t \leftarrow \theta_{t-1} - \eta_t \operatorname{sign}(g_t),\quad
            g^{prev} \leftarrow g_t
        \end{aligned}

    :math:`\eta^- = 0.5` is the *decrease* factor (a sign change means we overshot),
    :math:`\eta^+ = 1.2` the increase factor. Only the sign of the gradient is used.
    State: ``"step"``, ``"prev"``, ``"step_size"``.

    Example:
        >>> w, state = np.array([1.0, 1.0]), {}
        >>> rprop_step(w, np.array([3.0, -1e-3]), state, lr=0.1)
        >>> w
        array([0.9, 1.1])
    """
    etaminus, etaplus = etas
    step_size_min, step_size_max = step_sizes
    if not state:
        state["step"] = 0
        state["prev"] = np.zeros_like(param)
        state["step_size"] = np.full_like(param, lr)
    state["step"] += 1
    grad = np.array(_signed_grad(grad, maximize), copy=True)
    step_size = state["step_size"]
    sign = np.sign(grad * state["prev"])
    factor = np.ones_like(step_size)
    factor[sign > 0] = etaplus
    factor[sign < 0] = etaminus
    step_size *= factor
    np.clip(step_size, step_size_min, step_size_max, out=step_size)
    grad[sign < 0] = 0  # after a sign change: no step now, and no sign test next time
    param -= np.sign(grad) * step_size
    state["prev"][...] = grad


# --------------------------------------------------------------------------------------------
# The stateful classes (torch.optim's API over the pure steps)
# --------------------------------------------------------------------------------------------


def _check_at_least_zero(value: float, what: str) -> None:
    if not 0.0 <= value:
        raise ValueError(f"Invalid {what}: {value}")


def _check_betas(betas: Sequence[float]) -> tuple[float, float]:
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2); got {betas!r}")
    for index, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta}")
    return float(betas[0]), float(betas[1])


class Optimizer:
    """Base class: parameter groups, per-parameter state, ``step(grads)``, state dicts.

    Subclasses set ``step_function`` (the pure ``<name>_step``) and call
    ``super().__init__(params, defaults)`` where ``defaults`` holds exactly the keyword
    arguments of that step function.
    """

    step_function: Callable[..., None]

    def __init__(self, params: Iterable, defaults: dict[str, Any]) -> None:
        if isinstance(params, np.ndarray):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of arrays "
                f"or dicts, but got {type(params).__module__}.{type(params).__name__}"
            )
        self.defaults = defaults
        self.state: dict[int, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Append a group; options it does not set take the optimizer's defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        if "params" not in param_group:
            raise ValueError("param_group must have a 'params' entry (a list of arrays)")
        params = param_group["params"]
        if isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but "
                "the ordering of arrays in sets will change between runs. "
                "Please use a list instead."
            )
        group = dict(param_group)
        group["params"] = [params] if isinstance(params, np.ndarray) else list(params)
        for param in group["params"]:
            if not isinstance(param, np.ndarray) or not np.issubdtype(param.dtype, np.floating):
                what = param.dtype if isinstance(param, np.ndarray) else type(param).__name__
                raise TypeError(
                    f"optimizer can only optimize floating-point numpy arrays, "
                    f"but one of the params is {what}"
                )
            if not param.flags.writeable:
                raise ValueError("optimizer params must be writeable (they are updated in place)")
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        new = [id(p) for p in group["params"]]
        if len(set(new)) != len(new) or not seen.isdisjoint(new):
            raise ValueError("some parameters appear more than once in the parameter groups")
        self.param_groups.append(group)

    def _flat_params(self) -> list[np.ndarray]:
        return [p for group in self.param_groups for p in group["params"]]

    def step(self, grads: Sequence[np.ndarray | None]) -> None:
        """Update every parameter in place; ``grads[i]`` goes with the i-th flattened param.

        A ``None`` gradient skips its parameter (torch skips params whose ``.grad`` is None).
        """
        params = self._flat_params()
        grads = list(grads)
        if len(grads) != len(params):
            raise ValueError(
                f"step expected {len(params)} gradients (one per parameter), got {len(grads)}"
            )
        index = 0
        for group in self.param_groups:
            hyper = {name: group[name] for name in self.defaults}
            for param in group["params"]:
                grad = grads[index]
                if grad is not None:
                    grad = np.asarray(grad)
                    if grad.shape != param.shape or grad.dtype != param.dtype:
                        raise ValueError(
                            f"grads[{index}] must match params[{index}]: expected shape "
                            f"{param.shape} and dtype {param.dtype}, got shape {grad.shape} "
                            f"and dtype {grad.dtype}"
                        )
                    type(self).step_function(param, grad, self.state.setdefault(index, {}), **hyper)
                index += 1

    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}`` (copies)."""
        groups, start = [], 0
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = list(range(start, start + len(group["params"])))
            start += len(group["params"])
            groups.append(packed)
        return {"state": copy.deepcopy(self.state), "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore state and hyperparameters saved by :meth:`state_dict` (deep copies)."""
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(
            len(g["params"]) != len(s["params"])
            for g, s in zip(self.param_groups, saved_groups, strict=True)
        ):
            raise ValueError(
                "loaded state dict contains a parameter group "
                "that doesn't match the size of optimizer's group"
            )
        params = self._flat_params()
        saved_ids = [i for s in saved_groups for i in s["params"]]
        id_map = dict(zip(saved_ids, range(len(params)), strict=True))
        state = {}
        for key, value in state_dict["state"].items():
            if key in id_map:
                index = id_map[key]
                state[index] = {
                    k: _cast_like(v, params[index]) if k != "step" else v
                    for k, v in copy.deepcopy(value).items()
                }
        for group, saved in zip(self.param_groups, saved_groups, strict=True):
            saved["params"] = group["params"]
        self.state = state
        self.param_groups = saved_groups

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines + [")"])


def _cast_like(value: Any, param: np.ndarray) -> Any:
    """Arrays in a loaded state take the parameter's dtype (as torch casts to param.dtype)."""
    return np.array(value, dtype=param.dtype) if isinstance(value, np.ndarray) else value


class SGD(Optimizer):
    """``torch.optim.SGD`` on numpy arrays; the update is :func:`sgd_step`."""

    step_function = staticmethod(sgd_step)

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        _check_at_least_zero(lr, "learning rate")
        _check_at_least_zero(momentum, "momentum value")
        _check_at_least_zero(weight_decay, "weight_decay value")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)


class Adagrad(Optimizer):
    """``torch.optim.Adagrad`` on numpy arrays; the update is :func:`adagrad_step`.

    As in torch, the accumulators are created when a group is added (not at the first step),
    from the constructor's ``initial_accumulator_value`` (a group's own value is not used).
    """

    step_function = staticmethod(adagrad_step)

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        _check_at_least_zero(lr, "learning rate")
        _check_at_least_zero(lr_decay, "lr_decay value")
        _check_at_least_zero(weight_decay, "weight_decay value")
        _check_at_least_zero(initial_accumulator_value, "initial_accumulator_value value")
        _check_at_least_zero(eps, "epsilon value")
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        super().add_param_group(param_group)
        first = len(self._flat_params()) - len(self.param_groups[-1]["params"])
        for index, param in enumerate(self.param_groups[-1]["params"], start=first):
            self.state[index] = {
                "step": 0,
                "sum": np.full_like(param, self.defaults["initial_accumulator_value"]),
            }


class RMSprop(Optimizer):
    """``torch.optim.RMSprop`` on numpy arrays; the update is :func:`rmsprop_step`."""

    step_function = staticmethod(rmsprop_step)

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        _check_at_least_zero(lr, "learning rate")
        _check_at_least_zero(eps, "epsilon value")
        _check_at_least_zero(momentum, "momentum value")
        _check_at_least_zero(weight_decay, "weight_decay value")
        _check_at_least_zero(alpha, "alpha value")
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)


class Adadelta(Optimizer):
    """``torch.optim.Adadelta`` on numpy arrays; the update is :func:`adadelta_step`."""

    step_function = staticmethod(adadelta_step)

    def __init__(
        self,
        params: Iterable,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        _check_at_least_zero(lr, "learning rate")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_at_least_zero(eps, "epsilon value")
        _check_at_least_zero(weight_decay, "weight_decay value")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)


class Adam(Optimizer):
    """``torch.optim.Adam`` on numpy arrays; the update is :func:`adam_step`."""

    step_function = staticmethod(adam_step)

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        _check_at_least_zero(lr, "learning rate")
        _check_at_least_zero(eps, "epsilon value")
        betas = _check_betas(betas)
        _check_at_least_zero(weight_decay, "weight_decay value")
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)


class AdamW(Adam):
    """``torch.optim.AdamW``: :class:`Adam` with ``decoupled_weight_decay=True``, decay 1e-2."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        for group in self.param_groups:  # as torch: AdamW always decouples
            group["decoupled_weight_decay"] = True


class Adamax(Optimizer):
    """``torch.optim.Adamax`` on numpy arrays; the update is :func:`adamax_step`."""

    step_function = staticmethod(adamax_step)

    def __init__(
        self,
        params: Iterable,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        _check_at_least_zero(lr, "learning rate")
        _check_at_least_zero(eps, "epsilon value")
        betas = _check_betas(betas)
        _check_at_least_zero(weight_decay, "weight_decay value")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)


class NAdam(Optimizer):
    """``torch.optim.NAdam`` on numpy arrays; the update is :func:`nadam_step`."""

    step_function = staticmethod(nadam_step)

    def __init__(
        self,
        params: Iterable,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        _check_at_least_zero(lr, "learning rate")
        _check_at_least_zero(eps, "epsilon value")
        betas = _check_betas(betas)
        _check_at_least_zero(weight_decay, "weight_decay value")
        _check_at_least_zero(momentum_decay, "momentum_decay value")
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)


class RAdam(Optimizer):
    """``torch.optim.RAdam`` on numpy arrays; the update is :func:`radam_step`."""

    step_function = staticmethod(radam_step)

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        _check_at_least_zero(lr, "learning rate")
        _check_at_least_zero(eps, "epsilon value")
        betas = _check_betas(betas)
        _check_at_least_zero(weight_decay, "weight_decay value")
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)


class ASGD(Optimizer):
    """``torch.optim.ASGD`` on numpy arrays; the update is :func:`asgd_step`."""

    step_function = staticmethod(asgd_step)

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        _check_at_least_zero(lr, "learning rate")
        _check_at_least_zero(weight_decay, "weight_decay value")
        defaults = dict(
            lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, maximize=maximize
        )
        super().__init__(params, defaults)


class Rprop(Optimizer):
    """``torch.optim.Rprop`` on numpy arrays; the update is :func:`rprop_step`."""

    step_function = staticmethod(rprop_step)

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50.0),
        *,
        maximize: bool = False,
    ) -> None:
        _check_at_least_zero(lr, "learning rate")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), maximize=maximize)
        super().__init__(params, defaults)


#: Every optimizer class, by torch name.
OPTIMIZERS = {
    cls.__name__: cls
    for cls in (SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax, NAdam, RAdam, ASGD, Rprop)
}
