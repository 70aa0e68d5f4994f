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


# ------------------------------------------- the milestone's trace: shared, unchanged copies

_TOY = """
import numpy as np

def linear(x, W, b):
    return x @ W.T + b

def relu(x):
    return np.maximum(x, 0)

def dropout(x, p=0.5, training=True, generator=None):
    x *= 2.0  # changes its input in place: the next record of x must see the new values
    return x

class AdamW:
    def __init__(self, params, lr=0.1):
        self.params = list(params)
        self.param_groups = [{"lr": lr, "params": self.params}]

    def step(self, grads):
        for p, g in zip(self.params, grads):
            p -= self.param_groups[0]["lr"] * g

def train_network(params, x, steps):
    opt = AdamW([params["W"], params["b"]])
    losses = []
    for _ in range(steps):
        h = relu(linear(x, params["W"], params["b"]))
        h = relu(dropout(h))
        losses.append(float(h.sum()))
        opt.step([np.ones_like(params["W"]), 0.5 * np.ones_like(params["b"])])
    return losses, params
"""


def _toy_run(monkeypatch=None, steps=3, record=2):
    from autograder import pipeline

    namespace = {"__name__": "submission"}
    exec(compile(_TOY, "<toy>", "exec"), namespace)
    rng = np.random.default_rng(0)
    params = {"W": rng.standard_normal((4, 3)), "b": rng.standard_normal(4)}
    x = rng.standard_normal((5, 3))
    return pipeline.run(namespace["train_network"], (params, x, steps), {}, record)


def _same_values(a, b):
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert sorted(a) == sorted(b)
        for k in a:
            _same_values(a[k], b[k])
    elif isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b)
        for u, v in zip(a, b, strict=True):
            _same_values(u, v)
    else:
        assert a == b


def test_trace_shares_unchanged_arrays_and_means_what_fresh_copies_mean(monkeypatch):
    from autograder import pipeline

    shared = _toy_run()
    calls = shared["trace"]["calls"]
    steps = shared["trace"]["optimizer"]["steps"]
    linear0, relu0, drop0, relu1 = [c for c in calls if c["step"] == 0]
    assert [c["name"] for c in (linear0, relu0, drop0, relu1)] == [
        "linear",
        "relu",
        "dropout",
        "relu",
    ]
    # the output of one part is the next one's input: one copy
    assert relu0["args"][0] is linear0["output"]
    assert drop0["args"][0] is relu0["output"]
    # dropout doubled its input in place: what relu got next is a new copy with new values
    assert relu1["args"][0] is not drop0["args"][0]
    np.testing.assert_array_equal(relu1["args"][0], 2 * drop0["args"][0])
    # a parameter unchanged from the forward to the optimizer step: one copy
    assert steps[0]["before"][0] is linear0["args"][1]
    # the step changed it: a new copy, and the next step's forward sees that one
    assert steps[0]["after"][0] is not steps[0]["before"][0]
    np.testing.assert_allclose(steps[0]["after"][0], steps[0]["before"][0] - 0.1)
    linear1 = next(c for c in calls if c["step"] == 1 and c["name"] == "linear")
    assert linear1["args"][1] is steps[0]["after"][0]
    # no shared copy can be changed by a reader
    with pytest.raises(ValueError):
        linear0["output"][...] = 0

    # the same run recorded with a fresh copy every time: the very same trace, value by value
    def fresh(value, seen=None):
        return np.array(value, copy=True)

    monkeypatch.setattr(pipeline, "_array_copy", fresh)
    unshared = _toy_run()
    assert unshared["trace"]["calls"][1]["args"][0] is not unshared["trace"]["calls"][0]["output"]
    _same_values(shared["trace"]["calls"], unshared["trace"]["calls"])
    _same_values(shared["trace"]["optimizer"], unshared["trace"]["optimizer"])
    _same_values(shared["losses"], unshared["losses"])


def test_trace_sharing_ends_with_the_recording():
    """After the recorded steps the recorder lets go of the student's arrays."""
    from autograder import pipeline

    rec = pipeline.Recorder(record_steps=1)
    a = np.arange(3.0)
    assert rec.copy([a])[0] is rec.copy([a])[0]
    rec.stepped()
    assert rec.seen == {}


def test_encode_share_sends_an_array_object_once_and_decodes_to_equal_values():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(3)
    value = {"x": [a, b, a], "y": (a, np.float64(2.0), np.float64(2.0))}
    shared: list = []
    encoded = codec.encode(value, shared, share=True)
    assert len(shared) == 4 and sum(x is a for x in shared) == 1  # a once; two scalar arrays
    plain: list = []
    unshared = codec.encode(value, plain)
    assert len(plain) == 6  # the default sends every occurrence
    back = codec.decode(encoded, shared)
    _same_values(back, codec.decode(unshared, plain))
    _same_values(back["x"], value["x"])
    assert back["x"][0] is back["x"][2] is back["y"][0]


def test_case_key_does_not_depend_on_shared_objects():
    from autograder.public import case_key

    x = np.arange(4.0)
    assert case_key((x, x), {}) == case_key((x, x.copy()), {})
    assert case_key((x, x), {}) != case_key((x, x + 1), {})


def test_widen_pipe_grows_a_pipe_and_ignores_anything_else(tmp_path):
    import fcntl
    import os

    r, w = os.pipe()
    try:
        codec.widen_pipe(r)
        assert fcntl.fcntl(w, fcntl.F_GETPIPE_SZ) == codec.PIPE_BYTES
    finally:
        os.close(r)
        os.close(w)
    with open(tmp_path / "f", "w") as f:
        codec.widen_pipe(f.fileno())  # not a pipe: no error


def test_milestone_test_set_read_once_read_only_and_equal_to_a_fresh_load():
    from autograder import pipeline
    from solutions.train import load_digits

    x, y = pipeline._test_set()
    assert pipeline._test_set()[0] is x
    fresh = load_digits()
    np.testing.assert_array_equal(x, fresh["X_test"])
    np.testing.assert_array_equal(y, fresh["y_test"])
    with pytest.raises(ValueError):
        x[0, 0] = 1.0


def test_precompiled_statements_load_as_compiled_in_the_child(monkeypatch):
    """The manager compiles a submission once for both phases' children: the namespace and
    the notes are the same as when each child compiles for itself, a statement that does not
    compile is still reported, and the cache is keyed by the source (not by cell and line)."""
    from autograder import worker

    statements = [
        {"cell": 1, "line": 1, "code": "def f(x):\n    return x + OFFSET\n"},
        {"cell": 2, "line": 3, "code": "return 1\n"},  # parses, does not compile
        {"cell": 3, "line": 1, "code": "OFFSET = 2\n"},
    ]

    def load():
        namespace, notes = worker._load_submission(statements)
        return namespace["f"](1), namespace["f"].__code__.co_filename, notes

    monkeypatch.setattr(worker, "_CODE", {})
    fresh = load()
    worker._precompile(statements)
    assert len(worker._CODE) == 2  # the statement that does not compile is left to the child
    assert load() == fresh
    assert fresh[0] == 3 and fresh[1] == "<cell 1>"
    assert len(fresh[2]) == 1 and fresh[2][0].startswith("cell 2:")
    # same cell and line, another source: compiled anew, not served the cached code
    other = [dict(statements[0], code="def f(x):\n    return -x\n")]
    namespace, _ = worker._load_submission(other)
    assert namespace["f"](1) == -1
