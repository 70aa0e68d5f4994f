"""The fast paths of grading give the same answers as the slow ones they replace:
the Kolmogorov-Smirnov verdict of ``scipy.stats.ks_2samp``, numpy's own ``.npy`` files, and
cases built once per run (``engine.job_cases``) that equal freshly generated ones."""

import io
import warnings

import numpy as np
import pytest
from scipy.stats import ks_2samp

from autograder import codec, engine, registry
from autograder.compare import KS_CELLS, KS_P_VALUE, ks_bound, ks_test


def _samples(seed: int):
    rng = np.random.default_rng(seed)
    n = int(rng.choice([40, 3_000, 11_000]))
    m = n if rng.random() < 0.7 else 12_000
    x = rng.standard_normal(n)
    y = rng.standard_normal(m) * rng.choice([1.0, 1.01, 1.03, 1.2]) + rng.choice([0, 0.01, 0.04])
    if seed % 3 == 0:  # ties within and across the samples
        x, y = np.round(x, 1), np.round(y, 1)
    if seed % 4 == 1:
        x, y = x.astype(np.float32), y.astype(np.float32)
    if seed % 5 == 2:  # a sparse fill: many exact zeros
        x[rng.random(n) < 0.3] = 0
        y[rng.random(m) < 0.3] = 0
    return x, y


@pytest.mark.parametrize("seed", range(24))
def test_ks_test_agrees_with_scipy(seed):
    x, y = _samples(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = ks_2samp(x, y)
    ok, statistic, p = ks_test(x, y)
    assert ok == (expected.pvalue >= KS_P_VALUE)
    if statistic is None:  # a pass decided by the bound: p far above the threshold
        assert ok and p is None and expected.pvalue >= 9 * KS_P_VALUE
    else:
        assert statistic == expected.statistic
    if p is not None:
        assert p == expected.pvalue
    assert ks_test(np.sort(x), y, x_sorted=True)[:2] == (ok, statistic)


@pytest.mark.parametrize("seed", range(40))
def test_ks_bound_is_an_upper_bound_and_tight(seed):
    """The cell bound is never below scipy's D (ties, atoms, float32, samples of different
    sizes and distributions), and for similar samples without atoms at most a few cells'
    mass above it."""
    rng = np.random.default_rng(1000 + seed)
    x, y = _samples(seed)
    if seed % 2:  # some far apart, some of very different sizes
        y = y * rng.choice([0.5, 1.0, 3.0]) + rng.choice([0.0, 0.5, 5.0])
        y = y[: int(rng.integers(2, y.size + 1))]
    d = ks_2samp(x, y).statistic
    bound = ks_bound(np.sort(x), np.sort(y))
    assert bound >= d
    if seed % 2 == 0 and seed % 3 and seed % 5 != 2 and x.size >= 3_000:
        # similar distributions, no ties or atoms: a cell holds ~1/KS_CELLS of each sample
        assert bound <= d + 5 / KS_CELLS


def test_ks_test_near_the_threshold_decides_as_scipy():
    """Shifts that put p on both sides of 1e-4: the shortcut must never decide these."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal(12_000)
    verdicts = set()
    for shift in np.linspace(0.04, 0.08, 9):
        y = rng.standard_normal(12_000) + shift
        expected = ks_2samp(x, y)
        ok, statistic, _ = ks_test(x, y)
        assert ok == (expected.pvalue >= KS_P_VALUE)
        if statistic is None:  # decided by the bound: only far from the threshold
            assert ok and expected.pvalue >= 9 * KS_P_VALUE
        else:
            assert statistic == expected.statistic
        verdicts.add(ok)
    assert verdicts == {True, False}


ARRAYS = [
    np.zeros((3, 4)),
    np.array(2.5),
    np.arange(5, dtype=np.float32),
    np.zeros((2, 0, 3), dtype=bool),
    np.ones(1, dtype=np.complex128),
    np.arange(3, dtype=">i4"),
    np.arange(2, dtype=np.uint8),
    np.float16([1, 2]),
    np.arange(12.0).reshape(3, 4)[:, ::2],  # not contiguous
    np.asfortranarray(np.arange(12.0).reshape(3, 4)),
    np.zeros(2, dtype="M8[s]"),  # not plain numeric: numpy's own writer and reader
    np.zeros(3, dtype=[("a", "f8")]),
]


@pytest.mark.parametrize("array", ARRAYS, ids=range(len(ARRAYS)))
def test_npy_bytes_is_a_npy_file_and_reads_back(array):
    data = codec.npy_bytes(array)
    for back in (np.load(io.BytesIO(data), allow_pickle=False), codec.npy_load(data)):
        assert back.dtype == array.dtype and back.shape == array.shape
        np.testing.assert_array_equal(back, array)
    saved = io.BytesIO()
    np.save(saved, array, allow_pickle=False)
    np.testing.assert_array_equal(codec.npy_load(saved.getvalue()), array)


@pytest.mark.parametrize(
    "header",
    [
        b"{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,), }",  # lies
        b"{'descr': '<f3', 'fortran_order': False, 'shape': (1,), }",  # no such dtype
        b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",  # pickles
    ],
)
def test_npy_load_refuses_bad_headers(header):
    header += b" " * (-(10 + len(header) + 1) % 64) + b"\n"
    data = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + b"\0" * 8
    with pytest.raises(codec.WireError):
        codec.npy_load(data)


def test_job_cases_equal_fresh_cases_and_follow_the_hidden_seed(monkeypatch):
    exercises = registry.exercises_for_chapter("01_init")[:3]
    first = engine.job_cases(exercises, "one")
    assert engine.job_cases(exercises, "one") is first  # built once
    for ex in exercises:
        fresh = ex.cases(hidden_seed="one")
        cached = first.cases[ex.id]
        assert [c.name for c in cached] == [c.name for c in fresh]
        for a, b in zip(cached, fresh, strict=True):
            for u, v in zip(a.args, b.args, strict=True):
                np.testing.assert_array_equal(u, v)
    other = engine.job_cases(exercises, "two")
    hidden = [c for c in other.cases[exercises[1].id] if c.hidden]
    fresh = [c for c in exercises[1].cases(hidden_seed="two") if c.hidden]
    np.testing.assert_array_equal(hidden[0].args[0], fresh[0].args[0])
    assert not np.array_equal(hidden[0].args[0], first.cases[exercises[1].id][-1].args[0])
    # no seed given: the environment's, read at each call
    monkeypatch.setenv(registry.HIDDEN_SEED_ENV, "two")
    assert engine.job_cases(exercises) is other


def test_cached_inputs_and_answers_cannot_be_changed():
    ex = registry.exercises_for_chapter("01_init")[1]
    built = engine.job_cases([ex], "ro")
    case = built.cases[ex.id][0]
    with pytest.raises(ValueError):
        case.args[0][...] = 0
    answer = engine.expected_output(ex, case)
    with pytest.raises(ValueError):
        answer[...] = 0
    # the reference still ran on a writable copy and filled it
    assert answer.shape == case.args[0].shape and np.ptp(answer) > 0
