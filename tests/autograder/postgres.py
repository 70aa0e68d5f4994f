"""A real, throwaway PostgreSQL server for the gradebook tests: ``initdb`` a cluster in a
temporary directory, ``pg_ctl start`` it on a free local port (as ``nobody`` when the tests
run as root: PostgreSQL refuses to run as root), password authentication, torn down after.

Binaries: Debian's ``postgresql`` package (``/usr/lib/postgresql/<N>/bin``, installed by
``scripts/install-system-deps.sh``) or ``initdb``/``pg_ctl`` on PATH.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path


def bin_dir() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    if not dirs:
        raise RuntimeError(
            "PostgreSQL server binaries not found (initdb, pg_ctl): run "
            "scripts/install-system-deps.sh (Debian package postgresql)"
        )
    return Path(dirs[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server():
    """Yields ``postgresql+psycopg://postgres:<password>@127.0.0.1:<port>/postgres``."""
    bins = bin_dir()
    root = Path(tempfile.mkdtemp(prefix="autograder-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
        as_user = ["runuser", "-u", "nobody", "--"]
    password = secrets.token_hex(12)
    (root / "pw").write_text(password + "\n")
    if as_user:
        os.chown(root / "pw", pwd.getpwnam("nobody").pw_uid, -1)
    data, port = root / "data", _free_port()

    def run(*cmd: str) -> None:
        done = subprocess.run([*as_user, *cmd], capture_output=True, text=True, cwd=root)
        if done.returncode:
            log = (root / "log").read_text() if (root / "log").exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}{done.stderr}{log}")

    try:
        run(
            str(bins / "initdb"),
            "-D", str(data),
            "-U", "postgres",
            f"--pwfile={root / 'pw'}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )  # fmt: skip
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(str(bins / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-o", options,
            "-w", "-t", "120", "start")  # fmt: skip
        try:
            yield f"postgresql+psycopg://postgres:{password}@127.0.0.1:{port}/postgres"
        finally:
            run(str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def new_database(server_url: str) -> str:
    """A fresh, empty database on the server; returns its URL."""
    import psycopg

    name = f"gb_{uuid.uuid4().hex[:12]}"
    plain = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name
