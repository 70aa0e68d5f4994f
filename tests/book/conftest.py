"""Build the book once per test session (the same command as ``make book``) and share it.

Every build-dependent test is marked ``slow`` and put in the xdist group "book", so under
``pytest -n 2 --dist loadgroup`` they all run in one worker and the build happens once.
The build goes into the repository's ``_build`` (as ``make book`` does), so the execution
cache makes a rebuild after a text edit quick; a fresh clone (CI) gets a clean build.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
SCREENSHOTS = BUILD / "screenshots"
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
#: Exactly the Makefile's ``book`` command.
BOOK_COMMAND = [str(JUPYTER_BOOK), "build", ".", "--path-output", ".", "-W", "--keep-going"]

#: Sphinx prints warnings as "path: WARNING: message" or "WARNING: message" (not to be confused
#: with the kernel's own "[IPKernelApp] WARNING | ..." log line, which is not a build warning).
SPHINX_WARNING = re.compile(r"(?:^|: )WARNING: .*$", re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Build:
    returncode: int
    output: str
    seconds: float
    html: Path

    @property
    def warnings(self) -> list[str]:
        return SPHINX_WARNING.findall(self.output)


def toc_documents() -> list[str]:
    """Every document listed in _toc.yml, section pages included, in reading order
    (e.g. 'chapters/04_losses/index', 'chapters/04_losses/regression', ...)."""
    return [doc for docs in toc_chapters().values() for doc in docs]


def toc_chapters() -> dict[str, list[str]]:
    """Each top-level entry of _toc.yml -> its pages (its own page, then its sections)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    chapters = {toc["root"]: [toc["root"]]}
    for part in toc.get("parts", []):
        for entry in part.get("chapters", []):
            sections = [s["file"] for s in entry.get("sections", [])]
            chapters[entry["file"]] = [entry["file"], *sections]
    return chapters


def chapter_documents() -> list[str]:
    """The chapters' first pages (one per chapter)."""
    return [doc for doc in toc_chapters() if doc.startswith("chapters/")]


def chapter_page_documents() -> list[str]:
    """Every page of every chapter: a chapter split into sections has several."""
    return [doc for doc in toc_documents() if doc.startswith("chapters/")]


@pytest.fixture(scope="session")
def book() -> Build:
    """Build once per test run, even when xdist spreads the book tests over several workers:
    the first worker builds under a lock and records the result with the run's id; the others
    wait for the lock and reuse that record."""
    BUILD.mkdir(exist_ok=True)
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid-{os.getpid()}"
    record = BUILD / "book-test-build.json"
    with open(BUILD / ".book-test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker or a `make book` may be building
        if record.exists():
            previous = json.loads(record.read_text())
            if previous.get("run_id") == run_id:
                return Build(previous["returncode"], previous["output"], previous["seconds"], HTML)
        start = time.perf_counter()
        proc = subprocess.run(BOOK_COMMAND, cwd=ROOT, capture_output=True, text=True, timeout=1200)
        seconds = time.perf_counter() - start
        output = ANSI.sub("", proc.stdout + proc.stderr)
        result = {"run_id": run_id, "returncode": proc.returncode, "seconds": seconds}
        record.write_text(json.dumps({**result, "output": output}))
    return Build(proc.returncode, output, seconds, HTML)
