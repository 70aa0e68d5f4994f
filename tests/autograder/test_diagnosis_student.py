"""The done-when of issue 18, as a student and an instructor run it: a notebook whose kl_div
has its two distributions swapped gets, in ``check()`` run by a real Jupyter kernel and in
``autograder grade`` (sandbox, gradebook) and on the student's page of ``autograder report
--html``, the mistake's sentence and the link to its Common-mistakes entry; the gradebook's
``mistake`` column can be queried."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from autograder import mistakes
from autograder.gradebook import Gradebook

from .test_gradebook import result

ROOT = Path(__file__).resolve().parents[2]
SWAPPED = """def kl_div(input, target, *, reduction="mean", log_target=False):
    # KL(q || p): the model's distribution first
    q = np.exp(input)
    log_p = target if log_target else np.log(target)
    pointwise = q * (input - log_p)
    if reduction == "batchmean":
        return pointwise.sum() / input.shape[0]
    if reduction == "none":
        return pointwise
    return pointwise.sum() if reduction == "sum" else pointwise.mean()
"""


def _student_notebook() -> dict:
    """The released chapter 04 notebook with kl_div filled in (swapped), as a student would."""
    nb = json.loads((ROOT / "chapters" / "04_losses" / "exercises.ipynb").read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and "".join(cell["source"]).startswith("def kl_div("):
            cell["source"] = SWAPPED
    return nb


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.slow
def test_check_in_a_real_kernel_names_the_swapped_kl(tmp_path, monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    nb = _student_notebook()
    keep = [
        c
        for c in nb["cells"]
        if c["cell_type"] == "code"
        and (
            "from autograder import check" in "".join(c["source"])
            or "".join(c["source"]).startswith(("def kl_div(", "check(kl_div)"))
        )
    ]
    assert len(keep) == 3
    for c in keep:
        c["source"] = "".join(c["source"])
    nb["cells"] = keep
    node = nbformat.from_dict(nb)
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    client = nbclient.NotebookClient(
        node, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    old = dict(os.environ)
    os.environ.update(env)  # the kernel inherits it: the repository's autograder
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    out = "".join(o.get("text", "") for o in node.cells[-1].outputs)
    m = mistakes.get("kl-swapped-arguments")
    assert "Known mistake (kl-swapped-arguments)" in out, out
    assert m.sentence in _flat(out)
    assert f"See Common mistakes: {m.link}" in out
    assert m.link == "chapters/04_losses/mistakes.html#mistake-kl-swapped"


@pytest.mark.slow
def test_grade_prints_the_sentence_and_link_and_stores_the_mistake(tmp_path):
    path = tmp_path / "student.ipynb"
    path.write_text(json.dumps(_student_notebook()))
    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )

    def cli(*args: str) -> str:
        run = subprocess.run(
            [sys.executable, "-m", "autograder", *args, "--db", db],
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
            cwd=tmp_path,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        return run.stdout

    stdout = cli("grade", str(path))
    m = mistakes.get("kl-swapped-arguments")
    assert f"known mistake ({m.id})" in stdout
    assert m.sentence in _flat(stdout)
    assert f"see Common mistakes: {m.link}" in stdout
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT exercise_id, mistake FROM results")).all()
    engine.dispose()
    diagnosed = {e: k for e, k in rows if k is not None}
    assert diagnosed == {"losses.kl_div": m.id}  # the stubs are not diagnosed
    html = tmp_path / "report.html"
    cli("report", "--html", str(html))
    pages = [p.read_text() for p in tmp_path.rglob("*.html") if p != html]
    page = next(p for p in pages if m.id in p)  # the student's page
    assert _flat(m.sentence.replace("'", "&#x27;")) in _flat(page) and m.link in page


def test_the_gradebook_stores_and_returns_the_mistake(tmp_path):
    book = Gradebook(f"sqlite:///{tmp_path / 'gb.db'}")
    data = result(
        scores={"losses.kl_div": (0.0, 1), "losses.l1_loss": (1.0, 1)}, chapter="04_losses"
    )
    data["exercises"][0]["mistake"] = {"id": "kl-swapped-arguments", "sentence": "s.", "link": "l"}
    data["exercises"][0]["cases"][0]["mistake"] = "kl-swapped-arguments"
    book.record("alice", "abc", data)
    rows = {r.exercise_id: r for r in book.rows("0.1.0")}
    assert rows["losses.kl_div"].mistake == "kl-swapped-arguments"
    assert rows["losses.kl_div"].cases[0]["mistake"] == "kl-swapped-arguments"
    assert rows["losses.l1_loss"].mistake is None
    with book.engine.connect() as conn:
        q = sa.text("SELECT count(*) FROM results WHERE mistake = 'kl-swapped-arguments'")
        assert conn.execute(q).scalar_one() == 1
    book.close()
