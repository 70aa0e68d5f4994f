"""Conformance tests for solutions/init.py against torch.nn.init.

Deterministic initializers (gains, fans, eye_, dirac_, constant_) must equal torch exactly.
Random ones cannot be compared sample by sample (numpy and torch have different generators),
so both our samples and torch's samples must pass the same statistical test: the sample
mean and variance lie within Z_BAND standard errors of the values derived from the formula.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from solutions import init
from tests.solutions.strategies import dtypes

# Band of the statistical checks, in standard errors of the sampling distribution. A 6-sigma
# two-sided normal tail is 2e-9; with >= 900 samples the chi-square skew of the sample
# variance raises the upper tail to ~5e-8 (Wilson-Hilferty). The file makes ~10^4 such checks
# per CI run, so a false alarm happens about once in 2000 runs, while a wrong variance by a
# factor of 1.5 (e.g. fan_in instead of fan_in + fan_out) fails by > 10 standard errors.
Z_BAND = 6.0
# P(max |w| < bound (1 - t)) = (1 - t)^n ~ exp(-n t) for U(-bound, bound): with t = 25/n the
# sample maximum lies within a relative 25/n of the bound except with probability 1.4e-11.
MAX_GAP = 25.0

NAMES = init.NONLINEARITIES
seeds = st.integers(0, 2**32 - 1)


def weight_shapes(min_side: int = 30, max_side: int = 120, max_kernel_dims: int = 2):
    """(out, in, *kernel) with at least min_side**2 elements, so the moments are near-normal."""
    kernel = st.lists(st.integers(1, 3), min_size=0, max_size=max_kernel_dims)
    side = st.integers(min_side, max_side)
    return st.tuples(side, side, kernel).map(lambda t: (t[0], t[1], *t[2]))


def torch_fans(shape):
    return torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def assert_moments(w, mean, std, *, excess_kurtosis=0.0, what="sample"):
    """Sample mean and variance within Z_BAND standard errors of (mean, std**2).

    Standard errors: sd(mean) = std / sqrt(n); sd(s^2) = sqrt((mu4 - std^4 (n-3)/(n-1)) / n)
    with the fourth central moment mu4 = (3 + excess kurtosis) std^4.
    """
    w = np.asarray(w, dtype=np.float64).ravel()
    n = w.size
    mu4 = (3.0 + excess_kurtosis) * std**4
    se_mean = std / math.sqrt(n)
    se_var = math.sqrt(max(mu4 - std**4 * (n - 3) / (n - 1), 0.0) / n)
    got_mean, got_var = w.mean(), w.var(ddof=1)
    assert abs(got_mean - mean) <= Z_BAND * se_mean + 1e-12, (
        f"{what}: mean {got_mean:.6g} vs {mean:.6g} (band {Z_BAND * se_mean:.3g}, n={n})"
    )
    assert abs(got_var - std**2) <= Z_BAND * se_var + 1e-12, (
        f"{what}: variance {got_var:.6g} vs {std**2:.6g} (band {Z_BAND * se_var:.3g}, n={n})"
    )


def assert_uniform(w, bound, *, slack=None, what="sample"):
    """w ~ U(-bound, bound): inside the bound (up to the rounding ``slack`` of the storage
    dtype), maximum close to it, and the right moments."""
    if slack is None:
        slack = bound * np.finfo(np.asarray(w).dtype).eps
    w = np.asarray(w, dtype=np.float64)
    assert np.abs(w).max() <= bound * (1 + 1e-7) + slack, f"{what}: exceeds bound {bound}"
    assert np.abs(w).max() >= bound * (1 - MAX_GAP / w.size), (
        f"{what}: max |w| = {np.abs(w).max():.6g} is far below the bound {bound:.6g}"
    )
    # U(-b, b): variance b^2 / 3, excess kurtosis -6/5
    assert_moments(w, 0.0, bound / math.sqrt(3), excess_kurtosis=-1.2, what=what)


def torch_sample(filler, shape, seed, *args, dtype=torch.float64, **kwargs):
    t = torch.empty(shape, dtype=dtype)
    filler(t, *args, generator=torch.Generator().manual_seed(seed % 2**63), **kwargs)
    return t.numpy()


# ----------------------------------------------------------------------------- gains and fans


@pytest.mark.parametrize("name", NAMES)
def test_calculate_gain_matches_torch_for_every_nonlinearity(name):
    assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name), rel=1e-15)


@given(
    st.one_of(
        st.floats(-1e3, 1e3, allow_nan=False), st.integers(-100, 100), st.sampled_from([0.0, 1])
    )
)
def test_calculate_gain_leaky_relu_param_matches_torch(param):
    ours = init.calculate_gain("leaky_relu", param)
    assert ours == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", param), rel=1e-15)
    # the law: gain^2 (1 + a^2) / 2 = 1
    assert ours**2 * (1 + param**2) / 2 == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("param", [True, "0.2", np.float32(0.2), [0.1]])
def test_calculate_gain_rejects_bad_leaky_param_like_torch(param):
    with pytest.raises(ValueError):
        torch.nn.init.calculate_gain("leaky_relu", param)
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", param)


@pytest.mark.parametrize("name", ["gelu", "ReLU", "", "softmax", None])
def test_calculate_gain_rejects_unknown_nonlinearity_like_torch(name):
    with pytest.raises(ValueError):
        torch.nn.init.calculate_gain(name)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain(name)


@given(st.lists(st.integers(0, 7), min_size=2, max_size=5))
def test_fans_match_torch(shape):
    expected = torch_fans(shape)
    assert init._calculate_fan_in_and_fan_out(np.empty(shape)) == expected
    assert init.calculate_fan_in_and_fan_out(np.empty(shape)) == expected


@pytest.mark.parametrize("shape", [(), (5,)])
def test_fans_need_two_dimensions(shape):
    with pytest.raises(ValueError):
        torch_fans(shape)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(np.empty(shape))


# ------------------------------------------------------------------------ deterministic fillers


@given(st.integers(0, 6), st.integers(0, 6), dtypes)
def test_eye_matches_torch(rows, cols, dtype):
    ours = init.eye_(np.full((rows, cols), 7.0, dtype=dtype))
    theirs = torch.nn.init.eye_(torch.full((rows, cols), 7.0, dtype=getattr(torch, dtype.__name__)))
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours, theirs.numpy())


@given(
    st.integers(1, 4),
    st.integers(1, 5),
    st.integers(1, 5),
    st.lists(st.integers(1, 4), min_size=1, max_size=3),
    dtypes,
)
def test_dirac_matches_torch(groups, out_per_group, in_channels, kernel, dtype):
    shape = (groups * out_per_group, in_channels, *kernel)
    ours = init.dirac_(np.full(shape, 7.0, dtype=dtype), groups=groups)
    theirs = torch.nn.init.dirac_(
        torch.full(shape, 7.0, dtype=getattr(torch, dtype.__name__)), groups=groups
    )
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours, theirs.numpy())


@given(st.lists(st.integers(0, 4), max_size=4), st.floats(-1e4, 1e4, allow_nan=False), dtypes)
def test_constant_ones_zeros_match_torch(shape, val, dtype):
    def empty_torch():
        return torch.empty(shape, dtype=getattr(torch, dtype.__name__))

    for ours, theirs in [
        (init.constant_(np.empty(shape, dtype), val), torch.nn.init.constant_(empty_torch(), val)),
        (init.ones_(np.empty(shape, dtype)), torch.nn.init.ones_(empty_torch())),
        (init.zeros_(np.empty(shape, dtype)), torch.nn.init.zeros_(empty_torch())),
    ]:
        assert ours.dtype == dtype and ours.shape == tuple(shape)
        np.testing.assert_array_equal(ours, theirs.numpy())


# ----------------------------------------------------------------------------- plain random fillers


@given(
    st.integers(1000, 20000),
    st.floats(-10, 10),
    st.floats(1e-3, 10),
    seeds,
    dtypes,
)
def test_uniform_and_normal_have_the_right_distribution(n, low, width, seed, dtype):
    rng = np.random.default_rng(seed)
    w = init.uniform_(np.empty(n, dtype), low, low + width, rng)
    assert w.dtype == dtype
    centred = (w.astype(np.float64) - (low + width / 2)) / (width / 2)
    # float32 stores w to a spacing of ~|low| 6e-8, large relative to a tiny width
    slack = np.spacing(np.abs(np.asarray([low, low + width], dtype)).max()) / (width / 2)
    assert_uniform(centred, 1.0, slack=slack, what="uniform ours")
    theirs = torch_sample(torch.nn.init.uniform_, n, seed, low, low + width)
    assert_uniform((theirs - (low + width / 2)) / (width / 2), 1.0, slack=1e-9, what="torch")
    mean, std = low, width
    w = init.normal_(np.empty(n, dtype), mean, std, rng)
    assert w.dtype == dtype
    assert_moments(w, mean, std, what="normal ours")
    assert_moments(torch_sample(torch.nn.init.normal_, n, seed, mean, std), mean, std, what="torch")


@pytest.mark.filterwarnings("ignore:mean is more than 2 std:UserWarning")
@given(
    st.integers(1000, 20000),
    st.floats(-3, 3),
    st.floats(0.1, 3),
    st.floats(-6, 5.5),
    st.floats(0.5, 12),
    seeds,
    dtypes,
)
def test_trunc_normal_stays_in_bounds_and_has_truncnorm_distribution(
    n, mean, std, alpha, width, seed, dtype
):
    beta = alpha + width  # standardised bounds, possibly far in one tail
    a, b = mean + alpha * std, mean + beta * std
    w = init.trunc_normal_(np.empty(n, dtype), mean, std, a, b, np.random.default_rng(seed))
    assert w.dtype == dtype
    assert (w >= np.asarray(a, dtype)).all() and (w <= np.asarray(b, dtype)).all()
    expected = stats.truncnorm(alpha, beta, loc=mean, scale=std)
    m, v, _, k = (float(x) for x in expected.stats(moments="mvsk"))
    assert_moments(w, m, math.sqrt(v), excess_kurtosis=k, what="trunc_normal ours")
    # torch rejection-samples far-tail intervals with ~1 % acceptance: keep its sample small
    theirs = torch_sample(torch.nn.init.trunc_normal_, min(n, 2000), seed, mean, std, a, b)
    assert_moments(theirs, m, math.sqrt(v), excess_kurtosis=k, what="trunc_normal torch")
    # the whole shape, not just two moments: a Kolmogorov-Smirnov test against scipy
    assert stats.kstest(w.astype(np.float64), expected.cdf).pvalue > 1e-8


def test_trunc_normal_far_tail_is_sampled_exactly():
    """[10 std, 11 std] has mass 7.6e-24: rejection sampling from N(0, 1) would never finish."""
    w = init.trunc_normal_(np.empty(20000), 0.0, 1.0, 10.0, 11.0, np.random.default_rng(1))
    assert w.min() >= 10.0 and w.max() <= 11.0
    m, v, _, k = (float(x) for x in stats.truncnorm(10, 11).stats(moments="mvsk"))
    assert_moments(w, m, math.sqrt(v), excess_kurtosis=k)


# ----------------------------------------------------------------------------- scaled fillers


@given(weight_shapes(), st.floats(0.1, 5), seeds, dtypes)
def test_xavier_has_variance_two_over_fan_sum(shape, gain, seed, dtype):
    fan_in, fan_out = torch_fans(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))  # Glorot & Bengio (2010), eq. 12
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    w = init.xavier_uniform_(np.empty(shape, dtype), gain, np.random.default_rng(seed))
    assert w.dtype == dtype and w.shape == shape
    assert_uniform(w, bound, what="xavier_uniform ours")
    assert_uniform(
        torch_sample(torch.nn.init.xavier_uniform_, shape, seed, gain), bound, what="torch"
    )
    w = init.xavier_normal_(np.empty(shape, dtype), gain, np.random.default_rng(seed))
    assert w.dtype == dtype
    assert_moments(w, 0.0, std, what="xavier_normal ours")
    assert_moments(torch_sample(torch.nn.init.xavier_normal_, shape, seed, gain), 0.0, std)


def test_xavier_uniform_errata_example():
    """ERRATA: 300 -> 100 layer, max |W| = sqrt(6/400) = 0.12247, Var = 2/400."""
    w = init.xavier_uniform_(np.empty((100, 300)), generator=np.random.default_rng(0))
    assert np.abs(w).max() == pytest.approx(0.12247, abs=1e-5)
    assert w.var() == pytest.approx(2 / 400, rel=0.02)


kaiming_options = st.tuples(
    st.sampled_from(["fan_in", "fan_out", "FAN_IN"]),
    st.sampled_from(["leaky_relu", "relu", "tanh", "linear", "selu", "conv2d"]),
    st.floats(0, 1),
)


@given(weight_shapes(), kaiming_options, seeds, dtypes)
def test_kaiming_has_variance_gain_squared_over_fan(shape, options, seed, dtype):
    mode, nonlinearity, a = options
    fan_in, fan_out = torch_fans(shape)
    fan = fan_in if mode.lower() == "fan_in" else fan_out
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)  # He et al. (2015)
    kw = dict(a=a, mode=mode, nonlinearity=nonlinearity)
    w = init.kaiming_uniform_(np.empty(shape, dtype), generator=np.random.default_rng(seed), **kw)
    assert w.dtype == dtype
    assert_uniform(w, math.sqrt(3) * std, what="kaiming_uniform ours")
    theirs = torch_sample(torch.nn.init.kaiming_uniform_, shape, seed, **kw)
    assert_uniform(theirs, math.sqrt(3) * std, what="kaiming_uniform torch")
    w = init.kaiming_normal_(np.empty(shape, dtype), generator=np.random.default_rng(seed), **kw)
    assert_moments(w, 0.0, std, what="kaiming_normal ours")
    theirs = torch_sample(torch.nn.init.kaiming_normal_, shape, seed, **kw)
    assert_moments(theirs, 0.0, std, what="kaiming_normal torch")


def test_kaiming_normal_errata_example():
    """ERRATA: kaiming_normal_(a=0.1) on fan_in 300 has std sqrt(2/((1+a^2) fan_in)) = 0.0812."""
    w = init.kaiming_normal_(np.empty((1000, 300)), a=0.1, generator=np.random.default_rng(0))
    assert w.std() == pytest.approx(math.sqrt(2 / (1.01 * 300)), rel=0.01)


@given(weight_shapes(), seeds, dtypes)
def test_lecun_has_variance_one_over_fan_in(shape, seed, dtype):
    fan_in, _ = torch_fans(shape)
    std = 1 / math.sqrt(fan_in)  # LeCun et al. (1998)
    w = init.lecun_uniform_(np.empty(shape, dtype), np.random.default_rng(seed))
    assert w.dtype == dtype
    assert_uniform(w, math.sqrt(3) * std, what="lecun_uniform")
    # torch's kaiming with a linear gain is the same distribution
    theirs = torch_sample(torch.nn.init.kaiming_uniform_, shape, seed, nonlinearity="linear")
    assert_uniform(theirs, math.sqrt(3) * std, what="torch kaiming_uniform linear")
    w = init.lecun_normal_(np.empty(shape, dtype), np.random.default_rng(seed))
    assert_moments(w, 0.0, std, what="lecun_normal")


# ----------------------------------------------------------------------------- structured fillers


@given(
    st.lists(st.integers(1, 12), min_size=2, max_size=4),
    st.floats(0.1, 10),
    seeds,
    dtypes,
)
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape, gain, seed, dtype):
    w = init.orthogonal_(np.empty(shape, dtype), gain, np.random.default_rng(seed))
    assert w.dtype == dtype and w.shape == tuple(shape)
    flat = w.reshape(shape[0], -1).astype(np.float64)
    gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    # float64 to 1e-10 (relative to gain^2); float32 storage rounds each entry by 6e-8
    tol = (1e-10 if dtype == np.float64 else 1e-5) * gain**2
    np.testing.assert_allclose(gram, gain**2 * np.eye(len(gram)), atol=tol, rtol=0)
    theirs = torch_sample(torch.nn.init.orthogonal_, shape, seed, gain).reshape(shape[0], -1)
    assert (theirs @ theirs.T).shape == (flat @ flat.T).shape


def test_orthogonal_is_haar_distributed():
    """With the sign fix, Q is Haar: its first column is a uniform unit vector, so Q_11 has
    mean 0, variance 1/n and excess kurtosis -6/(n+2). Without the fix LAPACK's Householder QR
    makes Q_11 = -|A_11| / ||A_1|| < 0 always (mean about -0.4 for n = 4)."""
    rng = np.random.default_rng(0)
    n, reps = 4, 5000
    q11 = np.array([init.orthogonal_(np.empty((n, n)), 1.0, rng)[0, 0] for _ in range(reps)])
    assert_moments(q11, 0.0, 1 / math.sqrt(n), excess_kurtosis=-6 / (n + 2))


@given(st.integers(1, 40), st.integers(1, 30), st.floats(0, 1), st.floats(1e-3, 1), seeds)
def test_sparse_zeroes_exactly_the_fraction_of_each_column(rows, cols, sparsity, std, seed):
    w = init.sparse_(np.empty((rows, cols)), sparsity, std, np.random.default_rng(seed))
    expected_zeros = math.ceil(sparsity * rows)
    np.testing.assert_array_equal((w == 0).sum(axis=0), expected_zeros)
    theirs = torch_sample(torch.nn.init.sparse_, (rows, cols), seed, sparsity, std)
    np.testing.assert_array_equal((theirs == 0).sum(axis=0), expected_zeros)


def test_sparse_values_and_positions():
    rows, cols, std = 200, 300, 0.05
    w = init.sparse_(np.empty((rows, cols)), 0.25, std, np.random.default_rng(3))
    assert_moments(w[w != 0], 0.0, std)
    # each row is zeroed in about a quarter of the columns (positions uniform per column):
    # counts ~ Binomial(cols, 1/4) per row
    per_row = (w == 0).sum(axis=1)
    sd = math.sqrt(cols * 0.25 * 0.75)
    assert np.abs(per_row - cols / 4).max() <= Z_BAND * sd


# ----------------------------------------------------------------------------- generic behaviour

RANDOM_FILLERS = {
    "uniform_": lambda w, g: init.uniform_(w, -1, 2, generator=g),
    "normal_": lambda w, g: init.normal_(w, 1, 2, generator=g),
    "trunc_normal_": lambda w, g: init.trunc_normal_(w, generator=g),
    "xavier_uniform_": lambda w, g: init.xavier_uniform_(w, generator=g),
    "xavier_normal_": lambda w, g: init.xavier_normal_(w, generator=g),
    "kaiming_uniform_": lambda w, g: init.kaiming_uniform_(w, generator=g),
    "kaiming_normal_": lambda w, g: init.kaiming_normal_(w, generator=g),
    "lecun_uniform_": lambda w, g: init.lecun_uniform_(w, generator=g),
    "lecun_normal_": lambda w, g: init.lecun_normal_(w, generator=g),
    "orthogonal_": lambda w, g: init.orthogonal_(w, generator=g),
    "sparse_": lambda w, g: init.sparse_(w, 0.5, generator=g),
}
DETERMINISTIC_FILLERS = {
    "constant_": lambda w: init.constant_(w, 0.5),
    "ones_": init.ones_,
    "zeros_": init.zeros_,
    "eye_": init.eye_,
}


@pytest.mark.parametrize("name", RANDOM_FILLERS)
def test_random_fillers_are_reproducible_in_place_and_fill_views(name):
    fill = RANDOM_FILLERS[name]
    first = np.zeros((6, 8))
    out = fill(first, np.random.default_rng(42))
    assert out is first
    second = fill(np.zeros((6, 8)), np.random.default_rng(42))
    np.testing.assert_array_equal(first, second)
    other = fill(np.zeros((6, 8)), np.random.default_rng(43))
    assert not np.array_equal(first, other)
    assert not np.array_equal(fill(np.zeros((6, 8)), None), fill(np.zeros((6, 8)), None))
    # a transposed view of an (8, 6) buffer is filled through the view
    buffer = np.zeros((8, 6))
    fill(buffer.T, np.random.default_rng(42))
    np.testing.assert_array_equal(buffer.T, first)


@pytest.mark.parametrize("name", [*RANDOM_FILLERS, *DETERMINISTIC_FILLERS])
def test_fillers_refuse_integer_read_only_and_non_arrays(name):
    fill = DETERMINISTIC_FILLERS.get(name) or (lambda w: RANDOM_FILLERS[name](w, None))
    with pytest.raises(TypeError, match="floating dtype"):
        fill(np.zeros((3, 4), dtype=np.int64))
    read_only = np.zeros((3, 4))
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        fill(read_only)
    with pytest.raises(TypeError, match="numpy.ndarray"):
        fill([[0.0] * 4] * 3)


@pytest.mark.parametrize("name", RANDOM_FILLERS)
def test_random_fillers_refuse_a_non_generator(name):
    with pytest.raises(TypeError, match="generator must be a numpy.random.Generator"):
        RANDOM_FILLERS[name](np.zeros((3, 4)), 0)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_fillers_preserve_dtype(dtype):
    for name, fill in RANDOM_FILLERS.items():
        assert fill(np.zeros((4, 5), dtype), np.random.default_rng(0)).dtype == dtype, name


SHAPE_ERRORS = [
    ("eye_", (3,), lambda w: init.eye_(w), lambda t: torch.nn.init.eye_(t), "2 dimensions"),
    ("eye_", (2, 3, 4), init.eye_, torch.nn.init.eye_, "2 dimensions"),
    ("dirac_", (3, 3), init.dirac_, torch.nn.init.dirac_, "3, 4, or 5 dimensions"),
    ("dirac_", (2,) * 6, init.dirac_, torch.nn.init.dirac_, "3, 4, or 5 dimensions"),
    (
        "dirac_ groups",
        (4, 2, 3),
        lambda w: init.dirac_(w, groups=3),
        lambda t: torch.nn.init.dirac_(t, groups=3),
        "divisible by groups",
    ),
    (
        "sparse_",
        (2, 3, 4),
        lambda w: init.sparse_(w, 0.1),
        lambda t: torch.nn.init.sparse_(t, 0.1),
        "2 dimensions",
    ),
    ("orthogonal_", (5,), init.orthogonal_, torch.nn.init.orthogonal_, "2 or more dimensions"),
    ("xavier_uniform_", (5,), init.xavier_uniform_, torch.nn.init.xavier_uniform_, "fewer than 2"),
    ("xavier_normal_", (5,), init.xavier_normal_, torch.nn.init.xavier_normal_, "fewer than 2"),
    ("kaiming_uniform_", (5,), init.kaiming_uniform_, torch.nn.init.kaiming_uniform_, "fewer than"),
    ("kaiming_normal_", (5,), init.kaiming_normal_, torch.nn.init.kaiming_normal_, "fewer than"),
    ("lecun_normal_", (5,), init.lecun_normal_, None, "fewer than 2"),
    (
        "kaiming bad mode",
        (3, 4),
        lambda w: init.kaiming_uniform_(w, mode="fan_avg"),
        lambda t: torch.nn.init.kaiming_uniform_(t, mode="fan_avg"),
        "Mode 'fan_avg' not supported",
    ),
    (
        "kaiming bad nonlinearity",
        (3, 4),
        lambda w: init.kaiming_normal_(w, nonlinearity="gelu"),
        lambda t: torch.nn.init.kaiming_normal_(t, nonlinearity="gelu"),
        "Unsupported nonlinearity 'gelu'",
    ),
    (
        "kaiming bad slope",
        (3, 4),
        lambda w: init.kaiming_normal_(w, a="0.1"),
        lambda t: torch.nn.init.kaiming_normal_(t, a="0.1"),
        "not a valid number",
    ),
]


@pytest.mark.parametrize(("case", "shape", "ours", "theirs", "match"), SHAPE_ERRORS)
def test_bad_shapes_and_options_raise_like_torch(case, shape, ours, theirs, match):
    if theirs is not None:
        with pytest.raises(ValueError):
            theirs(torch.empty(shape))
    with pytest.raises(ValueError, match=match):
        ours(np.empty(shape))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: init.uniform_(np.empty(3), 1.0, 0.0), "a <= b"),
        (lambda: init.normal_(np.empty(3), 0.0, -1.0), "std >= 0"),
        (lambda: init.trunc_normal_(np.empty(3), std=0.0), "std > 0"),
        (lambda: init.trunc_normal_(np.empty(3), a=1.0, b=1.0), "a < b"),
        (lambda: init.sparse_(np.empty((3, 3)), -0.5), "sparsity must be in"),
        (lambda: init.sparse_(np.empty((3, 3)), 1.5), "sparsity must be in"),
    ],
)
def test_bad_distribution_parameters_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_torch_refuses_the_same_distribution_parameters():
    with pytest.raises(RuntimeError):
        torch.nn.init.uniform_(torch.empty(3), 1.0, 0.0)
    with pytest.raises(RuntimeError):
        torch.nn.init.normal_(torch.empty(3), 0.0, -1.0)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 2, 3)])
def test_kaiming_on_empty_arrays_warns_like_torch(shape):
    for fill, oracle in [
        (init.kaiming_uniform_, torch.nn.init.kaiming_uniform_),
        (init.kaiming_normal_, torch.nn.init.kaiming_normal_),
    ]:
        with pytest.warns(UserWarning, match="zero-element"):
            oracle(torch.empty(shape))
        with pytest.warns(UserWarning, match="zero-element"):
            assert fill(np.empty(shape)).shape == shape


def test_orthogonal_on_empty_array_is_a_no_op():
    assert init.orthogonal_(np.empty((0, 3))).shape == (0, 3)
