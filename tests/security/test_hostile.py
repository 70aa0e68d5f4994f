"""Hostile submissions: each scores 0 where it attacks, with a clear reason; the grader
survives (a correct solution graded next by the same worker scores 100 %); nothing outside
the sandbox changes (no files, no processes, no connections to the host).

Short limits keep the suite fast: 2 s per exercise, 1 GB of address space per child.
"""

from __future__ import annotations

import glob
import io
import json
import os
import re
import socket
import struct
import tempfile
import time
import unicodedata

import numpy as np
import psutil
import pytest

from autograder import codec, extract, grade, sandbox
from autograder.grade import grade_submissions
from autograder.notebooks import ROOT
from tests.security.attacks import CATEGORIES, SCOPES, all_attacks, solution_notebook, with_cell

TIMEOUT = 2.0
MEMORY_MB = 1024
HIDDEN_SEED = "s3cr3t-hidden-seed-4c1d"
ATTACKS = {a.name: a for a in all_attacks()}
#: Attacks that run into the wall-clock timeout (or build 100+ MB inputs): marked slow.
SLOW = {
    "loop_call",
    "loop_import",
    "output_flood",
    "ignore_signals",
    "memory_slow_growth",
    "fork_bomb_call",
    "fork_bomb_import",
    "net_localhost",
    "zip_bomb",
    "nb_huge_output_cell",
}
#: Where a hostile write would land on the host if a layer failed.
PWNED = [
    "/tmp/pwned*",
    "/dev/shm/pwned*",
    "/var/tmp/pwned*",
    "/root/pwned*",
    "/pwned*",
    "/usr/lib/pwned*",
    "/etc/x*pwned*",
    str(ROOT / "pwned*"),
    str(ROOT / "solutions" / "pwned*"),
]


class RecordedWorker(sandbox.Worker):
    """A worker that remembers its token and the pid namespaces of its processes."""

    created: list[RecordedWorker] = []

    def __init__(self, **kw):
        super().__init__(**kw)
        own = os.readlink("/proc/self/ns/pid")
        self.pid_namespaces = set()
        for proc in [psutil.Process(self.proc.pid), *psutil.Process(self.proc.pid).children(True)]:
            try:
                ns = os.readlink(f"/proc/{proc.pid}/ns/pid")
            except OSError:
                continue
            if ns != own:
                self.pid_namespaces.add(ns)
        RecordedWorker.created.append(self)


@pytest.fixture
def workers(monkeypatch):
    RecordedWorker.created = []
    monkeypatch.setattr(grade, "Worker", RecordedWorker)
    monkeypatch.setenv("AUTOGRADER_HIDDEN_SEED", HIDDEN_SEED)
    return RecordedWorker.created


@pytest.fixture
def host_listener():
    """A TCP port on the host's loopback that no submission may reach."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.setblocking(False)
    yield server
    server.close()


def _stray_processes(workers: list[RecordedWorker]) -> list[str]:
    tokens = [w.token for w in workers]
    namespaces = set().union(*(w.pid_namespaces for w in workers))
    stray = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        try:
            ns = os.readlink(f"/proc/{proc.pid}/ns/pid")
        except OSError:
            ns = ""
        if any(t in cmdline for t in tokens) or ns in namespaces:
            stray.append(f"{proc.pid}: {cmdline[:120]}")
    return stray


def assert_host_unchanged(workers: list[RecordedWorker], listener=None) -> None:
    deadline = time.monotonic() + 3
    while (stray := _stray_processes(workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not stray, f"processes outlived grading: {stray}"
    for w in workers:
        assert not w.grader_root.exists(), "the grader's temp root was not removed"
        assert not getattr(w, "_scratch", None) or not os.path.exists(w._scratch)
    written = [p for pattern in PWNED for p in glob.glob(pattern)]
    assert not written, f"hostile files on the host: {written}"
    if listener is not None:
        with pytest.raises(BlockingIOError):
            listener.accept()


def _solution(chapter: str) -> extract.Submission:
    data = json.dumps(solution_notebook(chapter)).encode()
    return extract.parse("zz-correct-solution.ipynb", data, ".ipynb")


def _assert_clean_text(result) -> None:
    """Every reason and note is printable UTF-8 (safe for terminals, HTML, SQL)."""
    texts = [result.error, *result.notes] + [e.reason for e in result.exercises]
    texts += [c.reason for e in result.exercises for c in e.cases]
    for text in texts:
        text.encode("utf-8")
        bad = [ch for ch in text if unicodedata.category(ch) in ("Cc", "Cs")]
        assert not bad, f"control characters in {text!r}"


def check_outcome(attack, results) -> None:
    expect = attack.expect
    hostile, solution = results[:-1], results[-1]
    assert solution.points == solution.max_points > 0, (
        "the grader did not survive: the correct solution graded next lost points: "
        + str([(e.id, e.reason) for e in solution.exercises if e.reason])
    )
    for r in hostile:
        _assert_clean_text(r)
        summary = [(e.function, e.points, e.reason) for e in r.exercises]
        if expect["scope"] == "graded":
            assert r.points == r.max_points > 0, summary
        elif expect["scope"] == "file":
            assert r.points == 0 and re.search(expect["reason"], r.error), (r.error, summary)
        elif expect["scope"] == "submission":
            assert r.max_points > 0 and r.points == 0, summary
            for e in r.exercises:
                assert re.search(expect["reason"], e.reason), (e.function, e.reason)
        else:
            target = next(e for e in r.exercises if e.function == expect["target"])
            assert target.points == 0, (target.points, target.reason)
            assert re.search(expect["reason"], target.reason), target.reason
            # "collateral": the submission's own functions that the attack breaks for itself
            # (e.g. a patched np.isclose inside its own roc_auc_score): not a grader failure
            spared = {expect["target"], *expect.get("collateral", [])}
            others = [(f, p, why) for f, p, why in summary if f not in spared and why]
            assert not others, f"the attack cost other exercises: {others}"
        if "note" in expect:
            assert any(re.search(expect["note"], n) for n in r.notes), r.notes


def test_corpus_declarations_are_complete():
    for attack in ATTACKS.values():
        assert attack.expect["scope"] in SCOPES, attack.name
        assert attack.expect["category"] in CATEGORIES, attack.name
        assert attack.attack and attack.defence, attack.name
    readme = (ROOT / "tests" / "security" / "README.md").read_text()
    missing = [name for name in ATTACKS if f"`{name}`" not in readme]
    assert not missing, f"attacks not listed in tests/security/README.md: {missing}"


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in sorted(ATTACKS)],
)
def test_hostile_submission(name, workers, host_listener, tmp_path):
    attack = ATTACKS[name]
    subs = attack.build(tmp_path)
    assert subs, "the attack produced no submission"
    results, layers = grade_submissions(
        [*subs, _solution(attack.chapter)],
        chapter=attack.chapter,
        workers=1,
        timeout=TIMEOUT,
        memory_mb=MEMORY_MB,
    )
    assert_layers_active(layers)
    check_outcome(attack, results)
    assert_host_unchanged(workers, host_listener)


def test_all_layers_active_on_this_machine():
    with sandbox.Worker() as w:
        assert_layers_active(w.layers)


def assert_layers_active(layers: dict) -> None:
    """Every layer is active; a cgroup is needed only where seccomp cannot stop new
    processes (see SECURITY.md)."""
    assert layers["seccomp"].startswith("active"), layers
    assert layers["cgroup"].startswith("not used"), layers
    others = {k: v for k, v in layers.items() if k != "cgroup"}
    assert all(v.startswith("active") for v in others.values()), layers


# ------------------------------------------------------------ cross-submission properties

VICTIM = """
def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                    sample_weight=None, zero_division="warn"):
    secret = "VICTIM_MARK_{mark}"
    raise ValueError(secret[:6])
"""
PROBE = r"""
import ctypes
import re


def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                    sample_weight=None, zero_division="warn"):
    pattern = re.compile(rb"VICTIM_MARK_[0-9a-f]{32}")
    found = scanned = 0
    with open("/proc/self/maps") as maps:
        regions = [line.split() for line in maps]
    for fields in regions:
        anonymous = len(fields) < 6 or fields[5] in ("[heap]", "[stack]")
        if not fields[1].startswith("rw") or not anonymous:
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        data = ctypes.string_at(start, end - start)
        scanned += len(data)
        found += len(pattern.findall(data))
    raise ValueError(f"probe found {found} marks in {scanned >> 20} MB")
"""


@pytest.mark.slow
def test_no_trace_of_one_submission_in_the_next(workers):
    """The next student's child is forked from a process that never held the previous
    student's job: scanning its whole memory finds nothing of the earlier submission. (A
    probe that carries a mark itself finds it: the scan does see the job's data.)"""
    mark = os.urandom(16).hex()
    victim = with_cell("07_metrics", "precision_score", VICTIM.replace("{mark}", mark))
    probe = with_cell("07_metrics", "precision_score", PROBE)
    control = with_cell("07_metrics", "precision_score", PROBE)
    control["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "source": (f"_OWN = 'VICTIM_MARK_{os.urandom(16).hex()}'"),
        }
    )
    small_victim = VICTIM.replace("{mark}", mark) + f"\n_KEEP = 'VICTIM_MARK_{mark}'\n"
    subs = [
        extract.parse(name, json.dumps(nb).encode(), ".ipynb")
        for name, nb in (("a-victim", victim), ("b-probe", probe), ("d-control", control))
    ]
    subs[2:2] = [
        extract.parse("c-victim.py", small_victim.encode(), ".py"),
        extract.parse("c-probe.ipynb", json.dumps(probe).encode(), ".ipynb"),
    ]
    results, _ = grade_submissions(subs, chapter="07_metrics", workers=1, timeout=10)
    reasons = [
        next(e.reason for e in r.exercises if e.function == "precision_score") for r in results
    ]
    # (with one process reading every job, the small victim's mark was found by c-probe)
    assert "probe found 0 marks" in reasons[1], reasons[1]
    assert "probe found 0 marks" in reasons[3], reasons[3]
    assert re.search(r"probe found [1-9]\d* marks", reasons[4]), reasons[4]
    assert_host_unchanged(workers)


TMP_USER = """
import functools
import os

_original = precision_score


@functools.wraps(_original)
def precision_score(*args, **kwargs):
    print("debug output must not cost points", leftovers := os.listdir("/tmp"))
    assert all(name.startswith("submission-") for name in leftovers), leftovers
    assert len(leftovers) == 1, leftovers  # only this child's own scratch dir
    with open("/tmp/scratch.bin", "wb") as f:
        f.write(b"\\0" * (12 * 2**20))
    os.unlink("/tmp/scratch.bin")
    return _original(*args, **kwargs)
"""


def test_tmp_is_wiped_between_submissions(workers):
    """After a submission filled /tmp, the next one finds it empty and can use it."""
    filler = ATTACKS["fill_tmp"].build(None)
    nb = solution_notebook("07_metrics")
    nb["cells"].append({"cell_type": "code", "metadata": {}, "source": TMP_USER, "outputs": []})
    user = extract.parse("tmp-user.ipynb", json.dumps(nb).encode(), ".ipynb")
    results, _ = grade_submissions(
        [*filler, user], chapter="07_metrics", workers=1, timeout=TIMEOUT, memory_mb=MEMORY_MB
    )
    assert results[1].points == results[1].max_points, [
        (e.id, e.reason) for e in results[1].exercises if e.reason
    ]
    assert_host_unchanged(workers)


# ------------------------------------------------------------ without namespaces (degraded)

FALLBACK_SAFE = ["loop_call", "memory_bomb_call", "daemon_grandchild", "segfault", "huge_file"]


@pytest.mark.parametrize("name", FALLBACK_SAFE)
def test_without_namespaces_the_rest_still_holds(name, workers, tmp_path):
    """``--no-sandbox`` (or no bubblewrap): the report says the namespace layer is missing,
    and limits, timeouts and process cleanup still contain these attacks. (Attacks that need
    the namespaces -- file system, network, kill(-1) -- are not run this way: as root they
    would reach the host.)"""
    attack = ATTACKS[name]
    # Children this test process already had (e.g. a warm worker kept by another module's
    # fixture in the same xdist worker) are not the attack's doing.
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    results, layers = grade_submissions(
        [*attack.build(tmp_path), _solution(attack.chapter)],
        chapter=attack.chapter,
        workers=1,
        sandbox=False,
        timeout=TIMEOUT,
        memory_mb=MEMORY_MB,
    )
    assert layers["namespaces"].startswith("UNAVAILABLE")
    check_outcome(attack, results)
    assert_host_unchanged(workers)
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    assert not left, f"processes outlived grading: {left}"


# ------------------------------------------------------------ the parent's wire reader


def test_parent_reader_refuses_malformed_frames():
    def frame(*parts: bytes) -> bytes:  # the count, each part's length, then the parts
        sizes = struct.pack(f"<{len(parts) + 1}Q", len(parts), *map(len, parts))
        return sizes + b"".join(parts)

    deep = b"[" * 100_000 + b"]" * 100_000
    lying = io.BytesIO()  # a header claiming 8 GB, followed by 8 bytes
    np.lib.format.write_array_header_1_0(
        lying, {"descr": "<f8", "fortran_order": False, "shape": (10**9,)}
    )
    pickled = io.BytesIO()
    np.save(pickled, np.array([None, 1], dtype=object), allow_pickle=True)
    cases = [
        frame(deep),
        frame(b"\xff\xfe not json"),
        frame(b"[1, 2]"),
        frame(b"{}", lying.getvalue() + b"\0" * 8),
        frame(b"{}", pickled.getvalue()),
    ]
    for data in cases:
        with tempfile.TemporaryFile() as f:
            f.write(data)
            f.seek(0)
            with pytest.raises(codec.WireError):
                codec.read_message(f.fileno())


def test_parent_reader_gives_up_on_a_stalled_writer():
    r, w = os.pipe()
    os.write(w, (1).to_bytes(8, "little") + (100).to_bytes(8, "little") + b"{")
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        codec.read_message(r, time.monotonic() + 0.3)
    assert time.monotonic() - start < 2
    os.close(r)
    os.close(w)
