"""The warm worker that runs inside the sandbox (numpy, scipy.special, scipy.optimize and the
milestone recorder :mod:`autograder.pipeline` pre-imported; never ``solutions``).

Every process forks from one holding tens of thousands of Python objects (numpy, scipy): the
worker and each manager call :func:`gc.freeze` before forking, so that a garbage collection
in the forked process does not walk (and so copy, page by page) every inherited object. A
collection after fork measured ~30 ms of CPU and ~3,500 page copies here, paid by the manager
and by each child, i.e. up to three times per submission.

Processes, all in the sandbox (see :mod:`autograder.sandbox`):

* the **worker** (pid 1 of the sandbox's pid namespace, so a submission can neither kill nor
  stop it; outside a namespace a child subreaper) only forks one manager per submission and
  cleans up after it: it never holds a submission's data, so nothing of one student's code
  or outputs lingers in memory that the next student's forked process could read;
* the **manager** reads one job (a submission's extracted top-level statements and the cases
  of each exercise) from the protocol pipe, forks children, validates every frame they send,
  kills every process the submission left behind and writes one result frame;
* a **child** has its own rlimits, an empty scratch dir and no file descriptors but its result
  pipe; it executes the submission's definitions, then runs the exercises in order and streams
  one result frame per exercise. The manager enforces a wall-clock timeout per exercise: on a
  timeout, crash or malformed frame it records the reason for that exercise and forks a fresh
  child for the rest, so one runaway exercise costs only itself.

Whatever a child sends is checked here before it goes on (known exercise id, JSON shapes the
parent decodes, bounded nesting, sizes, valid UTF-8 without control characters): a child can
write raw bytes on its pipe, so nothing it sends is trusted further than that.
"""

from __future__ import annotations

import ctypes
import gc
import inspect
import json
import math
import os
import resource
import select
import shutil
import signal
import sys
import tempfile
import time

import numpy as np  # warm: imported once, inherited by every child
import scipy.optimize  # noqa: F401 - warm too: linprog in 10_shapes (~0.4 s of CPU per child)
import scipy.special  # noqa: F401 - warm too: imported by the course's solutions (0.3-0.8 s)

from autograder import codec, confine, drivers, pipeline

#: Warm like numpy: the milestone's recorder (drivers import it lazily, and the sandbox's
#: read-only copy of the grader has no bytecode cache: each child compiled it, ~11 ms).
_WARM = (pipeline,)

SETUP = "__setup__"
#: A submission's outputs, over all its exercises, may not exceed this (per exercise: 64 MB).
JOB_OUTPUT_BUDGET = 128 * 2**20
EXERCISE_OUTPUT_BUDGET = 64 * 2**20
#: Deepest nesting of tuples/lists/dicts a result may have.
MAX_DEPTH = 16
SPAWNED = "started other processes (fork, subprocess and os.system are not allowed)"
EXIT_EOF = 3  # the manager found the protocol pipe closed: the worker ends
_PR_SET_DUMPABLE = 4
_PR_SET_CHILD_SUBREAPER = 36
WORKER_PID = 0
#: The seccomp filter every child loads before running student code (built once by main()).
FILTER: confine.SyscallFilter | None = None
#: How often the manager looks at a running child's CPU time (seconds).
POLL = 0.05
_TICK = os.sysconf("SC_CLK_TCK")


def _apply_limits(limits: dict, n_exercises: int) -> None:
    # a backstop: the manager stops each exercise after ``timeout`` CPU seconds
    cpu = int(limits["timeout"] * (n_exercises + 1)) + n_exercises + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = int(limits["memory_mb"]) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    fsize = int(limits["fsize_mb"]) * 2**20
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    nproc = int(limits["nproc"])
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # bounds what a submission can hold outside its address space (pipe and socket buffers)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


def _load_submission(statements: list[dict]) -> tuple[dict, list[str]]:
    """Execute each extracted top-level statement on its own; failures are noted, not fatal.

    A statement that fails with a ``NameError`` is tried once more after all the others:
    notebook cells run in another order than they appear (an import in the last cell, a
    default value from a later cell) still load, as they did in the student's kernel."""
    namespace: dict = {"__name__": "submission"}
    failures = [(st, _exec_statement(st, namespace)) for st in statements]
    retry = [st for st, exc in failures if isinstance(exc, NameError)]
    failures = [(st, exc) for st, exc in failures if exc is not None and st not in retry]
    failures += [(st, _exec_statement(st, namespace)) for st in retry]
    notes = [
        f"cell {st['cell']}: {drivers.student_error(exc)}"
        for st, exc in failures
        if exc is not None
    ]
    return namespace, notes


#: A manager's compiled statements, (cell, line, source) -> code object: compiled once per
#: submission in the manager and inherited by every child it forks (both phases), instead of
#: once in each child (~10 ms for a capstone notebook, twice per submission). Compiling runs
#: none of the code; a statement that does not compile here is compiled (and its error
#: reported) by the child as before.
_CODE: dict[tuple, object] = {}


def _statement_key(st: dict) -> tuple:
    return st["cell"], st["line"], st["code"]


def _statement_source(st: dict) -> tuple[str, str]:
    return "\n" * (int(st["line"]) - 1) + st["code"], f"<cell {st['cell']}>"


def _precompile(statements: list[dict]) -> None:
    """Manager only: compile each statement for the children it will fork."""
    for st in statements:
        try:
            key = _statement_key(st)
            if key not in _CODE:
                _CODE[key] = compile(*_statement_source(st), "exec")
        except Exception:  # noqa: BLE001, S112 - the child compiles it and reports why
            continue


def _exec_statement(st: dict, namespace: dict) -> BaseException | None:
    try:
        code = _CODE.get(_statement_key(st)) if _CODE else None
    except TypeError:  # not a key _precompile made
        code = None
    try:
        if code is None:
            code = compile(*_statement_source(st), "exec")
        exec(code, namespace)
    except BaseException as exc:  # noqa: BLE001 - student code may raise anything
        if isinstance(exc, SystemExit | KeyboardInterrupt):
            return RuntimeError(f"{type(exc).__name__} at module level")
        return exc
    return None


def _signature(fn) -> list[str] | None:
    """The parameter names (None when they cannot be read)."""
    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return None


def _run_exercise(namespace: dict, ex: dict, arrays: list) -> tuple[dict, list]:
    fn = namespace.get(ex["function"])
    if fn is None or not callable(fn):
        return {"id": ex["id"], "status": "missing"}, []
    out_arrays: list = []
    cases = []
    budget = EXERCISE_OUTPUT_BUDGET
    for c in ex["cases"]:
        args = codec.decode(c["args"], arrays)
        kwargs = codec.decode(c["kwargs"], arrays)
        try:
            got = drivers.drive(ex["kind"], fn, args, kwargs, int(c["steps"]))
            before = len(out_arrays)
            encoded = codec.encode(got, out_arrays, share=True)
            if sum(a.nbytes for a in out_arrays[before:]) > budget:
                del out_arrays[before:]
                raise codec.WireError("the output is too large")
            budget -= sum(a.nbytes for a in out_arrays[before:])
            cases.append({"name": c["name"], "output": encoded})
        except codec.WireError as exc:
            cases.append({"name": c["name"], "error": f"returned something ungradable: {exc}"})
        except BaseException as exc:  # noqa: BLE001
            if isinstance(exc, SystemExit | KeyboardInterrupt):
                exc = RuntimeError(f"called {type(exc).__name__}")
            cases.append({"name": c["name"], "error": drivers.student_error(exc)})
    header = {"id": ex["id"], "status": "ran", "signature": _signature(fn), "cases": cases}
    return header, out_arrays


def _drop_privileges(scratch: str) -> None:
    """Without namespaces a root worker is told (``AUTOGRADER_CHILD_UID``) to run the
    child as an unprivileged user."""
    uid = int(os.environ.get("AUTOGRADER_CHILD_UID", "-1"))
    if uid < 0 or os.getuid() != 0:
        return
    os.chown(scratch, uid, uid)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def _child(job: dict, arrays: list, todo: list[dict], out_fd: int, ack_fd: int) -> None:
    """Report each result on ``out_fd`` and wait for the manager's go-ahead on ``ack_fd``
    before the next exercise, so that what the manager checks after a frame (processes left
    alive) belongs to the exercise that sent it."""
    # Nothing but the two pipes stays open: not the protocol pipes, not the manager's.
    keep = sorted((out_fd, ack_fd))
    os.closerange(3, keep[0])
    os.closerange(keep[0] + 1, keep[1])
    os.closerange(keep[1] + 1, 1 << 16)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - print() still works
    scratch = tempfile.mkdtemp(prefix="submission-")
    _drop_privileges(scratch)
    os.chdir(scratch)
    _apply_limits(job["limits"], len(todo))
    confine.drop_capabilities()
    if FILTER is not None:
        FILTER.load()
    me = os.getpid()
    namespace, notes = _load_submission(job["statements"])
    if os.getpid() != me:  # a copy forked by the submission: only the child reports
        _park(out_fd)
    codec.write_message(out_fd, {"id": SETUP, "notes": notes}, [])
    os.read(ack_fd, 1)
    for ex in todo:
        header, out = _run_exercise(namespace, ex, arrays)
        if os.getpid() != me:
            _park(out_fd)
        codec.write_message(out_fd, header, out)
        os.read(ack_fd, 1)


def _go_on(ack_fd: int) -> None:
    try:
        os.write(ack_fd, b".")
    except OSError:  # the child is gone: its exit is noticed on the next frame
        pass


def _park(out_fd: int) -> None:
    """A copy of the child made by the submission's own fork(): it stays alive (without its
    result pipe), so that the manager sees that the submission started processes."""
    os.close(out_fd)
    while True:
        signal.pause()


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) the process ``pid`` has used so far."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def _wait_frame(fd: int, pid: int, limits: dict):
    """A message from the child, or "cpu" (it used more CPU time than the limit since this
    wait began), "wall" (the wall-clock backstop: sleeping or blocked code), "eof" or
    "malformed". The CPU time, not the wall clock, is what a submission may use: a busy
    machine slows the child down but costs it no CPU seconds."""
    cpu_limit, wall = float(limits["timeout"]), float(limits["wall_timeout"])
    start, cpu0 = time.monotonic(), _cpu_seconds(pid)
    deadline = start + wall
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return "wall"
        if select.select([fd], [], [], min(POLL, remaining))[0]:
            break
        if _cpu_seconds(pid) - cpu0 > cpu_limit:
            return "cpu"
    try:
        return codec.read_message(fd, deadline)
    except TimeoutError:
        return "wall"
    except EOFError:
        return "eof"
    except (codec.WireError, ValueError, OverflowError):
        return "malformed"


def _timeout_text(frame: str, limits: dict) -> str:
    if frame == "cpu":
        return f"timed out after {float(limits['timeout']):g} s of CPU time (an infinite loop?)"
    return (
        f"timed out after {float(limits['wall_timeout']):g} s of waiting while using little "
        "CPU (sleeping or blocked?)"
    )


# ------------------------------------------------------------ what a child may send back


def _text(value, limit: int = 500) -> str:
    """Printable, valid UTF-8, bounded: safe for a terminal, HTML, JSON and SQL."""
    if not isinstance(value, str):
        raise codec.WireError(f"expected text, got {type(value).__name__}")
    value = value[:limit].encode("utf-8", "replace").decode("utf-8")
    if value.isprintable():  # the usual case: no character to replace
        return value
    return "".join(ch if ch.isprintable() else "?" for ch in value)


def _check_output(obj, n_arrays: int, depth: int = 0) -> None:
    """``obj`` is what :func:`codec.encode` makes of plain values, and nothing else."""
    if depth > MAX_DEPTH:
        raise codec.WireError(f"the output is nested more than {MAX_DEPTH} levels deep")
    if obj is None or isinstance(obj, bool | int):
        if isinstance(obj, int) and abs(obj) > 2**64:
            raise codec.WireError("integer too large")
        return
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise codec.WireError("non-finite float outside a marker")
        return
    if isinstance(obj, str):
        if len(obj) > 10_000:
            raise codec.WireError("text output too long")
        return
    if isinstance(obj, list):
        if len(obj) > 10_000:
            raise codec.WireError("list output too long")
        for v in obj:
            _check_output(v, n_arrays, depth + 1)
        return
    if isinstance(obj, dict) and len(obj) == 1:
        ((key, value),) = obj.items()
        if key == "__npy__" and type(value) is int and 0 <= value < n_arrays:
            return
        if key == "__float__" and value in ("nan", "inf", "-inf"):
            return
        if key == "__tuple__" and isinstance(value, list):
            return _check_output(value, n_arrays, depth)
        if key == "__dict__" and isinstance(value, dict) and len(value) <= 1_000:
            for k, v in value.items():
                _text(k, 200)
                _check_output(v, n_arrays, depth + 1)
            return
    raise codec.WireError(f"unexpected {type(obj).__name__} in the output")


def _clean_frame(header: dict, arrays: list, ex: dict) -> dict:
    """The child's frame for ``ex``, rebuilt from checked parts (raises WireError)."""
    if header.get("id") != ex["id"]:
        raise codec.WireError("a result for another exercise")
    if header.get("status") == "missing":
        return {"id": ex["id"], "status": "missing"}
    if header.get("status") != "ran" or not isinstance(header.get("cases"), list):
        raise codec.WireError("not a result frame")
    names = {c["name"] for c in ex["cases"]}
    cases = []
    for case in header["cases"][: len(ex["cases"])]:
        if not isinstance(case, dict) or case.get("name") not in names:
            raise codec.WireError("a result for an unknown case")
        if "error" in case:
            cases.append({"name": case["name"], "error": _text(case["error"])})
        else:
            _check_output(case.get("output"), len(arrays))
            cases.append({"name": case["name"], "output": case["output"]})
    signature = header.get("signature")
    if not (isinstance(signature, list) and len(signature) <= 100):
        signature = None
    else:
        signature = [_text(p, 100) for p in signature]
    for a in arrays:
        if not isinstance(a, np.ndarray) or a.dtype.hasobject:
            raise codec.WireError("not a plain array")
    if sum(a.nbytes for a in arrays) > EXERCISE_OUTPUT_BUDGET:
        raise codec.WireError("the output is too large")
    return {"id": ex["id"], "status": "ran", "signature": signature, "cases": cases}


def _crash_reason(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return "CPU time limit exceeded"
        if sig == signal.SIGKILL:
            return "killed (out of memory or time limit)"
        if sig == signal.SIGSEGV:
            return "crashed (segmentation fault)"
        if sig == signal.SIGXFSZ:
            return "crashed (file size limit exceeded)"
        return f"crashed (signal {signal.Signals(sig).name})"
    return f"the process exited early (exit code {os.WEXITSTATUS(status)})"


def run_job(job: dict, arrays: list, budget: int = JOB_OUTPUT_BUDGET) -> tuple[dict, list]:
    """Run every exercise of ``job`` in forked children (a fresh one after a timeout, crash
    or malformed frame). A timed-out exercise, or module-level code, is re-run once in a
    fresh child before it fails, and a note says so."""
    todo = list(job["exercises"])
    results: dict[str, dict] = {}
    out_arrays: list = []
    notes: list[str] = []
    limits = job["limits"]
    first_child = True
    gc.freeze()  # the job's objects too: no child's collection walks them (see the top)
    retried: set[str] = set()  # exercise ids, and SETUP for module-level code
    while todo:
        read_fd, write_fd = os.pipe()
        codec.widen_pipe(read_fd)  # the child's results (a milestone's trace: megabytes)
        ack_read, ack_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            try:
                os.close(read_fd)
                os.close(ack_write)
                _child(job, arrays, todo, write_fd, ack_read)
                os._exit(0)
            except BaseException:  # noqa: BLE001
                os._exit(70)
        os.close(write_fd)
        os.close(ack_read)
        try:
            frame = _wait_frame(read_fd, pid, limits)
            if isinstance(frame, tuple) and _others_alive(pid):
                frame = "processes"
            _go_on(ack_write)
            if not isinstance(frame, tuple) or frame[0].get("id") != SETUP:
                if frame in ("cpu", "wall") and SETUP not in retried:
                    retried.add(SETUP)
                    notes.append(f"module-level code {_timeout_text(frame, limits)}: re-run once")
                    continue
                reason = {
                    "cpu": "module-level code took longer than the time limit "
                    f"({float(limits['timeout']):g} s of CPU time), also when re-run",
                    "wall": "module-level code took longer than the time limit "
                    f"({float(limits['wall_timeout']):g} s of waiting), also when re-run",
                    "malformed": "module-level code sent a malformed result",
                    "processes": f"module-level code {SPAWNED}",
                }.get(frame, "module-level code crashed the process")
                for ex in todo:
                    results[ex["id"]] = {"id": ex["id"], "status": "error", "reason": reason}
                todo = []
                break
            if first_child:
                raw = frame[0].get("notes", [])
                notes += [_text(n) for n in raw[:50] if isinstance(n, str)]
                first_child = False
            while todo:
                frame = _wait_frame(read_fd, pid, limits)
                ex = todo.pop(0)
                reason = ""
                spawned = isinstance(frame, tuple) and _others_alive(pid)
                _go_on(ack_write)
                if spawned:
                    reason = SPAWNED
                elif isinstance(frame, tuple):
                    try:
                        header = _clean_frame(*frame, ex)
                    except (codec.WireError, AttributeError, TypeError) as exc:
                        reason = f"sent a malformed result ({exc})"
                    else:
                        used = sum(a.nbytes for a in out_arrays)
                        if used + sum(a.nbytes for a in frame[1]) > budget:
                            reason = "the outputs of this submission are too large"
                        else:
                            results[ex["id"]] = _renumber(header, frame[1], out_arrays)
                            if ex["id"] in retried:
                                notes.append(
                                    f"{ex['function']}: the first run timed out; re-run alone, "
                                    "it finished (graded on the re-run)"
                                )
                            continue
                elif frame in ("cpu", "wall"):
                    if ex["id"] not in retried:  # once more, first in a fresh child
                        retried.add(ex["id"])
                        todo.insert(0, ex)
                        break
                    reason = f"{_timeout_text(frame, limits)}, also when re-run alone"
                elif frame == "malformed":
                    reason = "sent a malformed result"
                wstatus = _kill(pid)
                reason = reason or _crash_reason(wstatus)
                results[ex["id"]] = {"id": ex["id"], "status": "error", "reason": reason}
                break
        finally:
            os.close(read_fd)
            os.close(ack_write)
            _kill(pid)
            _kill_leftovers()
    ordered = [results[ex["id"]] for ex in job["exercises"]]
    return {"results": ordered, "notes": notes}, out_arrays


def _renumber(header: dict, got: list, out_arrays: list) -> dict:
    """Move this frame's arrays into the job's list (indices shift by the arrays so far)."""
    offset = len(out_arrays)
    out_arrays.extend(got)
    return _shift(header, offset)


def _shift(obj, offset: int):
    if isinstance(obj, list):
        return [_shift(v, offset) for v in obj]
    if isinstance(obj, dict):
        if "__npy__" in obj and len(obj) == 1:
            return {"__npy__": int(obj["__npy__"]) + offset}
        return {k: _shift(v, offset) for k, v in obj.items()}
    return obj


def _kill(pid: int) -> int:
    """Kill and reap the child; return its wait status (0 if already reaped)."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return 0


# ------------------------------------------------- no process outlives its submission


def _live_children() -> dict[int, list[int]]:
    """ppid -> pids of every live (not zombie) process this process can see."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] not in (b"Z", b"X"):
            tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def _descendants(root: int) -> set[int]:
    tree, found, stack = _live_children(), set(), [root]
    while stack:
        for pid in tree.get(stack.pop(), []):
            if pid not in found:
                found.add(pid)
                stack.append(pid)
    return found


def _others_alive(child: int) -> bool:
    """Is any process alive besides the worker, this manager and ``child``? (Orphans are
    reparented to the worker, so a double-forked daemon is found too.)"""
    return bool(_descendants(WORKER_PID) - {os.getpid(), child})


def _kill_leftovers() -> None:
    """SIGKILL every descendant of the worker but this process (daemons, fork bombs), until
    none is left; orphans are reparented to the worker, so none escapes the tree."""
    spare = {os.getpid(), WORKER_PID}
    for _ in range(1000):
        victims = _descendants(WORKER_PID) - spare
        if not victims:
            return
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        while True:  # reap our own (the worker reaps orphans)
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        time.sleep(0.001)


def _wipe_scratch() -> None:
    """Empty the scratch root (the sandbox's private /tmp): nothing a submission wrote is
    left for the next one, and the tmpfs does not fill up over a run."""
    root = os.environ.get("TMPDIR")
    if not root or not os.path.isdir(root):
        return
    for dirpath, dirnames, _ in os.walk(root):
        for name in dirnames:  # a submission may have made its dirs unreadable
            try:
                os.chmod(os.path.join(dirpath, name), 0o700, follow_symlinks=False)
            except OSError:
                pass
    for name in os.listdir(root):
        if name == ".owner":  # the grader's record of who owns this dir (plain mode)
            continue
        path = os.path.join(root, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass


# --------------------------------------------------------------- manager and worker loop


def job_deadline(limits: dict, n_exercises: int) -> float:
    """Wall-clock seconds after which a job is given up: both phases, every exercise and the
    module-level code at their wall-clock backstop twice (a first run and its re-run)."""
    return float(limits["wall_timeout"]) * 2 * (2 * n_exercises + 2) + 30.0


def _read_job(proto_in: int):
    """The next public-phase job (a hidden-phase message left over from a submission whose
    manager died between its phases is skipped)."""
    while True:
        job, arrays = codec.read_message(proto_in)
        if job.get("phase") != "hidden":
            return job, arrays


def _manager(proto_in: int, proto_out: int, status_fd: int) -> int:
    """Grade one submission in two phases; report progress to the worker on ``status_fd``:
    ``R<json>`` once the job is read (its exercise ids and deadline), ``W`` before the
    result frame.

    Phase 1 runs the public cases: neither this process nor the children it forks have seen
    a hidden input, so whatever a submission shows in public feedback (messages, outputs,
    notes, signature) cannot carry one. Then it asks the parent for the hidden cases of the
    exercises that ran (``{"await_hidden": [ids]}``) and runs them in fresh children; their
    feedback is reduced to fixed categories by the parent."""
    try:
        job, arrays = _read_job(proto_in)
    except (EOFError, codec.WireError):
        return EXIT_EOF
    limits = job["limits"]
    info = {
        "ids": [ex["id"] for ex in job["exercises"]],
        "deadline": job_deadline(limits, len(job["exercises"])),
    }
    message = json.dumps(info).encode()
    os.write(status_fd, b"R" + (message if len(message) < 60_000 else b'{"ids": []}') + b"\n")
    confine.fresh_ipc_world(keep_capabilities="AUTOGRADER_CHILD_UID" in os.environ)
    _precompile(job.get("statements") or [])
    header, out = run_job(job, arrays)
    ran = [r["id"] for r in header["results"] if r.get("status") == "ran"]
    if job.get("hidden_pending") and ran:
        _kill_leftovers()
        _wipe_scratch()  # the hidden phase starts from an empty /tmp too
        codec.write_message(proto_out, {"await_hidden": ran}, [])
        try:
            hidden, hidden_arrays = codec.read_message(proto_in)
        except (EOFError, codec.WireError):
            return EXIT_EOF
        if hidden.get("phase") == "hidden" and hidden.get("exercises"):
            used = sum(a.nbytes for a in out)
            more, more_arrays = run_job(hidden, hidden_arrays, JOB_OUTPUT_BUDGET - used)
            header["results"] = _merge(header["results"], more["results"], out, more_arrays)
    _kill_leftovers()
    os.write(status_fd, b"W")
    codec.write_message(proto_out, header, out)
    return 0


def _merge(public: list[dict], hidden: list[dict], out: list, hidden_arrays: list) -> list:
    """Each exercise's hidden-case results appended to its public ones (arrays renumbered
    into ``out``); a hidden phase that failed fails the exercise, with the grader's reason."""
    by_id = {r["id"]: r for r in hidden}
    offset = len(out)
    out.extend(hidden_arrays)
    merged = []
    for r in public:
        h = by_id.get(r["id"])
        if h is None or r.get("status") != "ran":
            merged.append(r)
        elif h.get("status") == "ran":
            h = _shift(h, offset)
            merged.append(dict(r, cases=r["cases"] + h["cases"]))
        else:
            why = h.get("reason") or "the function was not found"
            merged.append({"id": r["id"], "status": "error", "reason": f"hidden cases: {why}"})
    return merged


def _writing(status: bytes) -> bool:
    """Has the manager started writing its result frame (``W`` after the ``R`` line)?"""
    return b"W" in status.partition(b"\n")[2]


def _read_status(fd: int) -> bytes:
    os.set_blocking(fd, False)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


#: The worker's SIGCHLD wakeup pipe (read end; -1: none, then it polls every 5 ms). The
#: worker sleeps until a child changes state or the manager reports; it used to wake every
#: 5 ms, ~20 ms of CPU per capstone submission.
WAKE_FD = -1
#: Longest sleep of a waiting worker (its deadline checks need no finer grain).
IDLE = 0.5


def _wake_on_sigchld() -> None:
    """Worker only: SIGCHLD (a child exited or stopped, an orphan died) writes a byte to
    :data:`WAKE_FD`, which :func:`_wait_manager` sleeps on."""
    global WAKE_FD
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler: the signal is not ignored
    signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
    WAKE_FD = wake_r


def _forget_wakeup() -> None:
    """In a process forked by the worker: SIGCHLD back to its default, the pipe closed."""
    global WAKE_FD
    if WAKE_FD < 0:
        return
    wake_w = signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for fd in (WAKE_FD, wake_w):
        if fd >= 0:
            os.close(fd)
    WAKE_FD = -1


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def _wait_manager(pid: int, status_fd: int) -> tuple[int, bytes]:
    """Reap orphans while the manager runs; kill it if it is stopped or overruns its job's
    deadline (a submission can SIGSTOP its manager). Returns its wait status and reports.
    Sleeps until SIGCHLD (:data:`WAKE_FD`), a report or :data:`IDLE` seconds."""
    status = b""
    deadline = None
    watch = [status_fd] + ([WAKE_FD] if WAKE_FD >= 0 else [])
    idle = IDLE if WAKE_FD >= 0 else 0.005
    while True:
        try:
            done, wstatus = os.waitpid(-1, os.WNOHANG | os.WUNTRACED)
        except ChildProcessError:
            return 0, status
        if done == pid:
            if os.WIFSTOPPED(wstatus):
                os.kill(pid, signal.SIGKILL)
                continue
            return wstatus, status + _read_status(status_fd)
        if done:
            continue
        ready = select.select(watch, [], [], idle)[0]
        if WAKE_FD in ready:
            _drain(WAKE_FD)
        if status_fd in ready:
            more = _read_status(status_fd)
            if not more:  # end of file: the manager closed it (exiting); SIGCHLD follows
                watch.remove(status_fd)  # else select returns at once, a busy loop
            status += more
            if deadline is None and status.startswith(b"R") and b"\n" in status:
                try:
                    info = json.loads(status[1 : status.index(b"\n")])
                    deadline = time.monotonic() + float(info.get("deadline", 3600))
                except ValueError:
                    deadline = time.monotonic() + 3600
        if deadline is not None and not _writing(status) and time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = None


def _harden() -> None:
    """No other process of the sandbox may ptrace this one or open its pipes through
    /proc/<pid>/fd; orphans of its descendants come back to it."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    if os.getpid() != 1:
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def main() -> None:
    global WORKER_PID, FILTER
    WORKER_PID = os.getpid()
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    _harden()
    if os.environ.get("AUTOGRADER_SECCOMP") == "off":  # layer tests only: never in grading
        FILTER, seccomp = None, "DISABLED (AUTOGRADER_SECCOMP=off)"
    else:
        FILTER, seccomp = confine.syscall_filter()
    layers = {"seccomp": seccomp, "ipc": confine.ipc_status()}
    codec.write_message(proto_out, {"ready": True, "pid": os.getpid(), "layers": layers}, [])
    gc.collect()
    gc.freeze()  # inherited objects stay out of every forked process's collections
    _wake_on_sigchld()
    while True:
        status_r, status_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 71
            try:
                _forget_wakeup()
                os.close(status_r)
                code = _manager(proto_in, proto_out, status_w)
            finally:
                os._exit(code)
        os.close(status_w)
        wstatus, status = _wait_manager(pid, status_r)
        os.close(status_r)
        _kill_leftovers()
        _wipe_scratch()
        if os.WIFEXITED(wstatus) and os.WEXITSTATUS(wstatus) == 0:
            continue
        if (os.WIFEXITED(wstatus) and os.WEXITSTATUS(wstatus) == EXIT_EOF) or _writing(status):
            return  # the pipe is closed, or a result frame may be half written
        if not status.startswith(b"R"):
            return
        try:
            ids = json.loads(status[1 : status.index(b"\n")])["ids"]
        except (ValueError, KeyError):
            ids = []
        if os.WIFSIGNALED(wstatus):
            reason = "the submission killed or stopped the grading process"
        else:
            reason = f"the grading process failed (exit code {os.WEXITSTATUS(wstatus)})"
        results = [{"id": i, "status": "error", "reason": reason} for i in ids]
        codec.write_message(proto_out, {"results": results, "notes": []}, [])


if __name__ == "__main__":
    main()
