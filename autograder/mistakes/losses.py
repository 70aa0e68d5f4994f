"""Known mistakes of chapter 04 (losses). Instructor material: see autograder/mistakes."""

import numpy as np

from autograder.mistakes import mistake
from solutions import losses as _correct


@mistake(
    "losses.kl_div",
    "kl-swapped-arguments",
    anchor="mistake-kl-swapped",
    sentence="Your kl_div computes KL(q||p), with the two distributions swapped: torch's "
    "kl_div(input, target) is KL(target||exp(input)) = sum p (log p - input), the target "
    "being the reference distribution p and the input the model's log q.",
)
def kl_div__swapped(input, target, *, reduction="mean", log_target=False):
    log_p = target if log_target else np.log(target)
    return _correct.kl_div(log_p, np.exp(input), reduction=reduction)


@mistake(
    "losses.kl_div",
    "kl-sign",
    anchor="err-kl-sign",
    sentence="Your KL divergence has the wrong sign: it is +sum p log(p/q) = H(p, q) - H(p), "
    "which is never negative.",
)
def kl_div__sign(input, target, *, reduction="mean", log_target=False):
    return -_correct.kl_div(input, target, reduction=reduction, log_target=log_target)


@mistake(
    "losses.kl_div",
    "kl-is-cross-entropy",
    anchor="err-kl-is-not-ce",
    sentence="You computed the cross-entropy -sum p log q, not the KL divergence: KL adds "
    "back the entropy, sum p log p - sum p log q.",
)
def kl_div__cross_entropy(input, target, *, reduction="mean", log_target=False):
    p = np.exp(target) if log_target else target
    loss = -p * input
    if reduction == "batchmean":
        return np.asarray(loss.sum() / (input.shape[0] if input.ndim else 1))
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]


@mistake(
    "losses.kl_div",
    "kl-batchmean-as-mean",
    anchor="err-margin-ranking-kl-mean",
    sentence="With reduction='batchmean' the sum is divided by the batch size input.shape[0] "
    "(the mean KL per sample), not by the number of elements as 'mean' does.",
)
def kl_div__batchmean_as_mean(input, target, *, reduction="mean", log_target=False):
    reduction = "mean" if reduction == "batchmean" else reduction
    return _correct.kl_div(input, target, reduction=reduction, log_target=log_target)


@mistake(
    "losses.cross_entropy",
    "ce-mean-over-classes",
    anchor="err-ce-mean-over-c",
    sentence="Your mean runs over the N x C matrix of -q log s and so also divides by the "
    "number of classes C: sum over classes first, then average over the samples.",
)
def cross_entropy__mean_over_classes(
    input, target, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    x = np.moveaxis(input, 1, -1)
    n_classes = x.shape[-1]
    z = x - x.max(axis=-1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    if np.issubdtype(target.dtype, np.integer):
        keep = target != ignore_index
        q = np.eye(n_classes, dtype=x.dtype)[np.where(keep, target, 0)] * keep[..., None]
    else:
        q = np.moveaxis(target, 1, -1)
    q = (1 - label_smoothing) * q + label_smoothing / n_classes * q.sum(-1, keepdims=True)
    w = np.ones(n_classes, dtype=x.dtype) if weight is None else weight
    losses = -(w * q * log_probs)
    if reduction == "none":
        return losses.sum(axis=-1)
    if reduction == "sum":
        return losses.sum()
    return losses.mean()


@mistake(
    "losses.cross_entropy_backward",
    "ce-gradient-true-class-only",
    anchor="err-ce-gradient",
    sentence="Your gradient is nonzero only at the true class: the gradient of cross-entropy "
    "with respect to the logits is softmax(x) - onehot(y), so every wrong class gets +s_c.",
)
def cross_entropy_backward__true_class_only(
    grad_output,
    input,
    target,
    weight=None,
    *,
    ignore_index=-100,
    reduction="mean",
    label_smoothing=0.0,
):
    grad = _correct.cross_entropy_backward(
        grad_output,
        input,
        target,
        weight,
        ignore_index=ignore_index,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )
    t = np.asarray(target)
    if np.issubdtype(t.dtype, np.integer):
        if np.ndim(input) == 1:
            mask = np.arange(np.shape(input)[0]) == t
        else:
            shape = (1, -1) + (1,) * (np.ndim(input) - 2)
            mask = np.expand_dims(t, 1) == np.arange(np.shape(input)[1]).reshape(shape)
    else:
        mask = t > 0
    return grad * mask


@mistake(
    "losses.binary_cross_entropy",
    "bce-positive-term-only",
    anchor="err-bce-two-terms",
    sentence="Your binary cross-entropy keeps only -y log p: the negatives need their term "
    "too, -(y log p + (1 - y) log(1 - p)).",
)
def binary_cross_entropy__positive_term_only(input, target, weight=None, *, reduction="mean"):
    losses = -target * np.maximum(np.log(input), -100.0)
    if weight is not None:
        losses = losses * weight
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()


@mistake(
    "losses.nll_loss_backward",
    "nll-applies-log-again",
    anchor="err-nll-takes-log-probs",
    sentence="nll_loss takes log-probabilities and returns -input[target] without taking a "
    "log again, so its gradient is -w (not -w/input) at the target and 0 elsewhere.",
)
def nll_loss_backward__log_again(
    grad_output, input, target, weight=None, *, ignore_index=-100, reduction="mean"
):
    grad = _correct.nll_loss_backward(
        grad_output, input, target, weight, ignore_index=ignore_index, reduction=reduction
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(grad != 0, grad / input, grad).astype(grad.dtype)


@mistake(
    "losses.l1_loss",
    "weighted-mean-over-count",
    anchor="mistake-mean-count",
    sentence="A weighted 'mean' divides the weighted sum by the sum of the weights (torch's "
    "convention), not by the number of elements.",
)
def l1_loss__mean_over_count(input, target, *, reduction="mean", weight=None):
    losses = np.abs(input - target)
    if weight is not None:
        losses = losses * weight
    if reduction == "none":
        return losses
    return np.asarray(losses.sum() if reduction == "sum" else losses.mean())


@mistake(
    "losses.margin_ranking_loss",
    "column-vector-broadcast",
    anchor="mistake-broadcasting",
    sentence="An (N, 1) column met an (N,) vector and numpy broadcast them to an N x N matrix: "
    "keep every per-sample array 1-D (reshape(-1) or squeeze the column) before combining.",
)
def margin_ranking_loss__column_broadcast(input1, input2, target, margin=0.0, *, reduction="mean"):
    diff = (np.asarray(input1) - np.asarray(input2)).reshape(-1, 1)
    losses = np.maximum(-np.asarray(target).reshape(-1) * diff + margin, 0)
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()
