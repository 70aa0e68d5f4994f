"""Start and talk to the sandboxed warm worker (:mod:`autograder.worker`).

Layers, each reported in ``layers`` (and in the grading report) with whether it is active:
bubblewrap namespaces (user, pid, net, ipc, uts, mount: no network, uid 65534, read-only
minimal mounts of the Python install, numpy/scipy and the grader's sandbox-safe modules; the
``solutions`` package and other submissions are never mounted; an empty tmpfs work dir;
a cleared environment), then per child rlimits (CPU, address space, file size, process
count) and a wall-clock timeout per exercise. Without bubblewrap the worker runs as a plain
subprocess (rlimits, timeout, scrubbed env, temp dir still apply) and the report says so.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import numpy

from autograder import codec

BWRAP = "/usr/bin/bwrap"
GRADER_DIR = Path(__file__).resolve().parent
#: Only these grader modules are visible in the sandbox (never the registry or solutions).
SANDBOX_MODULES = ("__init__.py", "codec.py", "drivers.py", "worker.py")
DEFAULT_LIMITS = {"timeout": 10.0, "memory_mb": 2048, "fsize_mb": 16, "nproc": 8}
ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "LANG": "C.UTF-8",
    "HOME": "/tmp",
    "PATH": "/usr/bin:/bin",
}


def _site_packages() -> Path:
    return Path(numpy.__file__).resolve().parent.parent


def _grader_copy() -> Path:
    """A private copy of the sandbox-safe grader modules (so the rest of autograder/, which
    imports solutions, is not even visible inside)."""
    root = Path(tempfile.mkdtemp(prefix="autograder-sandbox-"))
    (root / "autograder").mkdir()
    for name in SANDBOX_MODULES:
        src = GRADER_DIR / name
        text = src.read_text() if name != "__init__.py" else '"""sandbox copy"""\n'
        (root / "autograder" / name).write_text(text)
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


class Worker:
    """One warm sandboxed worker process; ``run(job, arrays)`` grades one submission."""

    def __init__(self, *, sandbox: bool = True):
        self.grader_root = _grader_copy()
        self.layers: dict[str, str] = {}
        python = Path(sys.executable).resolve()
        prefix = Path(sysconfig.get_paths()["stdlib"]).resolve().parent.parent
        site = _site_packages()
        boot = (
            "import sys; sys.path[:0] = ['/grader', '/site']; "
            "import autograder.worker as w; w.main()"
        )
        ok, why = bwrap_available() if sandbox else (False, "disabled by --no-sandbox")
        if ok:
            cmd = [
                BWRAP,
                "--unshare-all",
                "--die-with-parent",
                "--new-session",
                "--uid",
                "65534",
                "--gid",
                "65534",
                "--ro-bind",
                "/usr",
                "/usr",
                "--symlink",
                "usr/lib",
                "/lib",
                "--symlink",
                "usr/lib64",
                "/lib64",
                "--symlink",
                "usr/bin",
                "/bin",
                "--ro-bind",
                str(prefix),
                str(prefix),
                "--proc",
                "/proc",
                "--dev",
                "/dev",
                "--tmpfs",
                "/tmp",
                "--ro-bind",
                str(self.grader_root),
                "/grader",
            ]
            for pkg in ("numpy", "numpy.libs", "scipy", "scipy.libs"):
                if (site / pkg).exists():
                    cmd += ["--ro-bind", str(site / pkg), f"/site/{pkg}"]
            cmd += ["--chdir", "/tmp", "--clearenv"]
            for k, v in ENV.items():
                cmd += ["--setenv", k, v]
            cmd += [str(python), "-I", "-c", boot]
            env = None
            self.layers["namespaces"] = (
                "active: bubblewrap (no network, uid 65534, pid/ipc/"
                "mount namespaces, read-only minimal mounts)"
            )
        else:
            self._scratch = tempfile.mkdtemp(prefix="autograder-work-")
            boot = boot.replace("'/site'", repr(str(site))).replace(
                "'/grader'", repr(str(self.grader_root))
            )
            cmd = [str(python), "-I", "-c", boot]
            env = dict(ENV, HOME=self._scratch, TMPDIR=self._scratch)
            self.layers["namespaces"] = f"UNAVAILABLE ({why}): no network/uid isolation"
        self.layers["rlimits"] = "active: CPU, address space, file size, process count"
        self.layers["timeout"] = "active: wall clock per exercise"
        self.layers["environment"] = "active: scrubbed, empty scratch dir per submission"
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=getattr(self, "_scratch", None),
        )
        header, _ = codec.read_message(self.proc.stdout.fileno())
        if not header.get("ready"):
            raise RuntimeError("sandbox worker did not start")

    def run(self, job: dict, arrays: list) -> tuple[dict, list]:
        codec.write_message(self.proc.stdin.fileno(), job, arrays)
        return codec.read_message(self.proc.stdout.fileno())

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
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
    return out
