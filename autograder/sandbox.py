"""Start and talk to the sandboxed warm worker (:mod:`autograder.worker`).

Layers, each reported in ``layers`` (and in the grading report) with whether it is active:
bubblewrap namespaces (user, pid, net, ipc, uts, mount: no network; no further user
namespaces; read-only minimal mounts of the Python standard library, numpy/scipy and the
grader's sandbox-safe modules, the interpreter's own site-packages hidden; the ``solutions``
package and other submissions are never mounted; a size-capped tmpfs ``/tmp``, everything else
read-only; a cleared environment). When the grader runs as root, the sandbox is started as
the host user nobody (uid 65534), through a private mount namespace that makes the Python
install visible to it: a sandbox uid that maps to host root would be exempt from
``RLIMIT_NPROC`` (a fork bomb would not be stopped). Each submission gets a fresh IPC
namespace and session keyring (the worker keeps ``CAP_SYS_ADMIN`` in its own user namespace
for that alone; children drop every capability), and each child a seccomp filter
(:mod:`autograder.confine`: no new processes, no IPC, keyrings, io_uring, perf, bpf, ...).
Then per child rlimits (CPU, address space, file size, process count, open files), a CPU-time
limit per exercise with a wall-clock backstop (a timed-out exercise is re-run once), and the
worker kills every process a submission leaves behind. A job crosses in two messages: the
public cases, then -- only once the public phase is over -- the hidden ones, so nothing a
submission shows in public feedback can carry a hidden input. Without bubblewrap the worker
runs as a plain subprocess (rlimits, timeout, seccomp, IPC namespace, scrubbed env, temp dir,
nobody uid when root still apply) and the report says so. See ``SECURITY.md``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import weakref
from pathlib import Path

import numpy

from autograder import codec, worker

BWRAP = "/usr/bin/bwrap"
GRADER_DIR = Path(__file__).resolve().parent
#: Only these grader modules are visible in the sandbox (never the registry or solutions).
SANDBOX_MODULES = (
    "__init__.py",
    "codec.py",
    "confine.py",
    "drivers.py",
    "pipeline.py",
    "worker.py",
)
#: ``timeout``: CPU seconds per exercise (and for the module-level code); ``wall_timeout``:
#: the wall-clock backstop against sleeping or blocked code (None: derived from ``timeout``).
DEFAULT_LIMITS = {
    "timeout": 10.0,
    "wall_timeout": None,
    "memory_mb": 2048,
    "fsize_mb": 16,
    "nproc": 8,
}
#: Size of the sandbox's /tmp (a tmpfs: its pages are memory, not counted in RLIMIT_AS).
TMP_MB = 64
NOBODY = 65534
ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "LANG": "C.UTF-8",
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "PATH": "/usr/bin:/bin",
}


def _site_packages() -> Path:
    return Path(numpy.__file__).resolve().parent.parent


def _process_id(pid: int) -> str:
    """``pid`` and its start time: unique for the life of the machine (pids are reused)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f"{pid} {int(f.read().rsplit(b')', 1)[1].split()[19])}"
    except (OSError, IndexError, ValueError):
        return f"{pid} ?"


def sweep_dead_runs(tmp: str | None = None) -> list[Path]:
    """Remove the temp dirs of grading runs that died without cleaning up (SIGKILL, power
    loss): each records its owner process; one whose owner is gone is removed (one without
    a record, from an older version, once it is a day old). Returns what was removed."""
    removed = []
    for prefix in ("autograder-sandbox-", "autograder-work-"):
        for path in Path(tmp or tempfile.gettempdir()).glob(prefix + "*"):
            owner = path / ".owner"
            try:
                if owner.exists():
                    record = owner.read_text().strip()
                    now = _process_id(int(record.split()[0]))
                    dead = now != record or now.endswith("?")
                else:
                    dead = time.time() - path.stat().st_mtime > 86400
            except (OSError, ValueError, IndexError):
                continue
            if dead and path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def _grader_copy() -> Path:
    """A private copy of the sandbox-safe grader modules (so the rest of autograder/, which
    imports solutions, is not even visible inside), readable by the sandbox user."""
    sweep_dead_runs()
    root = Path(tempfile.mkdtemp(prefix="autograder-sandbox-"))
    (root / ".owner").write_text(_process_id(os.getpid()))
    root.chmod(0o755)
    for sub in ("autograder", "empty", "mnt"):
        (root / sub).mkdir(mode=0o755)
    for name in SANDBOX_MODULES:
        src = GRADER_DIR / name
        text = src.read_text() if name != "__init__.py" else '"""sandbox copy"""\n'
        (root / "autograder" / name).write_text(text)
        (root / "autograder" / name).chmod(0o644)
    return root


def bwrap_available() -> tuple[bool, str]:
    if not Path(BWRAP).exists():
        return False, f"{BWRAP} not found"
    try:
        r = subprocess.run(
            [BWRAP, "--unshare-all", "--ro-bind", "/", "/", "true"], capture_output=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    return r.returncode == 0, r.stderr.decode(errors="replace").strip()[:200]


def _others_can_read(path: Path) -> bool:
    """Every ancestor of ``path`` is searchable and ``path`` readable by other users."""
    chain = [path, *path.parents]
    return all(p.stat().st_mode & 0o001 for p in chain) and bool(path.stat().st_mode & 0o004)


def _as_nobody_available() -> bool:
    """Root can start the sandbox as host nobody (needs util-linux unshare, mount, setpriv)."""
    return os.geteuid() == 0 and all(shutil.which(t) for t in ("unshare", "mount", "setpriv"))


class Worker:
    """One warm sandboxed worker process; ``run(job, arrays)`` grades one submission.

    ``token`` (unique per worker) is the last argument of every sandboxed process's command
    line, so a test can check that none outlives the worker."""

    def __init__(self, *, sandbox: bool = True):
        self.grader_root = _grader_copy()
        self.token = self.grader_root.name
        # temp dirs go even if close() is never called (garbage collection, interpreter exit)
        weakref.finalize(self, shutil.rmtree, self.grader_root, ignore_errors=True)
        self.layers: dict[str, str] = {}
        ok, why = bwrap_available() if sandbox else (False, "disabled by --no-sandbox")
        if ok:
            cmd, env, cwd = self._bwrap_command(as_nobody=_as_nobody_available())
        else:
            cmd, env, cwd = self._plain_command(why)
        self.layers["rlimits"] = "active: CPU, address space, file size, process count"
        self.layers["timeout"] = (
            "active: CPU time per exercise, a wall-clock backstop against sleeping code, "
            "a timed-out exercise re-run once in a fresh process"
        )
        self.layers["environment"] = "active: scrubbed, empty scratch dir per submission"
        self.layers["cleanup"] = "active: no process of a submission outlives it"
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
        )
        codec.widen_pipe(self.proc.stdin.fileno())
        codec.widen_pipe(self.proc.stdout.fileno())
        try:
            header, _ = codec.read_message(self.proc.stdout.fileno(), time.monotonic() + 60)
        except (EOFError, TimeoutError, codec.WireError) as exc:
            self.close()
            raise RuntimeError(f"sandbox worker did not start ({type(exc).__name__})") from exc
        if not header.get("ready"):
            raise RuntimeError("sandbox worker did not start")
        self.layers.update({k: str(v) for k, v in header.get("layers", {}).items()})
        self.layers["cgroup"] = (
            "not used: seccomp forbids new processes, so the address-space "
            "limit covers the submission's only process; SysV/POSIX shared memory and memfd "
            "are refused, /tmp is a capped tmpfs"
            if self.layers.get("seccomp", "").startswith("active")
            else "UNAVAILABLE: limits are per process (RLIMIT_AS, RLIMIT_NPROC)"
        )

    def _boot(self, grader: str, site: str) -> list[str]:
        boot = (
            f"import sys; sys.path[:0] = [{grader!r}, {site!r}]; "
            "import autograder.worker as w; w.main()"
        )
        return [str(Path(sys.executable).resolve()), "-I", "-c", boot, self.token]

    def _bwrap_command(self, *, as_nobody: bool):
        prefix = Path(sysconfig.get_paths()["stdlib"]).resolve().parent.parent
        site = _site_packages()
        own_site = Path(sysconfig.get_paths(vars={"base": str(prefix)})["purelib"])
        # host path -> sandbox path, all read-only
        binds = [(prefix, prefix), (self.grader_root, Path("/grader"))]
        binds += [
            (site / p, Path("/site") / p) for p in ("numpy", "numpy.libs", "scipy", "scipy.libs")
        ]
        binds = [(src, dst) for src, dst in binds if src.exists()]
        outer = []
        if as_nobody:  # make each source visible to nobody in a private mount namespace
            for i, (src, dst) in enumerate(binds):
                point = self.grader_root / "mnt" / str(i)
                point.mkdir(mode=0o755)
                outer.append(f"mount --bind {shlex.quote(str(src))} {shlex.quote(str(point))}")
                binds[i] = (point, dst)
        cmd = [BWRAP, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent"]
        # kept by the worker only, to give each submission a fresh IPC namespace; every
        # child drops it (and all others) before running student code
        cmd += ["--cap-add", "CAP_SYS_ADMIN"]
        cmd += ["--new-session", "--as-pid-1", "--uid", str(NOBODY), "--gid", str(NOBODY)]
        cmd += ["--ro-bind", "/usr", "/usr"]
        for link in ("lib", "lib64", "bin"):
            cmd += ["--symlink", f"usr/{link}", f"/{link}"]
        cmd += [
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--size",
            str(TMP_MB * 2**20),
            "--tmpfs",
            "/tmp",
        ]
        for src, dst in binds:
            cmd += ["--ro-bind", str(src), str(dst)]
        if own_site.is_dir() and own_site.resolve() != site:
            cmd += ["--ro-bind", str(self.grader_root / "empty"), str(own_site)]
        cmd += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/tmp", "--clearenv"]
        for k, v in ENV.items():
            cmd += ["--setenv", k, v]
        cmd += self._boot("/grader", "/site")
        self.layers["namespaces"] = (
            "active: bubblewrap (no network, pid/ipc/mount/user namespaces, no nested user "
            f"namespaces, read-only minimal mounts, {TMP_MB} MB /tmp, worker is pid 1)"
        )
        if as_nobody:
            drop = f"setpriv --reuid {NOBODY} --regid {NOBODY} --clear-groups -- "
            script = " && ".join(outer + ["exec " + drop + shlex.join(cmd)])
            cmd = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script]
            self.layers["uid"] = "active: host uid 65534 (nobody), RLIMIT_NPROC enforced"
        elif os.geteuid() == 0:
            self.layers["uid"] = (
                "DEGRADED: sandbox uid maps to host root (no unshare/mount/setpriv): "
                "RLIMIT_NPROC is not enforced"
            )
        else:
            self.layers["uid"] = f"active: host uid {os.geteuid()} (not root)"
        return cmd, None, None

    def _plain_command(self, why: str):
        self._scratch = tempfile.mkdtemp(prefix="autograder-work-")
        Path(self._scratch, ".owner").write_text(_process_id(os.getpid()))
        os.chmod(self._scratch, 0o711)
        weakref.finalize(self, shutil.rmtree, self._scratch, ignore_errors=True)
        prefix = Path(sysconfig.get_paths()["stdlib"]).resolve()
        cmd = self._boot(str(self.grader_root), str(_site_packages()))
        env = dict(ENV, HOME=self._scratch, TMPDIR=self._scratch)
        self.layers["namespaces"] = (
            f"UNAVAILABLE ({why}): no network, mount or pid isolation; host files readable"
        )
        if os.geteuid() != 0:
            self.layers["uid"] = f"children run as host uid {os.geteuid()}"
        elif _others_can_read(prefix) and _others_can_read(_site_packages()):
            env["AUTOGRADER_CHILD_UID"] = str(NOBODY)
            self.layers["uid"] = "active: children run as host uid 65534 (nobody)"
        else:
            self.layers["uid"] = (
                "DEGRADED: children run as root (nobody cannot read the Python install): "
                "RLIMIT_NPROC is not enforced"
            )
        return cmd, env, self._scratch

    def run(self, job: dict, arrays: list) -> tuple[dict, list]:
        """Grade one job: its public cases first, then (when the sandbox asks for them) its
        hidden cases. A worker that neither answers nor dies by the job's deadline is given
        up (``TimeoutError``; the caller starts a fresh worker)."""
        n = len(job.get("exercises", []))
        deadline = time.monotonic() + worker.job_deadline(job["limits"], n) + 30.0
        fd_in, fd_out = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        codec.write_message(fd_in, *job_part(job, arrays, hidden=False))
        header, out = codec.read_message(fd_out, deadline)
        if "await_hidden" in header:
            wanted = header["await_hidden"]
            wanted = (
                {i for i in wanted if isinstance(i, str)} if isinstance(wanted, list) else set()
            )
            codec.write_message(fd_in, *job_part(job, arrays, hidden=True, ids=wanted))
            header, out = codec.read_message(fd_out, deadline)
        return header, out

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.grader_root, ignore_errors=True)
        if hasattr(self, "_scratch"):
            shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def limits(**overrides) -> dict:
    out = dict(DEFAULT_LIMITS)
    out.update({k: v for k, v in overrides.items() if v is not None})
    if out["wall_timeout"] is None:  # generous: a loaded machine must not trip it
        out["wall_timeout"] = max(6.0 * float(out["timeout"]), float(out["timeout"]) + 60.0)
    return out


def job_part(job: dict, arrays: list, *, hidden: bool, ids=None) -> tuple[dict, list]:
    """The job's public (or hidden) cases as one message with only its own arrays; the
    sandbox receives the hidden inputs only after its public phase is over. ``ids``: only
    these exercises."""
    own: list = []
    exercises = []
    for ex in job["exercises"]:
        cases = [c for c in ex["cases"] if bool(c.get("hidden")) == hidden]
        if (hidden and not cases) or (ids is not None and ex["id"] not in ids):
            continue
        cases = [
            dict(
                c, args=_reindex(c["args"], arrays, own), kwargs=_reindex(c["kwargs"], arrays, own)
            )
            for c in cases
        ]
        exercises.append(dict(ex, cases=cases))
    part = dict(job, exercises=exercises)
    if hidden:
        part["phase"] = "hidden"
    else:
        part["hidden_pending"] = any(
            c.get("hidden") for ex in job["exercises"] for c in ex["cases"]
        )
    return part, own


def _reindex(obj, arrays: list, own: list):
    """``obj`` with its ``{"__npy__": i}`` markers pointing into ``own`` instead of ``arrays``."""
    if isinstance(obj, list):
        return [_reindex(v, arrays, own) for v in obj]
    if isinstance(obj, dict):
        if "__npy__" in obj and len(obj) == 1:
            own.append(arrays[int(obj["__npy__"])])
            return {"__npy__": len(own) - 1}
        return {k: _reindex(v, arrays, own) for k, v in obj.items()}
    return obj
