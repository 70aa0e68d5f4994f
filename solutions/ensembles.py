r"""Ensembles: averaging, voting, rank averaging, stacking, snapshot ensembles and fast
geometric ensembling, stochastic weight averaging (SWA) / EMA with BatchNorm statistics,
and the joint loss of multi-exit networks.

Models are plain numpy: a "model" is a list of parameter arrays (and, for BatchNorm, a list
of buffers), learners are callables. Names and semantics mirror
``torch.optim.swa_utils`` (``AveragedModel``, ``SWALR``, ``update_bn``,
``get_ema_multi_avg_fn``, ...) and scikit-learn (``KFold``, ``StackingClassifier``,
``LogisticRegression``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, log_softmax

from solutions._checks import as_float_array, check_choice, check_nonnegative, check_positive
from solutions.lr_scheduler import LRScheduler
from solutions.norm import batch_norm
from solutions.optim import SGD, Optimizer

__worked_examples__ = ["weighted_average", "snapshot_schedule", "multi_exit_loss"]


# --------------------------------------------------------------------------------------
# Combining predictions
# --------------------------------------------------------------------------------------


def _check_weights(weights, num_models: int) -> np.ndarray:
    if weights is None:
        return np.ones(num_models)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (num_models,):
        raise ValueError(f"weights must have shape ({num_models},), one per model; got {w.shape}")
    if np.any(~np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"weights must be finite and >= 0; got {w}")
    if not w.sum() > 0:
        raise ValueError(f"weights must not all be zero; got {w}")
    return w


def _check_members(probas, name: str = "probas") -> np.ndarray:
    p = as_float_array(probas, name)
    if p.ndim < 2 or p.shape[0] == 0:
        raise ValueError(
            f"{name} must have shape (num_models, N, ...) with at least one model; "
            f"got shape {p.shape}"
        )
    return p


def weighted_average(probas, weights=None) -> np.ndarray:
    r"""Weighted average of the members' predicted probabilities.

    .. math:: H(x) = \frac{\sum_{m=1}^{M} w_m\, h_m(x)}{\sum_{m=1}^{M} w_m}

    Normalising by :math:`\sum_m w_m` (not by the number of models :math:`M`, and not by
    both) keeps :math:`H` a probability: with :math:`w = (.5, .3, .2)` and
    :math:`h = (.8, .6, .7)`, :math:`H = 0.72`; an extra :math:`1/M` would give 0.24.

    Args:
        probas: (M, N, C) (or any (M, ...)) member outputs.
        weights: (M,) non-negative, not all zero; default equal weights (the plain mean).

    Returns:
        (N, C), in the dtype of ``probas``.

    Example:
        >>> weighted_average(np.array([[[0.8]], [[0.6]], [[0.7]]]), [0.5, 0.3, 0.2])
        array([[0.72]])
    """
    p = _check_members(probas)
    w = _check_weights(weights, p.shape[0])
    return _weighted_sum(p, w / w.sum())


def _weighted_sum(members: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """sum_m weights[m] * members[m], accumulated in model order in the members' dtype."""
    w = weights.astype(members.dtype)
    total = members[0] * w[0]
    term = np.empty_like(total)
    for m in range(1, members.shape[0]):
        total += np.multiply(members[m], w[m], out=term)
    return total


def weighted_average_backward(grad_output, probas, weights=None):
    r"""Gradients of :func:`weighted_average`.

    .. math:: \frac{\partial L}{\partial h_m} = \frac{w_m}{S}\,g, \qquad
        \frac{\partial L}{\partial w_m} = \frac{\langle g,\ h_m - H\rangle}{S},
        \qquad S = \textstyle\sum_m w_m

    Returns ``grad_probas`` if ``weights`` is None, else ``(grad_probas, grad_weights)``.
    """
    p = _check_members(probas)
    w = _check_weights(weights, p.shape[0])
    g = np.asarray(grad_output, dtype=np.float64)
    total = w.sum()
    grad_p = (w.reshape((-1,) + (1,) * (p.ndim - 1)) / total * g).astype(p.dtype)
    if weights is None:
        return grad_p
    centred = p - weighted_average(p, w)
    grad_w = np.tensordot(centred, g, axes=p.ndim - 1) / total
    return grad_p, grad_w


def vote(predictions, weights=None, tie_break: str = "lowest") -> np.ndarray:
    r"""(Weighted) plurality vote over the members' predicted labels.

    .. math:: \hat y(x) = \arg\max_{c} \sum_{m=1}^{M} w_m\,[h_m(x) = c]

    With two classes and equal weights this is the majority vote. Ties:

    * ``'lowest'``: the smallest tied label, as ``scipy.stats.mode`` and
      ``sklearn.ensemble.VotingClassifier(voting='hard')`` (``argmax`` of a ``bincount``)
      choose;
    * ``'first'``: the tied label voted for by the earliest model in the list.

    Weighted counts are summed in model order, so they round exactly as ``np.bincount``.

    Args:
        predictions: (M, N) integer labels. weights: (M,) non-negative, not all zero.

    Returns:
        (N,) labels.

    Example:
        >>> vote(np.array([[0, 2], [1, 1], [1, 2]]))
        array([1, 2])
        >>> vote(np.array([[2], [1]])), vote(np.array([[2], [1]]), tie_break="first")
        (array([1]), array([2]))
    """
    preds = np.asarray(predictions)
    if preds.ndim != 2 or preds.shape[0] == 0 or not np.issubdtype(preds.dtype, np.integer):
        raise ValueError(
            "predictions must be an integer array of shape (num_models, N); "
            f"got shape {preds.shape}, dtype {preds.dtype}"
        )
    check_choice(tie_break, "tie_break", ("lowest", "first"))
    w = _check_weights(weights, preds.shape[0])
    low, high = int(preds.min()), int(preds.max())
    if high - low < 4 * preds.shape[1]:
        # few distinct values: offsets instead of a sort; labels in the range that nobody
        # predicted get no votes, so they can never win or tie
        labels, codes = np.arange(low, high + 1), preds - low
    else:
        labels, codes = np.unique(preds, return_inverse=True)
        codes = codes.reshape(preds.shape)
    n = preds.shape[1]
    samples = np.arange(n)
    # bincount adds in input order, i.e. model by model for every (sample, label) bin
    bins = (samples * labels.size + codes).ravel()
    counts = np.bincount(bins, weights=np.repeat(w, n), minlength=n * labels.size)
    counts = counts.reshape(n, labels.size)
    if tie_break == "lowest":
        return labels[np.argmax(counts, axis=1)]
    is_top = counts == counts.max(axis=1, keepdims=True)
    first_model = np.argmax(is_top[samples, codes], axis=0)
    return preds[first_model, samples]


def rankdata_average(x) -> np.ndarray:
    r"""Ranks 1..N along the last axis, ties getting the average of their ranks
    (``scipy.stats.rankdata(method='average')``).

    Example:
        >>> rankdata_average(np.array([10.0, 30.0, 20.0, 10.0]))
        array([1.5, 4. , 3. , 1.5])
    """
    x = np.asarray(x)
    n = x.shape[-1]
    rows = x.reshape(-1, n)
    order = np.argsort(rows, axis=1, kind="stable")
    sorted_rows = np.take_along_axis(rows, order, axis=1)
    new_group = np.ones_like(sorted_rows, dtype=bool)
    new_group[:, 1:] = sorted_rows[:, 1:] != sorted_rows[:, :-1]
    # ties share the mean of positions first..last (1-based): (first + last) / 2
    position = np.broadcast_to(np.arange(1, n + 1), rows.shape)
    first = np.maximum.accumulate(np.where(new_group, position, 0), axis=1)
    ends_group = np.ones_like(new_group)
    ends_group[:, :-1] = new_group[:, 1:]
    last = np.where(ends_group, position, n + 1)
    last = np.minimum.accumulate(last[:, ::-1], axis=1)[:, ::-1]
    ranks = np.empty(rows.shape)
    np.put_along_axis(ranks, order, (first + last) / 2.0, axis=1)
    return ranks.reshape(x.shape)


def rank_average(scores, weights=None) -> np.ndarray:
    r"""Average of the members' normalised ranks (for rank-based metrics such as AUC).

    .. math:: H(x_i) = \frac{\sum_m w_m\, r_m(x_i)/N}{\sum_m w_m}

    where :math:`r_m(x_i) \in [1, N]` is the rank of sample :math:`i` among the :math:`N`
    samples under member :math:`m` (ties averaged). Members whose scores live on
    different scales (margins, probabilities, log-odds) contribute equally, and the result
    is unchanged by any strictly increasing transform of a member's scores.

    Args:
        scores: (M, N) or (M, N, C): ranks are taken over the samples (axis 1), separately
            for each model and column. weights: (M,) as in :func:`weighted_average`.

    Returns:
        (N,) or (N, C) values in (0, 1].

    Example:
        >>> rank_average(np.array([[0.1, 0.9, 0.5], [-3.0, 2.0, 5.0]]))
        array([0.33333333, 0.83333333, 0.83333333])
    """
    s = _check_members(scores, "scores")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite (nan has no rank)")
    w = _check_weights(weights, s.shape[0])
    ranks = np.moveaxis(rankdata_average(np.moveaxis(s, 1, -1)), -1, 1) / s.shape[1]
    return _weighted_sum(ranks, w / w.sum())


# --------------------------------------------------------------------------------------
# Stacking
# --------------------------------------------------------------------------------------


def kfold_indices(
    n_samples: int, n_splits: int = 5, shuffle: bool = False, generator=None
) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""K-fold splits with ``sklearn.model_selection.KFold`` semantics.

    Consecutive folds (after an optional permutation); the first ``n_samples % n_splits``
    folds have one sample more than the others. Without shuffling the splits equal
    sklearn's exactly; with it they follow ``generator`` (numpy's ``Generator``, not
    sklearn's ``RandomState``).

    Returns:
        A list of ``(train_indices, test_indices)``.

    Example:
        >>> [test.tolist() for _, test in kfold_indices(5, 2)]
        [[0, 1, 2], [3, 4]]
    """
    if not isinstance(n_splits, (int, np.integer)) or n_splits < 2:
        raise ValueError(f"k-fold cross-validation requires at least 2 splits; got {n_splits!r}")
    if n_splits > n_samples:
        raise ValueError(
            f"Cannot have number of splits n_splits={n_splits} greater than the number of "
            f"samples: n_samples={n_samples}."
        )
    indices = np.arange(n_samples)
    if shuffle:
        indices = np.random.default_rng(generator).permutation(n_samples)
    sizes = np.full(n_splits, n_samples // n_splits)
    sizes[: n_samples % n_splits] += 1
    splits, start = [], 0
    for size in sizes:
        test = indices[start : start + size]
        train = np.concatenate([indices[:start], indices[start + size :]])
        splits.append((train, test))
        start += size
    return splits


def _as_splits(cv, n_samples: int, shuffle: bool, generator) -> list:
    if isinstance(cv, (int, np.integer)):
        return kfold_indices(n_samples, int(cv), shuffle, generator)
    splits = [(np.asarray(tr), np.asarray(te)) for tr, te in cv]
    covered = np.sort(np.concatenate([te for _, te in splits])) if splits else np.array([])
    if not np.array_equal(covered, np.arange(n_samples)):
        raise ValueError(
            "cv must partition the samples: every index in exactly one test fold "
            "(out-of-fold predictions only work for partitions)"
        )
    return splits


def out_of_fold_predictions(
    fit_predict: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
    X,
    y,
    cv=5,
    shuffle: bool = False,
    generator=None,
) -> np.ndarray:
    r"""Out-of-fold predictions (``sklearn.model_selection.cross_val_predict``).

    .. math:: \hat z_i = f^{(-k(i))}(x_i), \quad k(i) = \text{the fold holding sample } i

    Each sample is predicted by a model that never saw it, so a meta-learner trained on
    :math:`\hat z` sees the members' *generalisation* behaviour, not their training fit.

    Args:
        fit_predict: ``fit_predict(X_train, y_train, X_eval) -> predictions`` (fits a fresh
            model each call).
        X: (N, ...) features. y: (N,) targets.
        cv: number of folds (:func:`kfold_indices`) or an iterable of
            ``(train_indices, test_indices)`` that partitions the samples.
        shuffle, generator: for an int ``cv``.

    Returns:
        (N, ...) predictions in the original sample order.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y must have the same number of samples; got {X.shape[0]} and {y.shape[0]}"
        )
    splits = _as_splits(cv, X.shape[0], shuffle, generator)
    out = None
    for train, test in splits:
        pred = np.asarray(fit_predict(X[train], y[train], X[test]))
        if out is None:
            out = np.empty((X.shape[0],) + pred.shape[1:], dtype=pred.dtype)
        out[test] = pred
    return out


class LogisticRegression:
    r"""L2-regularised logistic regression fitted with L-BFGS (``scipy.optimize``), the
    objective of ``sklearn.linear_model.LogisticRegression(C=C)``:

    .. math:: \min_{W, b}\ \frac1n\sum_{i=1}^{n} \ell(W x_i + b,\ y_i)
        + \frac{1}{2Cn}\lVert W\rVert_F^2 \quad (\text{the intercept } b \text{ is not
        penalised})

    with the binomial loss on one logit for two classes and the multinomial (softmax)
    loss on :math:`K` logits otherwise, as sklearn does.

    Example:
        >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
        >>> LogisticRegression(C=100.0).fit(X, y).predict(X)
        array([0, 0, 1, 1])
    """

    def __init__(self, C: float = 1.0, tol: float = 1e-10, max_iter: int = 10_000):
        check_positive(C, "C")
        self.C, self.tol, self.max_iter = float(C), float(tol), int(max_iter)

    def _loss_grad(self, theta, X, Y):
        n, d = X.shape
        k = Y.shape[1]
        W, b = theta[: k * d].reshape(k, d), theta[k * d :]
        Z = X @ W.T + b
        if k == 1:  # binomial: log(1 + e^z) - y z
            loss = np.logaddexp(0, Z).sum() - (Y * Z).sum()
            residual = expit(Z) - Y
        else:  # multinomial: log-sum-exp - y.z per row, computed on z - max(z) (Y's rows sum
            # to 1), with one exp shared with the softmax (scipy's logsumexp and log_softmax,
            # general-purpose, took half the fit)
            shifted = Z - Z.max(axis=1, keepdims=True)
            exp_shifted = np.exp(shifted)
            norm = exp_shifted.sum(axis=1, keepdims=True)
            loss = (np.log(norm) - (Y * shifted).sum(axis=1, keepdims=True)).sum()
            residual = exp_shifted / norm - Y  # softmax(Z) - Y
        loss = loss / n + 0.5 * (W * W).sum() / (self.C * n)
        grad_W = residual.T @ X / n + W / (self.C * n)
        return loss, np.concatenate([grad_W.ravel(), residual.sum(axis=0) / n])

    def fit(self, X, y) -> LogisticRegression:
        X = np.asarray(as_float_array(X, "X"), dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"X must have shape (n_samples, n_features); got {X.shape}")
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {self.classes_[0]!r}"
            )
        k = 1 if self.classes_.size == 2 else self.classes_.size
        Y = codes.reshape(-1, 1).astype(float) if k == 1 else np.eye(k)[codes]
        theta0 = np.zeros(k * X.shape[1] + k)
        result = minimize(
            self._loss_grad,
            theta0,
            args=(X, Y),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": self.max_iter, "gtol": self.tol, "ftol": 1e-15},
        )
        self.coef_ = result.x[: k * X.shape[1]].reshape(k, X.shape[1])
        self.intercept_ = result.x[k * X.shape[1] :]
        return self

    def decision_function(self, X) -> np.ndarray:
        scores = np.asarray(X, dtype=np.float64) @ self.coef_.T + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict_proba(self, X) -> np.ndarray:
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p1 = expit(scores)
            return np.stack([1 - p1, p1], axis=1)
        return np.exp(log_softmax(scores, axis=1))

    def predict(self, X) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def stacking_features(member_probas: Sequence[np.ndarray]) -> np.ndarray:
    """Concatenate members' (N, K) probabilities into meta-features; for K = 2 only the
    positive column is kept (the other is 1 minus it), as sklearn's StackingClassifier."""
    blocks = [np.asarray(p) for p in member_probas]
    return np.concatenate([p[:, 1:] if p.shape[1] == 2 else p for p in blocks], axis=1)


def stacking_predict_proba(
    fit_predict_probas: Sequence[Callable],
    X,
    y,
    X_test,
    cv=5,
    C: float = 1.0,
    shuffle: bool = False,
    generator=None,
) -> np.ndarray:
    r"""Stacking (Wolpert 1992) with a logistic-regression meta-learner, as
    ``sklearn.ensemble.StackingClassifier(estimators, LogisticRegression(C=C), cv=cv,
    stack_method='predict_proba')``.

    1. For every member, out-of-fold class probabilities on the training set
       (:func:`out_of_fold_predictions`) become the meta-features
       (:func:`stacking_features`).
    2. The meta-learner :class:`LogisticRegression` is fitted on them.
    3. Every member is refitted on all of ``(X, y)``; its probabilities on ``X_test`` go
       through the meta-learner.

    Args:
        fit_predict_probas: one ``f(X_train, y_train, X_eval) -> (n_eval, K)``
            probabilities per member (columns in sorted-class order).
        X, y: training data. X_test: data to predict. cv, shuffle, generator: as in
            :func:`out_of_fold_predictions`. C: inverse regularisation of the meta-learner.

    Returns:
        (N_test, K) probabilities.
    """
    if len(fit_predict_probas) == 0:
        raise ValueError("fit_predict_probas must contain at least one member")
    splits = _as_splits(cv, np.asarray(X).shape[0], shuffle, generator)
    oof = [out_of_fold_predictions(f, X, y, splits) for f in fit_predict_probas]
    meta = LogisticRegression(C=C).fit(stacking_features(oof), y)
    test = [
        np.asarray(f(np.asarray(X), np.asarray(y), np.asarray(X_test))) for f in fit_predict_probas
    ]
    return meta.predict_proba(stacking_features(test))


# --------------------------------------------------------------------------------------
# Snapshot ensembles and fast geometric ensembling
# --------------------------------------------------------------------------------------


def _check_steps(total_steps, name: str = "total_steps") -> int:
    if not isinstance(total_steps, (int, np.integer)) or total_steps < 1:
        raise ValueError(f"{name} must be an int >= 1; got {total_steps!r}")
    return int(total_steps)


def snapshot_schedule(base_lr: float, total_steps: int, num_cycles: int) -> np.ndarray:
    r"""Cyclic cosine learning rate of snapshot ensembles (Huang et al. 2017).

    .. math:: \alpha(t) = \frac{\alpha_0}{2}\left(\cos\left(\frac{\pi\,
        \mathrm{mod}(t-1, \lceil T/M\rceil)}{\lceil T/M\rceil}\right) + 1\right),
        \quad t = 1, \dots, T

    Each of the :math:`M` cycles restarts at :math:`\alpha_0` and anneals towards 0 (cosine
    annealing with warm restarts, SGDR, ``CosineAnnealingWarmRestarts(T_0=⌈T/M⌉)``; not
    the triangular ``CyclicLR``); a snapshot is taken at the end of each cycle, where the
    learning rate is smallest and the model sits in a local minimum.

    Returns:
        (T,) learning rates for steps :math:`t = 1..T`.

    Example:
        >>> snapshot_schedule(0.1, 6, 2)
        array([0.1  , 0.075, 0.025, 0.1  , 0.075, 0.025])
    """
    total_steps = _check_steps(total_steps)
    num_cycles = _check_steps(num_cycles, "num_cycles")
    check_nonnegative(base_lr, "base_lr")
    cycle = math.ceil(total_steps / num_cycles)
    t = np.arange(1, total_steps + 1)
    return base_lr / 2 * (np.cos(np.pi * ((t - 1) % cycle) / cycle) + 1)


def snapshot_steps(total_steps: int, num_cycles: int) -> np.ndarray:
    """The 1-based steps after which snapshots are taken: the end of every cycle
    (:math:`k\\lceil T/M\\rceil`, and :math:`T` for a shorter last cycle)."""
    total_steps = _check_steps(total_steps)
    cycle = math.ceil(total_steps / _check_steps(num_cycles, "num_cycles"))
    return np.unique(np.minimum(np.arange(cycle, total_steps + cycle, cycle), total_steps))


def snapshot_ensemble(
    params: list[np.ndarray],
    grad_fn: Callable[[list[np.ndarray]], list[np.ndarray]],
    base_lr: float,
    total_steps: int,
    num_cycles: int,
    momentum: float = 0.0,
) -> list[list[np.ndarray]]:
    r"""Train with :func:`snapshot_schedule` and collect one snapshot per cycle.

    Uses :class:`solutions.optim.SGD` (updating ``params`` in place) and sets its learning
    rate before every step; the optimizer state (momentum) is kept across restarts, as in
    Huang et al.

    Args:
        params: the model's arrays (updated in place).
        grad_fn: ``params -> grads`` (a list of arrays of the same shapes).
        base_lr, total_steps, num_cycles: as in :func:`snapshot_schedule`.
        momentum: SGD momentum.

    Returns:
        A list of ``num_cycles`` snapshots (copies of ``params``), oldest first.
    """
    lrs = snapshot_schedule(base_lr, total_steps, num_cycles)
    take = set(snapshot_steps(total_steps, num_cycles).tolist())
    opt = SGD(params, lr=float(lrs[0]), momentum=momentum)
    snapshots = []
    for t, lr in enumerate(lrs, start=1):
        opt.param_groups[0]["lr"] = float(lr)
        opt.step(grad_fn(params))
        if t in take:
            snapshots.append([p.copy() for p in params])
    return snapshots


def fge_schedule(lr_max: float, lr_min: float, cycle_length: int, total_steps: int) -> np.ndarray:
    r"""Cyclic linear learning rate of fast geometric ensembling (Garipov et al. 2018).

    .. math::
        t(i) = \frac{\mathrm{mod}(i-1, c) + 1}{c},\qquad
        \alpha(i) = \begin{cases}
            (1 - 2t(i))\,\alpha_1 + 2t(i)\,\alpha_2 & 0 < t(i) \le \tfrac12 \\
            (2 - 2t(i))\,\alpha_2 + (2t(i) - 1)\,\alpha_1 & \tfrac12 < t(i) \le 1
        \end{cases}

    i.e. from :math:`\alpha_1` = ``lr_max`` down to :math:`\alpha_2` = ``lr_min`` in half a
    cycle and back up. Cycles are short (a few epochs); a model is collected at the middle
    of every cycle (:math:`t(i) = \tfrac12`, the lowest rate, see :func:`fge_steps`). The
    collected weights lie along a low-loss path in one basin.

    Args:
        lr_max, lr_min: :math:`\alpha_1 \ge \alpha_2 \ge 0`. cycle_length: even :math:`c \ge 2`.
        total_steps: number of iterations :math:`i = 1..T`.

    Example:
        >>> fge_schedule(0.05, 0.01, 4, 8)
        array([0.03, 0.01, 0.03, 0.05, 0.03, 0.01, 0.03, 0.05])
    """
    total_steps = _check_steps(total_steps)
    if not isinstance(cycle_length, (int, np.integer)) or cycle_length < 2 or cycle_length % 2:
        raise ValueError(f"cycle_length must be an even int >= 2; got {cycle_length!r}")
    check_nonnegative(lr_min, "lr_min")
    if not lr_max >= lr_min:
        raise ValueError(f"lr_max must be >= lr_min; got lr_max={lr_max}, lr_min={lr_min}")
    i = np.arange(1, total_steps + 1)
    t = ((i - 1) % cycle_length + 1) / cycle_length
    down = (1 - 2 * t) * lr_max + 2 * t * lr_min
    up = (2 - 2 * t) * lr_min + (2 * t - 1) * lr_max
    return np.where(t <= 0.5, down, up)


def fge_steps(cycle_length: int, total_steps: int) -> np.ndarray:
    """1-based iterations at which FGE collects a model: the middle of each cycle."""
    total_steps = _check_steps(total_steps)
    return np.arange(cycle_length // 2, total_steps + 1, cycle_length)


# --------------------------------------------------------------------------------------
# SWA / EMA
# --------------------------------------------------------------------------------------


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """In-place ``torch.lerp`` (same two formulas, so the rounding matches)."""
    if weight < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable:
    r"""In-place EMA over a list of arrays (``torch.optim.swa_utils.get_ema_multi_avg_fn``).

    .. math:: W^{\text{EMA}}_{t+1} = \text{decay}\cdot W^{\text{EMA}}_t
        + (1-\text{decay})\cdot W^{\text{model}}_{t+1}

    (``AveragedModel`` copies the model on its first update, :math:`W_0^{EMA} = W_0`.)
    """
    if not 0 <= decay <= 1:
        raise ValueError(
            f"Invalid decay value {decay} provided. Please provide a value in [0,1] range."
        )

    def ema_update(ema_params: list, current_params: list, num_averaged) -> None:
        for ema, current in zip(ema_params, current_params, strict=True):
            if np.issubdtype(ema.dtype, np.floating):
                _lerp_(ema, current, 1 - decay)
            else:  # integer buffers: computed in float, truncated on assignment (torch copy_)
                ema[...] = ema * decay + current * (1 - decay)

    return ema_update


def get_swa_multi_avg_fn() -> Callable:
    r"""In-place running mean over a list of arrays (``get_swa_multi_avg_fn``).

    .. math:: W^{\text{SWA}} \leftarrow W^{\text{SWA}} + \frac{W - W^{\text{SWA}}}{n + 1}
    """

    def swa_update(averaged_params: list, current_params: list, num_averaged) -> None:
        for avg, current in zip(averaged_params, current_params, strict=True):
            if np.issubdtype(avg.dtype, np.floating):
                _lerp_(avg, current, 1 / (num_averaged + 1))
            else:
                avg[...] = avg + (current - avg) / (num_averaged + 1)

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable:
    r"""EMA of one array (``get_ema_avg_fn``): returns
    :math:`\text{decay}\cdot W^{EMA} + (1-\text{decay})\cdot W`."""
    if not 0 <= decay <= 1:
        raise ValueError(
            f"Invalid decay value {decay} provided. Please provide a value in [0,1] range."
        )

    def ema_update(ema_param: np.ndarray, current_param: np.ndarray, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable:
    r"""Running mean of one array (``get_swa_avg_fn``): returns
    :math:`W^{SWA} + (W - W^{SWA})/(n+1)`."""

    def swa_update(averaged_param: np.ndarray, current_param: np.ndarray, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def _copy_arrays(arrays, name: str) -> list[np.ndarray]:
    if arrays is None:
        return []
    if isinstance(arrays, np.ndarray):
        raise TypeError(f"{name} must be a list of arrays, not a single array")
    return [np.array(a, copy=True) for a in arrays]


def _check_like(ours: list[np.ndarray], theirs: list, name: str) -> list[np.ndarray]:
    theirs = [] if theirs is None else [np.asarray(a) for a in theirs]
    if len(theirs) != len(ours):
        raise ValueError(f"{name} must have {len(ours)} arrays (as at creation); got {len(theirs)}")
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        if a.shape != b.shape:
            raise ValueError(f"{name}[{i}] must have shape {a.shape}; got {b.shape}")
    return theirs


class AveragedModel:
    r"""Running average of a model's weights: SWA (Izmailov et al. 2018) by default, or an
    EMA with :func:`get_ema_multi_avg_fn` (``torch.optim.swa_utils.AveragedModel``).

    .. math:: W^{\text{SWA}} \leftarrow \frac{n\,W^{\text{SWA}} + W}{n+1}

    The averaged weights are snapshots along *one* SGD trajectory (with a constant or
    cyclic learning rate, :class:`SWALR`), which is why they lie in one basin; averaging
    independently trained networks generally fails (permutation symmetry).

    Behaviour as torch:

    * the first :meth:`update_parameters` (``n_averaged == 0``) copies the model;
      later ones apply ``multi_avg_fn`` (in place, on the lists) or ``avg_fn`` (per array)
      with the number of models averaged so far, default the running mean;
    * ``use_buffers=False``: buffers (BatchNorm statistics) are *copied* from the model at
      every update (recompute them afterwards with :func:`update_bn`);
      ``use_buffers=True``: they are averaged together with the parameters;
    * integer buffers are averaged in float and truncated, as torch's ``copy_``.

    Args:
        params: the model's parameter arrays (copied).
        buffers: the model's buffers (copied), default none.
        avg_fn: ``(averaged, current, n_averaged) -> new averaged`` for one array.
        multi_avg_fn: ``(averaged_list, current_list, n_averaged) -> None`` in place.
        use_buffers: average the buffers too.

    Example:
        >>> swa = AveragedModel([np.zeros(2)])
        >>> for w in (1.0, 2.0, 6.0): swa.update_parameters([np.full(2, w)])
        >>> swa.params[0], swa.n_averaged
        (array([3., 3.]), 3)
    """

    def __init__(
        self,
        params: list[np.ndarray],
        buffers: list[np.ndarray] | None = None,
        avg_fn: Callable | None = None,
        multi_avg_fn: Callable | None = None,
        use_buffers: bool = False,
    ):
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("Only one of avg_fn and multi_avg_fn should be provided")
        self.params = _copy_arrays(params, "params")
        self.buffers = _copy_arrays(buffers, "buffers")
        self.avg_fn, self.multi_avg_fn = avg_fn, multi_avg_fn
        self.use_buffers = use_buffers
        self.n_averaged = 0

    def update_parameters(self, params: list[np.ndarray], buffers=None) -> None:
        """Fold the model's current ``params`` (and ``buffers``) into the average."""
        params = _check_like(self.params, params, "params")
        buffers = _check_like(self.buffers, buffers, "buffers")
        averaged = self.params + self.buffers if self.use_buffers else self.params
        current = params + buffers if self.use_buffers else params
        if self.n_averaged == 0:
            for a, c in zip(averaged, current, strict=True):
                a[...] = c
        elif self.avg_fn is not None:
            for a, c in zip(averaged, current, strict=True):
                a[...] = self.avg_fn(a, c, self.n_averaged)
        elif self.multi_avg_fn is not None:
            self.multi_avg_fn(averaged, current, self.n_averaged)
        else:  # torch's CPU default: get_swa_avg_fn array by array
            swa = get_swa_avg_fn()
            for a, c in zip(averaged, current, strict=True):
                a[...] = swa(a, c, self.n_averaged)
        if not self.use_buffers:
            for b, c in zip(self.buffers, buffers, strict=True):
                b[...] = c
        self.n_averaged += 1


class SWALR(LRScheduler):
    r"""Anneal each group's learning rate to a constant ``swa_lr``
    (``torch.optim.swa_utils.SWALR``).

    .. math:: \eta_s = \alpha_s\,\eta_{\text{swa}} + (1-\alpha_s)\,\eta_{\text{start}},
        \qquad \alpha_s = a\big(\min(1, s/\max(1, E))\big),\quad
        a(\tau) = \tau \text{ (linear)} \text{ or } \tfrac{1 - \cos\pi\tau}{2} \text{ (cos)}

    where :math:`s` counts the :meth:`step` calls and :math:`E` = ``anneal_epochs``. As in
    torch the start rate is recovered at each step from the group's current ``lr`` and the
    previous :math:`\alpha` (so another scheduler may have set it), and the construction
    itself performs step 0 (leaves the rate unchanged, or sets ``swa_lr`` when
    ``anneal_epochs == 0``).

    Args:
        optimizer: a :class:`solutions.optim.Optimizer`.
        swa_lr: one value, or one per param group.
        anneal_epochs: :math:`E \ge 0`. anneal_strategy: ``'cos'`` or ``'linear'``.
        last_epoch: as in :class:`solutions.lr_scheduler.LRScheduler`.

    Example:
        >>> from solutions.optim import SGD
        >>> opt = SGD([np.zeros(1)], lr=1.0)
        >>> sched = SWALR(opt, swa_lr=0.2, anneal_epochs=2, anneal_strategy="linear")
        >>> [sched.step() or round(sched.get_last_lr()[0], 6) for _ in range(3)]
        [0.6, 0.2, 0.2]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr,
        anneal_epochs: int = 10,
        anneal_strategy: str = "cos",
        last_epoch: int = -1,
    ):
        groups = optimizer.param_groups
        if isinstance(swa_lr, (list, tuple)):
            if len(swa_lr) != len(groups):
                raise ValueError(
                    f"swa_lr must have the same length as optimizer.param_groups: "
                    f"expected {len(groups)}, got {len(swa_lr)}"
                )
            swa_lrs = list(swa_lr)
        else:
            swa_lrs = [swa_lr] * len(groups)
        for lr, group in zip(swa_lrs, groups, strict=True):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_strategy, self.anneal_epochs = anneal_strategy, anneal_epochs
        super().__init__(optimizer, last_epoch)

    def anneal(self, t: float) -> float:
        return t if self.anneal_strategy == "linear" else (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list[float]:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self.anneal(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        groups = self.optimizer.param_groups
        prev_lrs = [self._initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in groups]
        alpha = self.anneal(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [
            g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(groups, prev_lrs, strict=True)
        ]


def update_bn(
    batches: Iterable,
    forward_fn: Callable[[np.ndarray], Sequence[np.ndarray]],
    bn_states: Sequence[dict],
    eps: float = 1e-5,
) -> None:
    r"""Recompute BatchNorm running statistics with one pass over the data
    (``torch.optim.swa_utils.update_bn``).

    After averaging weights (SWA) the stored statistics belong to no actual model, so they
    are reset (mean 0, variance 1) and re-estimated as the *cumulative* average over the
    :math:`B` batches (torch sets ``momentum=None``, i.e. momentum :math:`1/t` at batch
    :math:`t`):

    .. math:: \hat\mu = \frac1B\sum_{t=1}^B \mu_t, \qquad
        \hat\sigma^2 = \frac1B\sum_{t=1}^B \frac{n_t}{n_t - 1}\,\sigma_t^2

    per channel, where :math:`\mu_t, \sigma_t^2` are the mean and biased variance of the
    :math:`n_t` values of a channel in batch :math:`t`
    (:func:`solutions.norm.batch_norm` with ``training=True`` does each update).

    Args:
        batches: an iterable of inputs; a tuple/list batch uses its first element (torch:
            ``(input, target)`` pairs).
        forward_fn: ``input -> [x_1, ..., x_L]``, the input of each BatchNorm layer for this
            batch, computed in training mode (every BatchNorm normalises with the batch's
            own statistics, so the running statistics do not affect the forward). Each
            ``x_l`` is (N, C) or (N, C, *spatial).
        bn_states: one dict per layer with ``"running_mean"`` and ``"running_var"`` (C,)
            arrays, updated in place; ``"num_batches_tracked"`` is set to the number of
            batches.
        eps: the layers' eps (does not affect the statistics).
    """
    for i, state in enumerate(bn_states):
        if "running_mean" not in state or "running_var" not in state:
            raise ValueError(f"bn_states[{i}] must have 'running_mean' and 'running_var' arrays")
        state["running_mean"][...] = 0
        state["running_var"][...] = 1
        state["num_batches_tracked"] = 0
    if not bn_states:
        return
    for batch in batches:
        if isinstance(batch, (list, tuple)):
            batch = batch[0]
        layer_inputs = list(forward_fn(batch))
        if len(layer_inputs) != len(bn_states):
            raise ValueError(
                f"forward_fn must return one input per BatchNorm layer ({len(bn_states)}); "
                f"got {len(layer_inputs)}"
            )
        for x, state in zip(layer_inputs, bn_states, strict=True):
            state["num_batches_tracked"] += 1
            batch_norm(
                x,
                state["running_mean"],
                state["running_var"],
                training=True,
                momentum=1.0 / state["num_batches_tracked"],
                eps=eps,
            )


# --------------------------------------------------------------------------------------
# Multi-exit networks
# --------------------------------------------------------------------------------------


def _exit_weights(num_exits: int, weights) -> np.ndarray:
    if weights is None:
        return np.arange(1, num_exits + 1, dtype=np.float64)
    return _check_weights(weights, num_exits)


def multi_exit_loss(exit_losses, weights=None) -> np.ndarray:
    r"""Joint training loss of a network with early exits (BranchyNet, MSDNet).

    .. math:: L = \frac{\sum_{k=1}^{K} w_k L_k}{\sum_{k=1}^{K} w_k}, \qquad
        w_k = k \text{ by default}

    Exits are ordered from shallowest (:math:`k=1`) to deepest (:math:`k=K`); the default
    weights grow with depth, so the final classifier counts most while the early exits
    still receive a gradient. Weights are normalised, so the loss stays on the scale of
    one exit's loss (multiply by :math:`\sum_k w_k` for the unnormalised sum).

    Args:
        exit_losses: (K,) the exits' (already reduced) losses.
        weights: (K,) non-negative, not all zero; default :math:`1, 2, \dots, K`.

    Example:
        >>> round(float(multi_exit_loss([3.0, 2.0, 1.0])), 6)  # (1*3 + 2*2 + 3*1) / 6
        1.666667
    """
    losses = as_float_array(exit_losses, "exit_losses")
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(f"exit_losses must be a non-empty 1-D array; got shape {losses.shape}")
    w = _exit_weights(losses.size, weights)
    return np.asarray(np.dot(w / w.sum(), losses), dtype=losses.dtype)


def multi_exit_loss_backward(grad_output, exit_losses, weights=None) -> np.ndarray:
    r"""Gradient of :func:`multi_exit_loss` w.r.t. the exit losses:
    :math:`g\,w_k / \sum_j w_j`."""
    losses = as_float_array(exit_losses, "exit_losses")
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(f"exit_losses must be a non-empty 1-D array; got shape {losses.shape}")
    w = _exit_weights(losses.size, weights)
    return (np.asarray(grad_output) * w / w.sum()).astype(losses.dtype)
