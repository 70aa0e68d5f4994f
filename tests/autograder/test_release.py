"""The student bundle: notebooks plus public checks, and nothing that reveals a solution or a
hidden case. ``check()`` runs from the extracted bundle in a fresh interpreter where
``solutions`` cannot be imported (``python -I -S``: only the bundle and the folder holding
numpy/scipy on ``sys.path``), with the same verdicts as in the repository."""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest

from autograder import feedback, notebooks, public, registry
from autograder.release import BUNDLED_MODULES, STORED_MODULE, release

SITE = str(Path(np.__file__).resolve().parent.parent)
#: Chapters whose notebooks are run through check() from the bundle: every driver kind
#: (function, backward, initializer, optimizer, scheduler) without running them all.
RUN_CHAPTERS = ["00_backprop", "01_init", "05_optimizers"]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    root = tmp_path_factory.mktemp("release")
    path, chapters = release(root / "student.zip")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        zf.extractall(root / "x")
    return root / "x" / "student", names, chapters


def _texts(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(errors="replace")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != ".npz"
    }


# ------------------------------------------------------------------ what is (not) shipped


def test_bundle_layout(bundle):
    folder, names, chapters = bundle
    assert chapters == registry.chapters()
    assert all(n.startswith("student/") for n in names)
    for chapter in chapters:
        nb = folder / "chapters" / chapter / "exercises.ipynb"
        assert nb.read_text() == notebooks.dumps(notebooks.student_notebook(chapter))
    shipped = {p.name for p in (folder / "autograder").glob("*.py")}
    assert shipped == set(BUNDLED_MODULES)
    assert (folder / "README.md").exists() and (folder / "pyproject.toml").exists()


def test_no_solutions_and_no_case_generators(bundle):
    folder, names, _ = bundle
    assert not any("solutions" in Path(n).parts for n in names)
    assert not any(
        n.endswith(("grade.py", "sandbox.py", "authoring.py", "notebooks.py")) for n in names
    )
    for module in (folder / "autograder" / "exercises").glob("*.py"):
        if module.name != "__init__.py":
            chapter = registry.CHAPTERS.get(module.stem, "")
            assert module.read_text() == STORED_MODULE.format(chapter=chapter), module.name
    importing = re.compile(r"^\s*(from\s+solutions\b|import\s+solutions\b)", re.M)
    assert [name for name, text in _texts(folder).items() if importing.search(text)] == []


TRIVIAL = {"else:", "try:", "finally:", "pass", "continue", "break", "return", ")", "]", "}"}


def _fragments(obj) -> set[str]:
    """Pairs of consecutive non-trivial body lines (the docstring excluded); a one-line body
    gives that line."""
    source = textwrap.dedent(inspect.getsource(obj))
    lines = source.splitlines()
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef):
            continue
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        if not body:
            continue
        stripped = [s.strip() for s in lines[body[0].lineno - 1 : body[-1].end_lineno]]
        ok = [s for s in stripped if len(s) >= 12 and s not in TRIVIAL]
        found |= {" ".join(f"{a} {b}".split()) for a, b in zip(ok, ok[1:], strict=False)}
        if len(ok) == 1 and len(ok[0]) >= 20:
            found.add(" ".join(ok[0].split()))
    return found


def _corpus(texts) -> str:
    return "\0".join(" ".join(t.split()) for t in texts)


def test_no_reference_body_in_the_bundle(bundle):
    folder, _, _ = bundle
    corpus = _corpus(_texts(folder).values())
    leaks = [
        (ex.id, frag)
        for ex in registry.all_exercises()
        for obj in filter(None, (ex.reference, ex.forward))
        for frag in _fragments(obj)
        if frag in corpus
    ]
    assert leaks == []


def test_the_leak_matcher_is_not_blind():
    """The same matcher finds the references in the instructors' solution notebook."""
    chapter = "04_losses"
    nb = notebooks.solution_notebook(chapter)
    corpus = _corpus("".join(c["source"]) for c in nb["cells"])
    exercises = registry.exercises_for_chapter(chapter)
    found = [ex.id for ex in exercises if any(f in corpus for f in _fragments(ex.reference))]
    assert len(found) == len(exercises)


def _digest(a: np.ndarray) -> str:
    a = np.ascontiguousarray(a)
    return hashlib.sha256(a.dtype.str.encode() + str(a.shape).encode() + a.tobytes()).hexdigest()


def _distinctive(a) -> bool:
    return (
        isinstance(a, np.ndarray)
        and np.issubdtype(a.dtype, np.floating)
        and a.size >= 4
        and np.unique(a).size > 2
    )


def test_no_hidden_case_in_the_bundle(bundle):
    folder, _, _ = bundle
    stored = set()
    for npz in (folder / "autograder" / "exercises").glob("*.npz"):
        with np.load(npz, allow_pickle=False) as data:
            stored |= {_digest(data[k]) for k in data.files}
    hidden = set()
    public_digests = set()
    for ex in registry.all_exercises():
        for c in ex.cases():
            arrays = [a for a in (*c.args, *c.kwargs.values()) if _distinctive(a)]
            (hidden if c.hidden else public_digests).update(_digest(a) for a in arrays)
    assert public_digests <= stored  # the check below looks at the right data
    assert hidden.isdisjoint(stored)
    for path in (folder / "autograder" / "exercises").glob("*.json"):
        for item in json.loads(path.read_text())["exercises"]:
            ex = registry.get(item["id"])
            assert len(item["public"]) == ex.counts[0]
            assert "hidden-" not in json.dumps(item)


# ------------------------------------------------------------------ check() from the bundle


def test_stored_exercises_describe_the_same_exercises(bundle):
    folder, _, _ = bundle
    for module in (folder / "autograder" / "exercises").glob("*.json"):
        for stored in public.load_exercises(module):
            ex = registry.get(stored.id)
            assert (stored.signature, stored.title, stored.groups, stored.counts) == (
                ex.signature,
                ex.title,
                ex.groups,
                ex.counts,
            )
            assert stored.forward_function == ex.forward_function


def _code(nb: dict) -> str:
    return "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def _run(code: str, cwd: Path, bundle: Path | None) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter: with ``bundle``, isolated (``-I -S``, only the bundle
    and numpy/scipy importable, not ``solutions``); without, in the repository's env."""
    if bundle is None:
        boot = "import sys\n"
        cmd = [sys.executable, "-c"]
    else:
        boot = textwrap.dedent(
            f"""
            import sys
            sys.path[:0] = [{str(bundle)!r}, {SITE!r}]
            try:
                import solutions
            except ImportError:
                pass
            else:
                sys.exit("solutions is importable: " + str(solutions.__path__))
            import autograder
            assert autograder.__file__.startswith({str(bundle)!r}), autograder.__file__
            """
        )
        cmd = [sys.executable, "-I", "-S", "-c"]
    return subprocess.run(
        [*cmd, boot + "\nexec(sys.stdin.read())"],
        input=code,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def _same(code: str, folder: Path, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``code`` from the bundle and in the repository: same exit, same verdicts."""
    isolated, repo = _run(code, cwd, folder), _run(code, cwd, None)
    assert "solutions is importable" not in isolated.stderr
    assert isolated.returncode == repo.returncode, (isolated.stderr[-2000:], repo.stderr[-2000:])
    assert _verdicts(isolated.stdout) == _verdicts(repo.stdout)
    return isolated


def _verdicts(text: str) -> list[str]:
    """The check() lines without timings and shrinking details."""
    keep = []
    for line in text.splitlines():
        line = re.sub(r"\(\d+\.\d+ s\)", "", line)
        if re.match(r"\s+[✓✗] ", line) or "public groups pass" in line:
            keep.append(line.rstrip())
    return keep


def test_every_reference_passes_its_stored_public_checks(bundle):
    folder, _, _ = bundle
    for module in (folder / "autograder" / "exercises").glob("*.json"):
        for stored in public.load_exercises(module):
            ex = registry.get(stored.id)
            report = feedback.check_exercise(stored, ex.reference, forward=ex.forward)
            assert report.passed, report.text()


@pytest.mark.parametrize("chapter", RUN_CHAPTERS)
def test_check_from_the_bundle_without_solutions(bundle, chapter, tmp_path):
    """The chapter's solution and stub notebooks give the same check() verdicts from the
    bundle (no solutions/) as in the repository."""
    folder, _, _ = bundle
    exercises = registry.exercises_for_chapter(chapter)
    solved = _same(_code(notebooks.solution_notebook(chapter)), folder, tmp_path)
    if solved.returncode == 0:
        assert solved.stdout.count("public groups pass") >= len(exercises)
    stubs = _same(_code(notebooks.student_notebook(chapter)), folder, tmp_path)
    assert stubs.returncode == 0, stubs.stderr[-3000:]
    assert stubs.stdout.count("not implemented yet") >= len(exercises)


def test_check_from_the_bundle_reports_a_wrong_answer_like_the_repository(bundle, tmp_path):
    folder, _, _ = bundle
    ex = registry.get("backprop.gradient_check")
    code = textwrap.dedent(
        f"""
        from autograder import check
        def gradient_check{ex.signature[len(ex.function) :]}:
            return [0.5] * (len(inputs) if wrt is None else len(wrt))
        check(gradient_check)
        """
    )
    isolated = _same(code, folder, tmp_path)
    assert isolated.returncode == 0, isolated.stderr[-3000:]
    assert "✗ correct backward" in isolated.stdout and "✓ buggy backward" in isolated.stdout
    assert "hidden group" in isolated.stdout
