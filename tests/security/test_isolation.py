"""Submissions are strangers, and the kernel surface is small: through the plain grading path
(``grade_submissions``, as ``autograder grade`` runs it), submission A plants an object of
every IPC kind (SysV shared memory, message queue and semaphore set, a POSIX message queue,
keys in the session and user keyrings) and B, graded next by the same worker, looks for
them; every system call an exercise never needs is refused with EPERM (ENOSYS for clone3).
Each layer is tested on its own where that is possible: with the seccomp filter switched off
(``AUTOGRADER_SECCOMP=off``, a switch for these tests) A's plants succeed and the fresh IPC
namespace of each submission still hides them from B.
"""

from __future__ import annotations

import json
import re

import pytest

from autograder import extract, grade, sandbox
from autograder.grade import grade_submissions
from tests.security.attacks import with_cell
from tests.security.test_hostile import RecordedWorker, assert_host_unchanged

SIGNATURE = """
def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                    sample_weight=None, zero_division="warn"):
"""

IPC_TOOLS = r'''
import ctypes
import json
import os

_libc = ctypes.CDLL(None, use_errno=True)
_librt = ctypes.CDLL("librt.so.1", use_errno=True)
_librt.mq_open.restype = ctypes.c_int
_libc.syscall.restype = ctypes.c_long
KEY = 0x5EC0
IPC_CREAT, O_CREAT, O_RDWR, O_RDONLY = 0o1000, 0o100, 2, 0
SYS_ADD_KEY, SYS_KEYCTL, KEYCTL_SEARCH = 248, 250, 10
RINGS = {"session": -3, "user": -4}


def _err(rc):
    """o: it worked, P: EPERM, X: another error (one letter each: messages are cut at 200)."""
    return "o" if rc >= 0 else "P" if ctypes.get_errno() == 1 else "X"


def plant():
    out = {
        "shm": _err(_libc.shmget(KEY, 4096, IPC_CREAT | 0o666)),
        "msg": _err(_libc.msgget(KEY, IPC_CREAT | 0o666)),
        "sem": _err(_libc.semget(KEY, 1, IPC_CREAT | 0o666)),
        "mq": _err(_librt.mq_open(b"/mark", O_CREAT | O_RDWR, 0o600, None)),
    }
    for ring, spec in RINGS.items():
        rc = _libc.syscall(SYS_ADD_KEY, b"user", b"mark", b"secret", 6, spec)
        out["key-" + ring] = _err(rc)
    return out


def look():
    """What of A's plants this process can see (True: found)."""
    found = {
        "shm": _libc.shmget(KEY, 0, 0) >= 0,
        "msg": _libc.msgget(KEY, 0) >= 0,
        "sem": _libc.semget(KEY, 0, 0) >= 0,
        "mq": _librt.mq_open(b"/mark", O_RDONLY, 0, None) >= 0,
    }
    for ring, spec in RINGS.items():
        rc = _libc.syscall(SYS_KEYCTL, KEYCTL_SEARCH, spec, b"user", b"mark", 0)
        found["key-" + ring] = rc >= 0
    return found
'''

PLANTER = (
    IPC_TOOLS
    + SIGNATURE
    + """    raise ValueError("IPC:" + json.dumps({"planted": "".join(plant().values()),
                                          "own": "".join("01"[v] for v in look().values())}))
"""
)
PROBE = (
    IPC_TOOLS
    + SIGNATURE
    + """    found = "".join("01"[v] for v in look().values())
    raise ValueError("IPC:" + json.dumps({"found": found}))
"""
)


IPC_KINDS = ["shm", "msg", "sem", "mq", "key-session", "key-user"]


def _ipc_report(result) -> dict:
    """{"planted": {kind: "o"/"P"/"X"}, "own"/"found": {kind: bool}}"""
    reason = next(e.reason for e in result.exercises if e.function == "precision_score")
    match = re.search(r"IPC:(\{.*\})", reason)
    assert match, reason
    raw = json.loads(match.group(1))
    out = {"planted": dict(zip(IPC_KINDS, raw.get("planted", ""), strict=False))}
    for key in ("own", "found"):
        out[key] = {k: v == "1" for k, v in zip(IPC_KINDS, raw.get(key, ""), strict=False)}
    return out


def _sub(name: str, source: str) -> extract.Submission:
    nb = with_cell("07_metrics", "precision_score", source)
    return extract.parse(name, json.dumps(nb).encode(), ".ipynb")


@pytest.fixture
def workers(monkeypatch):
    RecordedWorker.created = []
    monkeypatch.setattr(grade, "Worker", RecordedWorker)
    return RecordedWorker.created


def _plant_then_probe(workers):
    results, layers = grade_submissions(
        [_sub("a-planter.ipynb", PLANTER), _sub("b-probe.ipynb", PROBE)],
        chapter="07_metrics",
        workers=1,
        timeout=5,
    )
    assert_host_unchanged(workers)
    return _ipc_report(results[0]), _ipc_report(results[1]), layers


def test_ipc_objects_and_keys_cannot_be_created(workers):
    """All layers on: every plant is refused (EPERM) and B finds nothing."""
    a, b, layers = _plant_then_probe(workers)
    assert layers["seccomp"].startswith("active"), layers
    assert set(a["planted"].values()) == {"P"} and len(a["planted"]) == 6, a
    assert not any(b["found"].values()), b


def test_ipc_namespace_alone_keeps_submissions_apart(workers, monkeypatch):
    """Seccomp off: A's SysV and POSIX objects and its session key exist (A sees them), yet
    B, in the next submission's fresh IPC namespace and session keyring, sees none. (The
    user keyring is per uid and user namespace, shared by the worker's submissions: only
    seccomp keeps a submission out of it -- which is what this test shows too.)"""
    monkeypatch.setitem(sandbox.ENV, "AUTOGRADER_SECCOMP", "off")
    a, b, layers = _plant_then_probe(workers)
    assert layers["seccomp"].startswith("DISABLED"), layers
    assert layers["ipc"].startswith("active"), layers
    assert set(a["planted"].values()) == {"o"} and len(a["planted"]) == 6, a
    assert all(a["own"].values()), a  # the probe does see what is there
    isolated = {k: v for k, v in b["found"].items() if k != "key-user"}
    assert not any(isolated.values()), b
    assert b["found"]["key-user"], "the user keyring is shared without seccomp (documented)"


SYSCALLS = (
    SIGNATURE
    + r"""
    import ctypes
    import errno
    import os
    import socket

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    calls = {
        "perf_event_open": (298, 0, 0, -1, -1, 0), "keyctl": (250, 0, 0, 0, 0, 0),
        "add_key": (248, 0, 0, 0, 0, 0), "request_key": (249, 0, 0, 0, 0, 0),
        "io_uring_setup": (425, 1, 0, 0, 0, 0), "io_uring_enter": (426, 0, 0, 0, 0, 0),
        "io_uring_register": (427, 0, 0, 0, 0, 0), "userfaultfd": (323, 0, 0, 0, 0, 0),
        "bpf": (321, 0, 0, 0, 0, 0), "ptrace": (101, 16, 1, 0, 0, 0),
        "mount": (165, 0, 0, 0, 0, 0), "unshare": (272, 0x08000000, 0, 0, 0, 0),
        "setns": (308, 0, 0, 0, 0, 0), "kexec_load": (246, 0, 0, 0, 0, 0),
        "init_module": (175, 0, 0, 0, 0, 0), "finit_module": (313, 0, 0, 0, 0, 0),
        "shmget": (29, 0, 4096, 0o1000, 0, 0), "msgget": (68, 0, 0o1000, 0, 0, 0),
        "semget": (64, 0, 1, 0o1000, 0, 0), "mq_open": (240, 0, 0, 0, 0, 0),
        "memfd_create": (319, 0, 0, 0, 0, 0), "process_vm_readv": (310, 1, 0, 0, 0, 0),
        "fork": (57, 0, 0, 0, 0, 0), "vfork": (58, 0, 0, 0, 0, 0),
        "clone (a process)": (56, 17, 0, 0, 0, 0), "clone3": (435, 0, 0, 0, 0, 0),
        "socket AF_INET": (41, 2, 1, 0, 0, 0), "socket AF_NETLINK": (41, 16, 3, 0, 0, 0),
        "x32 ABI keyctl": (250 | 0x40000000, 0, 0, 0, 0, 0),
    }
    out = ""  # one letter per call (messages are cut at 200 characters)
    for name, (nr, *args) in calls.items():
        rc = libc.syscall(nr, *args)
        code = "succeeded" if rc >= 0 else errno.errorcode[ctypes.get_errno()]
        out += {"EPERM": "P", "ENOSYS": "N"}.get(code, "?")
    a, b = socket.socketpair()  # AF_UNIX stays allowed, and so do threads
    import threading
    t = threading.Thread(target=lambda: None)
    t.start()
    t.join()
    raise ValueError("SYSCALLS:" + out)
"""
)


def test_syscalls_an_exercise_never_needs_are_refused(workers):
    results, layers = grade_submissions(
        [_sub("syscalls.ipynb", "import json\n" + SYSCALLS)],
        chapter="07_metrics",
        workers=1,
        timeout=5,
    )
    reason = next(e.reason for e in results[0].exercises if e.function == "precision_score")
    match = re.search(r"SYSCALLS:([A-Z?]+)", reason)
    assert match, reason
    names = re.findall(r'"([^"]+)": \(', SYSCALLS)
    got = dict(zip(names, match.group(1), strict=True))
    expected = {name: "P" for name in names}  # EPERM
    expected["clone3"] = expected["x32 ABI keyctl"] = "N"  # ENOSYS
    assert got == expected
    assert_host_unchanged(workers)
