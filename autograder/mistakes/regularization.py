"""Known mistakes of chapter 06 (regularization). Instructor material: see autograder/mistakes."""

import numpy as np

from autograder.mistakes import mistake
from solutions import regularization as _correct


@mistake(
    "regularization.fgm",
    "fgm-double-negative",
    anchor="err-fgsm-fgm",
    sentence="The adversarial step goes up the loss, r = eps g / ||g|| with g the gradient "
    "of the loss with respect to the input; your sign makes it decrease the loss.",
)
def fgm__double_negative(x, grad, epsilon, clip_min=None, clip_max=None):
    return _correct.fgm(x, -grad, epsilon, clip_min, clip_max)


@mistake(
    "regularization.l1_penalty",
    "l1-half-coefficient",
    anchor="err-l1-laplace",
    sentence="The L1 penalty is lam * sum |w|: the 1/(2b) of the Laplace density is its "
    "normalising constant, not the coefficient, so there is no factor 1/2.",
)
def l1_penalty__half(params, lam):
    return 0.5 * _correct.l1_penalty(params, lam)


@mistake(
    "regularization.label_smoothing",
    "smoothing-over-k-minus-1",
    anchor="mistake-smoothing-k",
    sentence="Label smoothing spreads epsilon uniformly over all K classes, q = (1 - "
    "epsilon) onehot + epsilon / K (torch's convention), not over the K - 1 wrong ones.",
)
def label_smoothing__k_minus_1(targets, num_classes, epsilon=0.1):
    out = np.full((len(targets), num_classes), epsilon / (num_classes - 1))
    out[np.arange(len(targets)), targets] = 1.0 - epsilon
    return out


@mistake(
    "regularization.dropout",
    "dropout-no-rescale",
    anchor="err-dropout-convention",
    sentence="Inverted dropout divides the kept units by 1 - p during training, so that the "
    "expected output equals the input and evaluation needs no rescaling.",
)
def dropout__no_rescale(input, p=0.5, training=True, generator=None):
    out = _correct.dropout(input, p, training, generator)
    return (out * (1 - p)).astype(out.dtype) if training else out


@mistake(
    "regularization.dropout",
    "dropout-p-as-keep",
    anchor="err-dropout-convention",
    sentence="In torch's convention p is the probability of dropping a unit (keep with "
    "probability 1 - p, then divide by 1 - p), not the keep probability.",
)
def dropout__p_as_keep(input, p=0.5, training=True, generator=None):
    return _correct.dropout(input, 1 - p, training, generator)
