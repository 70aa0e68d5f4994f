"""The student bundle: notebooks plus public checks, and nothing that reveals a solution or a
hidden case. ``check()`` runs from the extracted bundle in a fresh interpreter where
``solutions`` cannot be imported (``python -I -S``: only the bundle and the folder holding
numpy/scipy on ``sys.path``), with the same verdicts as in the repository."""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import os
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
    assert {"cli.py", "extract.py", "__main__.py"} <= shipped  # autograder check FILE
    assert (folder / "README.md").exists() and (folder / "pyproject.toml").exists()
    assert 'autograder = "autograder.cli:main"' in (folder / "pyproject.toml").read_text()
    assert "autograder check chapters/" in (folder / "README.md").read_text()


def test_no_solutions_and_no_case_generators(bundle):
    folder, names, _ = bundle
    assert not any("solutions" in Path(n).parts for n in names)
    assert not any(
        n.endswith(("grade.py", "sandbox.py", "authoring.py", "notebooks.py")) for n in names
    )
    assert not any(
        n.endswith(("worker.py", "gradebook.py", "release.py", "export.py")) for n in names
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
            form = c if c.hidden else public._compact_case(ex, c)  # public ones as stored
            arrays = [a for a in (*form.args, *form.kwargs.values()) if _distinctive(a)]
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


def test_check_of_the_milestone_from_the_bundle(bundle, tmp_path):
    """The capstone's public check works from the bundle alone: its solution notebook passes
    both groups as in the repository (the loss curve against the stored reference losses, the
    accuracy case by the trained parameters being the reference's); a wrong part fails the
    curve at the same step, and what needs the reference package (naming the part) or the
    held-out test set (measuring the accuracy) is said to be left to `autograder grade`."""
    folder, _, _ = bundle
    solved = _same(_code(notebooks.solution_notebook("09_capstone")), folder, tmp_path)
    assert solved.returncode == 0, solved.stderr[-3000:]
    assert "public groups pass" in solved.stdout and "✗" not in solved.stdout
    buggy = (
        Path(__file__).parent / "corpus" / "09_capstone" / "dropout_without_rescale.py"
    ).read_text()
    nb = notebooks.solution_notebook("09_capstone")
    code = _code(nb).replace("check(train_network)", buggy + "\n\ncheck(train_network)", 1)
    isolated, repo = _run(code, tmp_path, folder), _run(code, tmp_path, None)
    assert isolated.returncode == repo.returncode == 0, isolated.stderr[-3000:]
    step = re.search(r"the loss first differs at step \d+", repo.stdout).group(0)
    assert step in isolated.stdout and "your dropout differs" in repo.stdout
    assert "dropout differs" not in isolated.stdout and "autograder grade" in isolated.stdout
    assert "not judged in a student bundle" in isolated.stdout


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


def test_check_from_the_bundle_names_a_known_mistake_without_its_code(bundle, tmp_path):
    """check() in the bundle diagnoses from the mistakes' stored public outputs: same
    sentence and link as in the repository, while no bundled file holds the wrong code."""
    from autograder import mistakes

    folder, _, _ = bundle
    m = mistakes.get("kl-swapped-arguments")
    code = textwrap.dedent(
        """
        import numpy as np
        from autograder import check
        def kl_div(input, target, *, reduction="mean", log_target=False):
            log_p = target if log_target else np.log(target)
            loss = np.exp(input) * (input - log_p)  # KL(q || p)
            if reduction == "batchmean":
                return loss.sum() / input.shape[0]
            return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
        check(kl_div)
        """
    )
    isolated = _same(code, folder, tmp_path)
    out = " ".join(isolated.stdout.split())
    assert f"Known mistake ({m.id})" in out and m.sentence in out, isolated.stdout
    assert f"See Common mistakes: {m.link}" in out
    assert not (folder / "autograder" / "mistakes").exists()
    wrong_names = {o.__name__ for o in (x.wrong for x in mistakes.all_mistakes())}
    texts = _texts(folder)
    assert not [(n, f) for f, t in texts.items() for n in wrong_names if n in t]
    assert not [f for f, t in texts.items() if "_correct." in t]


# ------------------------------------------------------------------ autograder check FILE


def _module_run(args: list[str], cwd: Path, bundle: Path | None) -> subprocess.CompletedProcess:
    """``python -m autograder ARGS``: from the bundle folder (``-S``: no site-packages, so no
    installed ``solutions``; only numpy/scipy's folder on PYTHONPATH), or in the repository."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    cmd = [sys.executable, "-m", "autograder", *args]
    if bundle is not None:
        env["PYTHONPATH"] = SITE
        cmd = [sys.executable, "-S", "-m", "autograder", *args]
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=300, cwd=bundle or cwd, env=env
    )


def test_bundle_python_m_autograder_is_the_bundle_without_solutions(bundle):
    folder, _, _ = bundle
    env = {**os.environ, "PYTHONPATH": SITE}
    probe = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            "import autograder; print(autograder.__file__)\n"
            "import importlib.util; print(importlib.util.find_spec('solutions'))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=folder,
        env=env,
    )
    where, solutions = probe.stdout.split()
    assert where.startswith(str(folder)) and solutions == "None", probe.stdout
    helped = _module_run(["--help"], folder, folder)
    assert helped.returncode == 0, helped.stderr[-2000:]
    assert "{exercises,check}" in helped.stdout
    assert not re.search(r"\b(grade|report|export|release)\b", helped.stdout)
    listed = _module_run(["exercises", "--chapter", "00_backprop"], folder, folder)
    assert listed.returncode == 0 and "backprop.gradient_check" in listed.stdout


@pytest.mark.parametrize("kind", ["solution", "stub", "py"])
def test_bundle_autograder_check_file_matches_the_repository(bundle, kind, tmp_path):
    """``python -m autograder check FILE`` from the extracted bundle (no solutions/): same
    exit code and verdicts as ``autograder check FILE`` in the repository."""
    folder, _, _ = bundle
    chapter = "00_backprop"
    if kind == "py":  # one function right, one with a syntax error, one wrong
        path = tmp_path / "mine.py"
        ex = registry.get("backprop.running_loss")
        path.write_text(
            "import numpy as np\n\n"
            + textwrap.dedent(inspect.getsource(ex.reference))
            + "\n\ndef quadratic_cost(a, y)\n    return 0\n\n"
            "def softmax_cross_entropy(logits, target):\n    return np.float64(0.0)\n"
        )
    else:
        nb = (notebooks.solution_notebook if kind == "solution" else notebooks.student_notebook)(
            chapter
        )
        path = tmp_path / "exercises.ipynb"
        path.write_text(notebooks.dumps(nb))
    isolated = _module_run(["check", str(path)], tmp_path, folder)
    repo = _module_run(["check", str(path)], tmp_path, None)
    assert isolated.returncode == repo.returncode, (isolated.stderr[-2000:], repo.stderr[-2000:])
    assert isolated.returncode in (0, 1), isolated.stderr[-2000:]
    assert _verdicts(isolated.stdout) == _verdicts(repo.stdout)
    summary = [ln for ln in isolated.stdout.splitlines() if ln.startswith("Summary")]
    assert summary == [ln for ln in repo.stdout.splitlines() if ln.startswith("Summary")]
    if kind == "solution":
        assert isolated.returncode == 0 and "Summary: 8 of 8 exercises pass" in isolated.stdout
    if kind == "py":
        assert "syntax error in mine.py at line" in isolated.stdout
        assert "running_loss" in isolated.stdout and "softmax_cross_entropy" in isolated.stdout


# ------------------------------------------------------------------ small, and shrinks


def test_the_bundle_is_a_small_download(bundle):
    folder, _, _ = bundle
    size = (folder.parent.parent / "student.zip").stat().st_size
    assert size < 3 * 2**20, f"{size / 2**20:.1f} MB"


def _shrunk_lines(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "shrunk to the smallest" in line)
    return [line.strip() for line in lines[start + 1 : start + 6]]


def test_check_from_the_bundle_shrinks_a_failing_case_like_the_repository(bundle, tmp_path):
    folder, _, _ = bundle
    code = textwrap.dedent(
        """
        import numpy as np
        from autograder import check
        def l1_loss(input, target, *, reduction="mean", weight=None):
            d = np.abs(input - target) * (1 if weight is None else weight)
            if reduction == "none":
                return d
            return d.sum() + 1.0 if reduction == "sum" else d.mean()
        check(l1_loss)
        """
    )
    isolated = _same(code, folder, tmp_path)
    repo = _run(code, tmp_path, None)
    shown = _shrunk_lines(isolated.stdout)
    assert shown == _shrunk_lines(repo.stdout)
    # a 1 x 1 input: the public reduction case is bigger than that
    assert shown[0].startswith("input = array([[") and "], [" not in shown[0], shown
    assert shown[2] == "reduction = 'sum'"


def test_distribution_outputs_are_stored_compactly_and_still_judged(bundle):
    """The bundle's initializer cases: pattern-filled arrays and sorted float16 expected
    outputs, under which the references pass (above) and a wrong spread fails."""
    folder, _, _ = bundle
    stored = {e.id: e for e in public.load_exercises(folder / "autograder/exercises/init.json")}
    ex = stored["init.kaiming_normal_"]
    assert ex.reference is not None
    ref = registry.get("init.kaiming_normal_").reference

    def too_wide(array, *args, **kwargs):
        ref(array, *args, **kwargs)
        array *= 1.5
        return array

    report = feedback.check_exercise(ex, too_wide)
    assert not report.passed and "distribution" in report.text()
