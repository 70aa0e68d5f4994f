"""The warm worker that runs inside the sandbox (numpy pre-imported; never ``solutions``).

Protocol on the inherited stdin/stdout pipes (:mod:`autograder.codec` frames). For each job
(one submission: its extracted top-level statements and the cases of each exercise) the
worker forks a child with its own rlimits and an empty scratch dir; the child executes the
submission's definitions, then runs the exercises in order and streams one result frame per
exercise. The worker enforces a wall-clock timeout per exercise: on a timeout or crash it
records the reason for that exercise and forks a fresh child for the rest, so one runaway
exercise costs only itself.
"""

from __future__ import annotations

import inspect
import os
import resource
import select
import signal
import sys
import tempfile
import time

import numpy as np  # noqa: F401  (warm: imported once, inherited by every child)

from autograder import codec, drivers

SETUP = "__setup__"


def _apply_limits(limits: dict, n_exercises: int) -> None:
    cpu = int(limits["timeout"] * (n_exercises + 1)) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = int(limits["memory_mb"]) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    fsize = int(limits["fsize_mb"]) * 2**20
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    nproc = int(limits["nproc"])
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _load_submission(statements: list[dict]) -> tuple[dict, list[str]]:
    """Execute each extracted top-level statement on its own; failures are noted, not fatal."""
    namespace: dict = {"__name__": "submission"}
    notes = []
    for st in statements:
        code = "\n" * (int(st["line"]) - 1) + st["code"]
        try:
            exec(compile(code, f"<cell {st['cell']}>", "exec"), namespace)
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            if isinstance(exc, SystemExit | KeyboardInterrupt):
                exc = RuntimeError(f"{type(exc).__name__} at module level")
            notes.append(f"cell {st['cell']}: {drivers.student_error(exc)}")
    return namespace, notes


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
    budget = 64 * 2**20
    for c in ex["cases"]:
        args = codec.decode(c["args"], arrays)
        kwargs = codec.decode(c["kwargs"], arrays)
        try:
            got = drivers.drive(ex["kind"], fn, args, kwargs, int(c["steps"]))
            before = len(out_arrays)
            encoded = codec.encode(got, out_arrays)
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


def _child(job: dict, arrays: list, todo: list[dict], out_fd: int) -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.chdir(tempfile.mkdtemp(prefix="submission-"))
    _apply_limits(job["limits"], len(todo))
    namespace, notes = _load_submission(job["statements"])
    codec.write_message(out_fd, {"id": SETUP, "notes": notes}, [])
    for ex in todo:
        header, out = _run_exercise(namespace, ex, arrays)
        codec.write_message(out_fd, header, out)


def _wait_frame(fd: int, deadline: float):
    """A message from the child, or "timeout" / "eof"."""
    remaining = deadline - time.monotonic()
    if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
        return "timeout"
    try:
        return codec.read_message(fd)
    except (EOFError, codec.WireError, ValueError):
        return "eof"


def _crash_reason(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return "CPU time limit exceeded"
        if sig == signal.SIGKILL:
            return "killed (out of memory or time limit)"
        if sig == signal.SIGSEGV:
            return "crashed (segmentation fault)"
        return f"crashed (signal {signal.Signals(sig).name})"
    return f"the process exited early (exit code {os.WEXITSTATUS(status)})"


def run_job(job: dict, arrays: list) -> tuple[dict, list]:
    todo = list(job["exercises"])
    results: dict[str, dict] = {}
    out_arrays: list = []
    notes: list[str] = []
    timeout = float(job["limits"]["timeout"])
    first_child = True
    while todo:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            try:
                os.close(read_fd)
                for fd in job["_protocol_fds"]:
                    os.close(fd)
                _child(job, arrays, todo, write_fd)
                os._exit(0)
            except BaseException:  # noqa: BLE001
                os._exit(70)
        os.close(write_fd)
        try:
            frame = _wait_frame(read_fd, time.monotonic() + timeout)
            if not isinstance(frame, tuple):  # setup itself timed out or crashed
                reason = (
                    "module-level code took longer than the time limit"
                    if frame == "timeout"
                    else "module-level code crashed the process"
                )
                _kill(pid)
                for ex in todo:
                    results[ex["id"]] = {"id": ex["id"], "status": "error", "reason": reason}
                todo = []
                break
            if first_child:
                notes += frame[0].get("notes", [])
                first_child = False
            while todo:
                frame = _wait_frame(read_fd, time.monotonic() + timeout)
                ex = todo.pop(0)
                if isinstance(frame, tuple):
                    header, got = frame
                    header = _renumber(header, got, out_arrays)
                    results[ex["id"]] = header
                    continue
                if frame == "timeout":
                    reason = f"timed out after {timeout:g} s (infinite loop?)"
                    _kill(pid)
                else:
                    reason = _crash_reason(_kill(pid))
                results[ex["id"]] = {"id": ex["id"], "status": "error", "reason": reason}
                break
        finally:
            os.close(read_fd)
            _kill(pid)
    ordered = [results[ex["id"]] for ex in job["exercises"]]
    return {"results": ordered, "notes": notes}, out_arrays


def _renumber(header: dict, got: list, out_arrays: list) -> dict:
    """Move this frame's arrays into the job's list (indices shift by the arrays so far)."""
    offset = len(out_arrays)
    out_arrays.extend(got)

    def shift(obj):
        if isinstance(obj, list):
            return [shift(v) for v in obj]
        if isinstance(obj, dict):
            if "__npy__" in obj and len(obj) == 1:
                return {"__npy__": int(obj["__npy__"]) + offset}
            return {k: shift(v) for k, v in obj.items()}
        return obj

    return shift(header)


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


def main() -> None:
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    codec.write_message(proto_out, {"ready": True, "pid": os.getpid()}, [])
    while True:
        try:
            job, arrays = codec.read_message(proto_in)
        except EOFError:
            return
        job["_protocol_fds"] = [proto_in, proto_out]
        header, out = run_job(job, arrays)
        codec.write_message(proto_out, header, out)


if __name__ == "__main__":
    main()
