import math

import numpy as np
import pytest
import scipy.stats
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from solutions import ensembles as E
from solutions.backprop import gradient_check
from solutions.optim import SGD
from tests.solutions.strategies import assert_close, dtypes, to_torch

# --------------------------------------------------------------------------------------
# Weighted averaging
# --------------------------------------------------------------------------------------


@st.composite
def member_probas(draw, dtype=None):
    dtype = dtype or draw(dtypes)
    m, n, c = draw(st.integers(1, 5)), draw(st.integers(1, 6)), draw(st.integers(1, 4))
    logits = draw(hnp.arrays(np.float64, (m, n, c), elements=st.floats(-20, 20)))
    p = np.exp(logits - logits.max(axis=2, keepdims=True))
    return (p / p.sum(axis=2, keepdims=True)).astype(dtype)


def nonneg_weights(m):
    # zero or >= 1e-3: torch's float32 copy of a subnormal weight would underflow to 0
    weight = st.one_of(st.just(0.0), st.floats(1e-3, 100))
    return hnp.arrays(np.float64, (m,), elements=weight).filter(lambda w: w.sum() > 0)


@given(p=member_probas(), data=st.data())
def test_weighted_average_matches_torch_and_laws(p, data):
    w = data.draw(nonneg_weights(p.shape[0]))
    wt = torch.from_numpy(w).to(to_torch(p).dtype)
    theirs = (wt[:, None, None] * to_torch(p)).sum(0) / wt.sum()
    ours = E.weighted_average(p, w)
    assert ours.dtype == p.dtype
    assert_close(ours, theirs, dtype=p.dtype, what="weighted average")
    # equal weights: the plain mean; any positive rescaling of w: the same average
    assert_close(E.weighted_average(p), p.mean(axis=0), dtype=p.dtype, what="mean")
    assert_close(E.weighted_average(p, 7.5 * w), ours, dtype=p.dtype, what="scale invariance")
    np.testing.assert_allclose(ours.sum(axis=-1), 1.0, rtol=1e-5)
    same = np.repeat(p[:1], p.shape[0], axis=0)
    assert_close(E.weighted_average(same, w), p[0], dtype=p.dtype, what="identical members")


def test_weighted_average_errata_example():
    h = np.array([0.8, 0.6, 0.7]).reshape(3, 1, 1)
    assert np.isclose(E.weighted_average(h, [0.5, 0.3, 0.2])[0, 0], 0.72)


@given(p=member_probas(np.float64), data=st.data())
def test_weighted_average_backward_matches_torch_autograd(p, data):
    w = data.draw(nonneg_weights(p.shape[0])) + 0.1
    pt, wt = to_torch(p, requires_grad=True), to_torch(w, requires_grad=True)
    g = np.random.default_rng(0).standard_normal(p.shape[1:])
    out = (wt[:, None, None] * pt).sum(0) / wt.sum()
    (out * torch.from_numpy(g)).sum().backward()
    grad_p, grad_w = E.weighted_average_backward(g, p, w)
    assert_close(grad_p, pt.grad, what="grad probas")
    assert_close(grad_w, wt.grad, rtol=1e-9, what="grad weights")
    assert_close(E.weighted_average_backward(g, p), np.broadcast_to(g / p.shape[0], p.shape))


def test_weighted_average_backward_passes_gradient_check():
    rng = np.random.default_rng(1)
    p, w = rng.random((3, 4, 2)), rng.random(3) + 0.5
    errors = gradient_check(E.weighted_average, E.weighted_average_backward, [p, w], wrt=[0, 1])
    assert max(errors) < 1e-7


# --------------------------------------------------------------------------------------
# Voting
# --------------------------------------------------------------------------------------

predictions_st = st.integers(1, 6).flatmap(
    lambda m: hnp.arrays(np.int64, (m, 8), elements=st.integers(-2, 3))
)


@given(predictions_st)
def test_vote_matches_scipy_mode_with_lowest_tie(preds):
    theirs = scipy.stats.mode(preds, axis=0, keepdims=False).mode
    np.testing.assert_array_equal(E.vote(preds), theirs)


class _FixedPredictions(ClassifierMixin, BaseEstimator):
    """A 'model' that predicts stored labels for sample index X[:, 0]."""

    def __init__(self, labels=None):
        self.labels = labels

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return self.labels[X[:, 0].astype(int)]


@settings(max_examples=60)  # each example fits a VotingClassifier (~10 ms)
@given(data=st.data())
def test_weighted_vote_matches_sklearn_voting_classifier(data):
    from sklearn.ensemble import VotingClassifier

    m, n, k = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 10)), 4
    preds = data.draw(hnp.arrays(np.int64, (m, n), elements=st.integers(0, k - 1)))
    w = data.draw(st.lists(st.integers(0, 3), min_size=m, max_size=m).filter(any))
    X = np.arange(n, dtype=float)[:, None]
    y = np.arange(n) % k if n >= k else np.arange(k)[:n]
    members = [(f"m{i}", _FixedPredictions(preds[i])) for i in range(m)]
    classes = np.unique(y)
    if not np.isin(preds, classes).all():  # VotingClassifier decodes through y's classes
        return
    theirs = VotingClassifier(members, voting="hard", weights=w).fit(X, y).predict(X)
    np.testing.assert_array_equal(E.vote(preds, w), theirs)


@given(predictions_st, st.data())
def test_vote_laws(preds, data):
    m = preds.shape[0]
    w = data.draw(st.lists(st.integers(0, 3), min_size=m, max_size=m).filter(any))
    perm = data.draw(st.permutations(range(m)))
    # permuting the models (with their weights) does not change the lowest-label vote
    np.testing.assert_array_equal(E.vote(preds[perm], np.array(w)[perm]), E.vote(preds, w))
    # an integer weight is the same as repeating the model
    np.testing.assert_array_equal(E.vote(preds, w), E.vote(np.repeat(preds, w, axis=0)))
    # the winner always has the largest weighted count; 'first' picks one of the tied
    for rule in ("lowest", "first"):
        winner = E.vote(preds, w, tie_break=rule)
        support = ((preds == winner) * np.array(w)[:, None]).sum(axis=0)
        for label in np.unique(preds):
            assert np.all(support >= ((preds == label) * np.array(w)[:, None]).sum(axis=0))
    # identical members: the vote is that member
    np.testing.assert_array_equal(E.vote(np.repeat(preds[:1], 3, axis=0)), preds[0])


def test_vote_tie_rules():
    preds = np.array([[2, 5], [1, 5], [7, 3]])
    np.testing.assert_array_equal(E.vote(preds), [1, 5])
    np.testing.assert_array_equal(E.vote(preds, tie_break="first"), [2, 5])
    np.testing.assert_array_equal(E.vote(preds, [1, 1, 3]), [7, 3])


# --------------------------------------------------------------------------------------
# Rank averaging
# --------------------------------------------------------------------------------------


@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 4), st.integers(1, 9)),
        elements=st.integers(-3, 3).map(float),
    )
)
def test_rankdata_average_matches_scipy_with_ties(x):
    np.testing.assert_array_equal(E.rankdata_average(x), scipy.stats.rankdata(x, axis=-1))


@given(
    scores=st.tuples(st.integers(1, 4), st.integers(1, 9), st.sampled_from([(), (3,)])).flatmap(
        lambda s: hnp.arrays(
            np.float64, (s[0], s[1], *s[2]), elements=st.integers(-4, 4).map(float)
        )
    ),
    data=st.data(),
)
def test_rank_average_matches_scipy_and_is_invariant_to_monotone_transforms(scores, data):
    m, n = scores.shape[:2]
    w = data.draw(nonneg_weights(m))
    expected = sum(w[i] * scipy.stats.rankdata(scores[i], axis=0) / n for i in range(m)) / w.sum()
    ours = E.rank_average(scores, w)
    assert_close(ours, expected, what="rank average")
    transforms = [np.exp, lambda s: s**3 - 7, lambda s: np.arctan(s) * 1e3, lambda s: 2 * s + 1]
    picks = data.draw(st.lists(st.sampled_from(range(4)), min_size=m, max_size=m))
    transformed = np.stack([transforms[j](scores[i]) for i, j in enumerate(picks)])
    assert_close(E.rank_average(transformed, w), ours, what="after monotone transforms")
    assert np.all((ours > 0) & (ours <= 1 + 1e-12))


# --------------------------------------------------------------------------------------
# Stacking
# --------------------------------------------------------------------------------------


@given(st.integers(2, 40), st.integers(2, 7))
def test_kfold_indices_match_sklearn(n, k):
    from sklearn.model_selection import KFold

    if k > n:
        with pytest.raises(ValueError, match="Cannot have number of splits"):
            E.kfold_indices(n, k)
        return
    ours = E.kfold_indices(n, k)
    for (tr, te), (str_, ste) in zip(ours, KFold(k).split(np.zeros(n)), strict=True):
        np.testing.assert_array_equal(tr, str_)
        np.testing.assert_array_equal(te, ste)
    shuffled = E.kfold_indices(n, k, shuffle=True, generator=3)
    tests = np.concatenate([te for _, te in shuffled])
    np.testing.assert_array_equal(np.sort(tests), np.arange(n))  # still a partition
    for tr, te in shuffled:
        assert np.intersect1d(tr, te).size == 0 and tr.size + te.size == n


def _classification_data(n_classes, seed=0, n=90):
    from sklearn.datasets import make_classification

    return make_classification(
        n_samples=n,
        n_features=5,
        n_informative=3,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        random_state=seed,
    )


def _fit_predict_proba(estimator):
    def fit_predict(X_train, y_train, X_eval):
        return clone(estimator).fit(X_train, y_train).predict_proba(X_eval)

    return fit_predict


def test_out_of_fold_predictions_match_cross_val_predict():
    from sklearn.model_selection import KFold, cross_val_predict
    from sklearn.naive_bayes import GaussianNB

    X, y = _classification_data(3)
    ours = E.out_of_fold_predictions(_fit_predict_proba(GaussianNB()), X, y, cv=4)
    theirs = cross_val_predict(GaussianNB(), X, y, cv=KFold(4), method="predict_proba")
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="partition"):
        E.out_of_fold_predictions(
            _fit_predict_proba(GaussianNB()), X, y, cv=[(np.arange(5), np.arange(5, 9))]
        )


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_logistic_regression_matches_sklearn(n_classes, C):
    from sklearn.linear_model import LogisticRegression

    X, y = _classification_data(n_classes, seed=1)
    ours = E.LogisticRegression(C=C).fit(X, y)
    theirs = LogisticRegression(C=C, tol=1e-12, max_iter=100_000).fit(X, y)
    # both are iterative L-BFGS solves of the same strictly convex problem: agreement is
    # limited by the solvers' stopping rules, not by the model (1e-6 on probabilities)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-4)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize("n_classes", [2, 3])
def test_stacking_matches_sklearn_stacking_classifier(n_classes):
    from sklearn.ensemble import StackingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier

    X, y = _classification_data(n_classes, seed=2, n=120)
    X_train, y_train, X_test = X[:90], y[:90], X[90:]
    members = [GaussianNB(), KNeighborsClassifier(7), LogisticRegression(C=0.5)]
    splits = list(KFold(5).split(X_train))
    sk = StackingClassifier(
        [(f"m{i}", est) for i, est in enumerate(members)],
        final_estimator=LogisticRegression(tol=1e-12, max_iter=100_000),
        cv=splits,
        stack_method="predict_proba",
    ).fit(X_train, y_train)
    ours = E.stacking_predict_proba(
        [_fit_predict_proba(est) for est in members], X_train, y_train, X_test, cv=splits
    )
    # meta-learner solved by two L-BFGS implementations (see the test above)
    np.testing.assert_allclose(ours, sk.predict_proba(X_test), atol=1e-6)


# --------------------------------------------------------------------------------------
# Snapshot ensembles and FGE
# --------------------------------------------------------------------------------------


def _torch_lrs(make_scheduler, steps, lr):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler = make_scheduler(opt)
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return np.array(lrs)


@settings(max_examples=100)  # each example steps a torch scheduler up to 60 times
@given(st.floats(1e-4, 1.0), st.integers(1, 60), st.integers(1, 8))
def test_snapshot_schedule_matches_cosine_warm_restarts(base_lr, total, cycles):
    period = math.ceil(total / cycles)
    theirs = _torch_lrs(
        lambda opt: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=period),
        total,
        base_lr,
    )
    assert_close(E.snapshot_schedule(base_lr, total, cycles), theirs, what="snapshot lr")
    steps = E.snapshot_steps(total, cycles)
    assert steps[-1] == total and np.all(np.diff(steps) > 0)
    assert len(steps) == math.ceil(total / period)


def test_snapshot_ensemble_collects_one_model_per_cycle():
    target = np.array([1.0, -2.0])

    def grad_fn(params):
        return [params[0] - target]

    w = np.array([5.0, 5.0])
    snaps = E.snapshot_ensemble([w], grad_fn, 0.3, 40, 4, momentum=0.9)
    assert len(snaps) == 4
    # the same run in torch, lr set from the schedule before every step
    t = torch.tensor([5.0, 5.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([t], lr=0.3, momentum=0.9)
    expected = []
    for step, lr in enumerate(E.snapshot_schedule(0.3, 40, 4), start=1):
        opt.param_groups[0]["lr"] = float(lr)
        t.grad = t.detach() - torch.from_numpy(target)
        opt.step()
        if step % 10 == 0:
            expected.append(t.detach().numpy().copy())
    for ours, theirs in zip(snaps, expected, strict=True):
        assert_close(ours[0], theirs, what="snapshot")
    assert_close(w, expected[-1], what="final params")


@settings(max_examples=100)  # each example steps a torch scheduler up to 60 times
@given(
    lrs=st.tuples(st.floats(0, 1), st.floats(0, 1)).map(sorted),
    half=st.integers(1, 6),
    total=st.integers(1, 50),
)
def test_fge_schedule_is_a_shifted_triangular_cyclic_lr(lrs, half, total):
    lr_min, lr_max = lrs
    c = 2 * half
    # FGE at iteration i equals torch's triangular CyclicLR after i + c/2 steps
    theirs = _torch_lrs(
        lambda opt: torch.optim.lr_scheduler.CyclicLR(
            opt, base_lr=lr_min, max_lr=lr_max, step_size_up=half, cycle_momentum=False
        ),
        total + c,
        lr_min,
    )[half + 1 : half + 1 + total]
    ours = E.fge_schedule(lr_max, lr_min, c, total)
    assert_close(ours, theirs, atol=1e-15, what="FGE lr")
    for i in E.fge_steps(c, total):
        assert np.isclose(ours[i - 1], lr_min)


# --------------------------------------------------------------------------------------
# SWA / EMA vs torch.optim.swa_utils
# --------------------------------------------------------------------------------------


def _torch_bn_model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.ReLU(), torch.nn.Linear(6, 3)
    ).double()


def _numpy_state(model):
    return (
        [p.detach().numpy().copy() for p in model.parameters()],
        [b.detach().numpy().copy() for b in model.buffers()],
    )


AVERAGERS = {
    "swa-default": ({}, {}),
    "ema-avg_fn": (
        {"avg_fn": torch.optim.swa_utils.get_ema_avg_fn(0.9)},
        {"avg_fn": E.get_ema_avg_fn(0.9)},
    ),
    "ema-multi": (
        {"multi_avg_fn": torch.optim.swa_utils.get_ema_multi_avg_fn(0.7)},
        {"multi_avg_fn": E.get_ema_multi_avg_fn(0.7)},
    ),
    "ema-multi-0.2": (
        {"multi_avg_fn": torch.optim.swa_utils.get_ema_multi_avg_fn(0.2)},
        {"multi_avg_fn": E.get_ema_multi_avg_fn(0.2)},
    ),
    "swa-multi": (
        {"multi_avg_fn": torch.optim.swa_utils.get_swa_multi_avg_fn()},
        {"multi_avg_fn": E.get_swa_multi_avg_fn()},
    ),
    "swa-avg_fn": (
        {"avg_fn": torch.optim.swa_utils.get_swa_avg_fn()},
        {"avg_fn": E.get_swa_avg_fn()},
    ),
}


@pytest.mark.parametrize("use_buffers", [False, True])
@pytest.mark.parametrize("kind", list(AVERAGERS))
def test_averaged_model_matches_torch_over_many_updates(kind, use_buffers):
    if kind == "swa-multi" and use_buffers:
        pytest.skip("torch's get_swa_multi_avg_fn fails on integer buffers (addcdiv_ on long)")
    torch_kw, our_kw = AVERAGERS[kind]
    # torch's get_swa_multi_avg_fn, given AveragedModel's long-tensor n_averaged, computes
    # the weight 1/(n+1) as a float32 tensor; ours uses the exact weight (see the next test)
    rtol = 1e-6 if kind == "swa-multi" else 1e-12
    model = _torch_bn_model()
    theirs = torch.optim.swa_utils.AveragedModel(model, use_buffers=use_buffers, **torch_kw)
    params, buffers = _numpy_state(model)
    ours = E.AveragedModel(params, buffers, use_buffers=use_buffers, **our_kw)
    gen = torch.Generator().manual_seed(1)
    for _ in range(120):
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn(p.shape, generator=gen, dtype=p.dtype))
            bn = model[1]  # move the BN buffers as a training forward would
            bn.running_mean.add_(torch.randn(6, generator=gen, dtype=torch.float64))
            bn.running_var.mul_(torch.rand(6, generator=gen, dtype=torch.float64) + 0.5)
            bn.num_batches_tracked.add_(3)
        theirs.update_parameters(model)
        ours.update_parameters(*_numpy_state(model))
    assert ours.n_averaged == int(theirs.n_averaged) == 120
    for a, b in zip(ours.params, theirs.module.parameters(), strict=True):
        assert_close(a, b, rtol=rtol, atol=1e-13, what=f"{kind} parameter")
    for a, b in zip(ours.buffers, theirs.module.buffers(), strict=True):
        assert a.dtype == b.numpy().dtype
        if np.issubdtype(a.dtype, np.integer):
            # torch computes an integer buffer's average in float32 (python float * long
            # tensor), numpy in float64: after truncation they may differ by one
            assert abs(int(a) - int(b)) <= 1
            continue
        assert_close(a, b, rtol=rtol, atol=1e-13, what=f"{kind} buffer")


@given(
    n=st.integers(1, 10_000),
    data=st.data(),
    decay=st.floats(0, 1),
)
def test_multi_avg_fns_match_torch_with_a_python_int_count(n, data, decay):
    shape = data.draw(st.sampled_from([(3,), (2, 4)]))
    avg = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-1e3, 1e3)))
    cur = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-1e3, 1e3)))
    for ours_fn, torch_fn in (
        (E.get_swa_multi_avg_fn(), torch.optim.swa_utils.get_swa_multi_avg_fn()),
        (E.get_ema_multi_avg_fn(decay), torch.optim.swa_utils.get_ema_multi_avg_fn(decay)),
    ):
        ours, theirs = [avg.copy()], [to_torch(avg)]
        ours_fn(ours, [cur], n)
        torch_fn(theirs, [to_torch(cur)], n)
        assert_close(ours[0], theirs[0], rtol=1e-15, atol=1e-13, what="in-place average")


def test_averaged_model_swa_is_the_mean_of_snapshots_and_ema_first_copies():
    rng = np.random.default_rng(0)
    snaps = rng.standard_normal((50, 3, 2))
    swa = E.AveragedModel([np.zeros((3, 2))])
    ema = E.AveragedModel([np.zeros((3, 2))], multi_avg_fn=E.get_ema_multi_avg_fn(0.5))
    for s in snaps:
        swa.update_parameters([s])
        ema.update_parameters([s])
        if ema.n_averaged == 1:
            np.testing.assert_array_equal(ema.params[0], snaps[0])  # the first update copies
    np.testing.assert_allclose(swa.params[0], snaps.mean(axis=0), rtol=1e-12)
    expected = snaps[0]
    for s in snaps[1:]:
        expected = 0.5 * expected + 0.5 * s
    np.testing.assert_allclose(ema.params[0], expected, rtol=1e-12)
    same = E.AveragedModel([snaps[0]])
    for _ in range(5):
        same.update_parameters([snaps[0]])
    np.testing.assert_array_equal(same.params[0], snaps[0])  # averaging identical members


@pytest.mark.parametrize("anneal_epochs", [0, 1, 3, 10])
@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("swa_lr", [0.05, [0.05, 0.3]])
def test_swalr_matches_torch(anneal_epochs, strategy, swa_lr):
    lrs = [0.5, 0.1]
    topt = torch.optim.SGD(
        [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    )
    tsched = torch.optim.swa_utils.SWALR(topt, swa_lr, anneal_epochs, strategy)
    fake = SGD([{"params": [np.zeros(1)], "lr": lr} for lr in lrs])
    ours = E.SWALR(fake, swa_lr, anneal_epochs, strategy)
    for step in range(25):
        assert_close(
            np.array(ours.get_last_lr()),
            np.array(tsched.get_last_lr()),
            rtol=1e-12,
            what=f"lr at {step}",
        )
        if step == 12:  # someone else changes the lr mid-way: both recover the start rate
            for g in topt.param_groups + fake.param_groups:
                g["lr"] *= 0.5
        topt.step()
        tsched.step()
        ours.step()
    assert fake.param_groups[0]["lr"] == pytest.approx(topt.param_groups[0]["lr"], rel=1e-12)


def test_swalr_reaches_swa_lr_and_bad_inputs():
    opt = SGD([np.zeros(2)], lr=1.0)
    sched = E.SWALR(opt, swa_lr=0.1, anneal_epochs=4, anneal_strategy="linear")
    for _ in range(6):
        sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1)
    with pytest.raises(ValueError, match="anneal_strategy must be one of"):
        E.SWALR(opt, 0.1, anneal_strategy="step")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0"):
        E.SWALR(opt, 0.1, anneal_epochs=-1)
    with pytest.raises(ValueError, match="same length as optimizer.param_groups"):
        E.SWALR(opt, [0.1, 0.2])


# --------------------------------------------------------------------------------------
# update_bn vs torch.optim.swa_utils.update_bn
# --------------------------------------------------------------------------------------


def _numpy_batch_norm_train(x, weight, bias, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight.reshape(shape) + bias.reshape(shape)


def test_update_bn_matches_torch_on_an_mlp():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 6),
        torch.nn.BatchNorm1d(6),
        torch.nn.ReLU(),
        torch.nn.Linear(6, 3),
        torch.nn.BatchNorm1d(3),
    ).double()
    with torch.no_grad():
        for bn in (model[1], model[4]):
            bn.weight.uniform_(0.5, 2.0)
            bn.bias.uniform_(-1, 1)
            bn.running_mean.fill_(7.0)  # stale statistics that update_bn must discard
    gen = np.random.default_rng(0)
    loader = [(gen.standard_normal((n, 4)) * 3 + 1, None) for n in (16, 5, 9, 2, 30)]
    torch.optim.swa_utils.update_bn([(torch.from_numpy(x), y) for x, y in loader], model)

    W1, b1, g1, be1, W2, b2, g2, be2 = (p.detach().numpy() for p in model.parameters())

    def forward_fn(x):
        h1 = x @ W1.T + b1
        h2 = np.maximum(_numpy_batch_norm_train(h1, g1, be1), 0) @ W2.T + b2
        return [h1, h2]

    states = [
        {"running_mean": np.full(6, 7.0), "running_var": np.full(6, 3.0)},
        {"running_mean": np.zeros(3), "running_var": np.ones(3)},
    ]
    E.update_bn(loader, forward_fn, states)
    for state, bn in zip(states, (model[1], model[4]), strict=True):
        assert_close(state["running_mean"], bn.running_mean, rtol=1e-12, what="running_mean")
        assert_close(state["running_var"], bn.running_var, rtol=1e-12, what="running_var")
        assert state["num_batches_tracked"] == int(bn.num_batches_tracked) == 5


def test_update_bn_matches_torch_on_conv_features_and_empty_loader():
    bn = torch.nn.BatchNorm2d(3).double()
    gen = np.random.default_rng(1)
    batches = [gen.standard_normal((n, 3, 4, 5)) * 2 - 1 for n in (2, 7, 1)]
    torch.optim.swa_utils.update_bn([torch.from_numpy(b) for b in batches], bn)
    state = {"running_mean": np.zeros(3), "running_var": np.ones(3)}
    E.update_bn(batches, lambda x: [x], [state])
    assert_close(state["running_mean"], bn.running_mean, rtol=1e-12, what="running_mean")
    assert_close(state["running_var"], bn.running_var, rtol=1e-12, what="running_var")
    # cumulative average of per-batch statistics, not one pooled estimate
    means = [b.mean(axis=(0, 2, 3)) for b in batches]
    np.testing.assert_allclose(state["running_mean"], np.mean(means, axis=0), rtol=1e-12)
    empty = {"running_mean": np.full(3, 5.0), "running_var": np.full(3, 5.0)}
    E.update_bn([], lambda x: [x], [empty])
    np.testing.assert_array_equal(empty["running_mean"], 0)
    np.testing.assert_array_equal(empty["running_var"], 1)
    with pytest.raises(ValueError, match="one input per BatchNorm layer"):
        E.update_bn(batches, lambda x: [x, x], [state])


# --------------------------------------------------------------------------------------
# Multi-exit loss
# --------------------------------------------------------------------------------------


@given(
    losses=st.integers(1, 6).flatmap(
        lambda k: hnp.arrays(np.float64, (k,), elements=st.floats(0, 1e4))
    ),
    data=st.data(),
)
def test_multi_exit_loss_and_backward_match_torch(losses, data):
    k = losses.size
    w = data.draw(st.one_of(st.none(), nonneg_weights(k)))
    wt = torch.arange(1, k + 1, dtype=torch.float64) if w is None else torch.from_numpy(w)
    lt = to_torch(losses, requires_grad=True)
    theirs = (wt * lt).sum() / wt.sum()
    theirs.backward()
    assert_close(E.multi_exit_loss(losses, w), theirs, what="joint loss")
    assert_close(E.multi_exit_loss_backward(1.0, losses, w), lt.grad, what="gradient")
    # central differences carry ~1e-10 absolute rounding noise (|L| ~ 1, h = 1e-6), i.e.
    # up to ~1e-6 relative on the smallest weights (>= 1e-3 / sum): check on a unit scale
    (err,) = gradient_check(
        E.multi_exit_loss, E.multi_exit_loss_backward, [losses % 3], kwargs={"weights": w}
    )
    assert err < 1e-5
    assert losses.min() - 1e-9 <= E.multi_exit_loss(losses, w) <= losses.max() + 1e-9


def test_multi_exit_default_weights_grow_with_depth():
    g = E.multi_exit_loss_backward(1.0, np.ones(4))
    np.testing.assert_allclose(g, [0.1, 0.2, 0.3, 0.4])


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


def test_bad_inputs_raise_clear_errors():
    p = np.full((2, 3, 2), 0.5)
    with pytest.raises(ValueError, match=r"weights must have shape \(2,\)"):
        E.weighted_average(p, [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="weights must be finite and >= 0"):
        E.weighted_average(p, [1.0, -1.0])
    with pytest.raises(ValueError, match="must not all be zero"):
        E.vote(np.zeros((2, 3), dtype=int), [0, 0])
    with pytest.raises(ValueError, match="integer array of shape"):
        E.vote(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="tie_break must be one of"):
        E.vote(np.zeros((2, 3), dtype=int), tie_break="random")
    with pytest.raises(ValueError, match="scores must be finite"):
        E.rank_average(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="probas must have shape"):
        E.weighted_average(np.ones(3))
    with pytest.raises(ValueError, match="at least 2 splits"):
        E.kfold_indices(10, 1)
    with pytest.raises(ValueError, match="same number of samples"):
        E.out_of_fold_predictions(lambda a, b, c: c, np.ones((4, 1)), np.ones(3), cv=2)
    with pytest.raises(ValueError, match="at least 2 classes"):
        E.LogisticRegression().fit(np.ones((3, 1)), np.zeros(3))
    with pytest.raises(ValueError, match="cycle_length must be an even int"):
        E.fge_schedule(0.1, 0.01, 3, 10)
    with pytest.raises(ValueError, match="lr_max must be >= lr_min"):
        E.fge_schedule(0.01, 0.1, 4, 10)
    with pytest.raises(ValueError, match="num_cycles must be an int >= 1"):
        E.snapshot_schedule(0.1, 10, 0)
    with pytest.raises(ValueError, match="Invalid decay value"):
        E.get_ema_multi_avg_fn(1.5)
    with pytest.raises(ValueError, match="Only one of avg_fn and multi_avg_fn"):
        E.AveragedModel(
            [np.zeros(2)], avg_fn=E.get_swa_avg_fn(), multi_avg_fn=E.get_swa_multi_avg_fn()
        )
    swa = E.AveragedModel([np.zeros(2)])
    with pytest.raises(ValueError, match=r"params\[0\] must have shape \(2,\)"):
        swa.update_parameters([np.zeros(3)])
    with pytest.raises(ValueError, match="params must have 1 arrays"):
        swa.update_parameters([np.zeros(2), np.zeros(2)])
    with pytest.raises(ValueError, match="exit_losses must be a non-empty 1-D"):
        E.multi_exit_loss(np.ones((2, 2)))
