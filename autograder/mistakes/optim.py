"""Known mistakes of chapter 05 (optimizers). Instructor material: see autograder/mistakes.

An optimizer's wrong version is the reference class with a wrong ``step_function`` (the pure
per-parameter update), driven exactly like the reference."""

import numpy as np

from autograder.mistakes import mistake
from solutions import optim as _correct


# the options come from the optimizer's group (Optimizer.step passes every one): no defaults
def _adam_variant_step(
    param,
    grad,
    state,
    *,
    lr,
    betas,
    eps,
    weight_decay,
    amsgrad,
    maximize,
    decoupled_weight_decay,
    bias_correction=True,
    eps_inside_sqrt=False,
):
    beta1, beta2 = betas
    if not state:
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(param)
        state["exp_avg_sq"] = np.zeros_like(param)
        state["max_exp_avg_sq"] = np.zeros_like(param)
    state["step"] += 1
    t = state["step"]
    grad = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            grad = grad + weight_decay * param
    m, v = state["exp_avg"], state["exp_avg_sq"]
    m[...] = beta1 * m + (1 - beta1) * grad
    v[...] = beta2 * v + (1 - beta2) * grad * grad
    if amsgrad:
        np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        v = state["max_exp_avg_sq"]
    m_hat = m / (1 - beta1**t) if bias_correction else m
    v_hat = v / (1 - beta2**t) if bias_correction else v
    denom = np.sqrt(v_hat + eps) if eps_inside_sqrt else np.sqrt(v_hat) + eps
    param -= lr * m_hat / denom


def _adam_no_bias_correction_step(param, grad, state, **hyper):
    _adam_variant_step(param, grad, state, bias_correction=False, **hyper)


def _adam_eps_inside_sqrt_step(param, grad, state, **hyper):
    _adam_variant_step(param, grad, state, eps_inside_sqrt=True, **hyper)


@mistake(
    "optim.Adam",
    "adam-no-bias-correction",
    anchor="err-adam-code",
    sentence="Your Adam has no bias correction: m and v start at 0, so divide them by "
    "(1 - beta1^t) and (1 - beta2^t) before the update (keeping the uncorrected m, v in the "
    "state).",
)
class Adam__no_bias_correction(_correct.Adam):
    step_function = staticmethod(_adam_no_bias_correction_step)


@mistake(
    "optim.Adam",
    "adam-eps-inside-sqrt",
    anchor="err-adam-beta2",
    sentence="Adam adds eps outside the square root, m_hat / (sqrt(v_hat) + eps), as the "
    "paper and torch do; sqrt(v_hat + eps) changes every step where v_hat is small.",
)
class Adam__eps_inside_sqrt(_correct.Adam):
    step_function = staticmethod(_adam_eps_inside_sqrt_step)


@mistake(
    "optim.Adam",
    "adam-beta2-default",
    anchor="err-adam-beta2",
    sentence="Adam's default betas are (0.9, 0.999) (the paper and torch), not (0.9, 0.99).",
)
class Adam__beta2_default(_correct.Adam):
    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.99),
        eps=1e-8,
        weight_decay=0.0,
        amsgrad=False,
        *,
        maximize=False,
        decoupled_weight_decay=False,
    ):
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )


def _adam_decay_as_l2_step(param, grad, state, **hyper):
    _correct.adam_step(param, grad, state, **{**hyper, "decoupled_weight_decay": False})


@mistake(
    "optim.AdamW",
    "adamw-decay-as-l2",
    anchor="err-adamw",
    sentence="AdamW decays the weights directly, theta <- theta (1 - lr lambda), before the "
    "Adam step on the raw gradient; adding lambda theta to the gradient is Adam with L2, "
    "whose decay then gets divided by sqrt(v_hat).",
)
class AdamW__decay_as_l2(_correct.AdamW):
    step_function = staticmethod(_adam_decay_as_l2_step)


def _adagrad_no_sqrt_step(
    param,
    grad,
    state,
    *,
    lr=1e-2,
    lr_decay=0.0,
    weight_decay=0.0,
    initial_accumulator_value=0.0,
    eps=1e-10,
    maximize=False,
):
    if not state:
        state["step"] = 0
        state["sum"] = np.full_like(param, initial_accumulator_value)
    state["step"] += 1
    grad = -grad if maximize else grad
    grad = grad + weight_decay * param if weight_decay else grad
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    state["sum"] += grad * grad
    param -= clr * grad / (state["sum"] + eps)


@mistake(
    "optim.Adagrad",
    "adagrad-no-sqrt",
    anchor="err-adagrad-sqrt",
    sentence="Adagrad divides by the square root of the accumulated squared gradients, "
    "g / (sqrt(G) + eps), not by G itself.",
)
class Adagrad__no_sqrt(_correct.Adagrad):
    step_function = staticmethod(_adagrad_no_sqrt_step)


def _sgd_ema_step(param, grad, state, *, momentum=0.0, dampening=0.0, **hyper):
    _correct.sgd_step(param, grad, state, momentum=momentum, dampening=momentum, **hyper)


@mistake(
    "optim.SGD",
    "sgd-ema-momentum",
    anchor="err-momentum-ema",
    sentence="torch's SGD momentum is v = momentum v + (1 - dampening) g with dampening 0 by "
    "default, not the moving average v = momentum v + (1 - momentum) g, whose steps are "
    "about 1/(1 - momentum) times smaller.",
)
class SGD__ema_momentum(_correct.SGD):
    step_function = staticmethod(_sgd_ema_step)


def _rprop_swapped_step(param, grad, state, *, etas=(0.5, 1.2), **hyper):
    _correct.rprop_step(param, grad, state, etas=(etas[1], etas[0]), **hyper)


@mistake(
    "optim.Rprop",
    "rprop-etas-swapped",
    anchor="err-rprop-etas",
    sentence="etas = (etaminus, etaplus): the first (0.5) shrinks the step after a sign "
    "change, the second (1.2) grows it while the sign holds; yours uses them the other way "
    "round.",
)
class Rprop__etas_swapped(_correct.Rprop):
    step_function = staticmethod(_rprop_swapped_step)


def _adadelta_as_rmsprop_step(
    param, grad, state, *, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False
):
    if not state:
        state["step"] = 0
        state["square_avg"] = np.zeros_like(param)
    state["step"] += 1
    grad = -grad if maximize else grad
    grad = grad + weight_decay * param if weight_decay else grad
    state["square_avg"][...] = rho * state["square_avg"] + (1 - rho) * grad * grad
    param -= lr * grad / np.sqrt(state["square_avg"] + eps)


@mistake(
    "optim.Adadelta",
    "adadelta-as-rmsprop",
    anchor="err-adadelta-rmsprop",
    sentence="That update is RMSprop: Adadelta also keeps a running average of the squared "
    "updates and scales the step by sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps).",
)
class Adadelta__as_rmsprop(_correct.Adadelta):
    step_function = staticmethod(_adadelta_as_rmsprop_step)
