"""The gradebook: student ids from paths, idempotent upserts, atomic per-submission writes,
resumability keys and "latest submission wins" reads (no sandbox: synthetic results), on
SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from autograder import gradebook, mistakes
from autograder.gradebook import Gradebook, student_ids


def result(name="alice.ipynb", chapter="00_backprop", version="0.1.0", scores=None, error=""):
    scores = scores if scores is not None else {"backprop.gradient_check": (3.0, 3)}
    return {
        "submission": name,
        "chapter": chapter,
        "points": sum(p for p, _ in scores.values()),
        "max_points": sum(m for _, m in scores.values()),
        "error": error,
        "notes": [],
        "grader_version": version,
        "exercises": [
            {
                "id": ex,
                "function": ex.split(".")[1],
                "points": p,
                "max_points": m,
                "status": "graded",
                "reason": "" if p == m else "basic-1: output: wrong",
                "cases": [
                    {
                        "name": "basic-1",
                        "group": "basic",
                        "hidden": False,
                        "ok": p == m,
                        "reason": "" if p == m else "output: wrong",
                    }
                ],
            }
            for ex, (p, m) in scores.items()
        ],
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def book(request, tmp_path):
    """The same tests on an SQLite file and on a real PostgreSQL server."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'gb.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    with Gradebook(url) as b:
        yield b


# ---------------------------------------------------------------------------- student ids


def test_student_id_is_the_file_stem_for_flat_files():
    assert student_ids(["alice.ipynb", "bob_smith.py"]) == ["alice", "bob_smith"]
    assert student_ids(["alice.ipynb"]) == ["alice"]


def test_student_id_is_the_top_folder_for_folder_per_student():
    names = ["alice/exercises.ipynb", "bob/ps1/04_losses.ipynb", "bob/helpers.py"]
    assert student_ids(names) == ["alice", "bob", "bob"]


def test_a_wrapper_folder_shared_by_all_submissions_is_dropped():
    assert student_ids(["submissions/alice.ipynb", "submissions/bob.ipynb"]) == ["alice", "bob"]
    names = ["export/2024/alice/x.ipynb", "export/2024/bob/x.ipynb"]
    assert student_ids(names) == ["alice", "bob"]
    # one submission: its folder is the student, not a wrapper
    assert student_ids(["carol/exercises.ipynb"]) == ["carol"]


def test_student_pattern_overrides_the_rule():
    names = ["smithj_12345_67_exercises.ipynb", "doea_999_1_exercises.ipynb"]
    assert student_ids(names, r"^(?P<student>[a-z]+)_\d+") == ["smithj", "doea"]
    with pytest.raises(ValueError, match="does not match 'x.ipynb'"):
        student_ids(["x.ipynb"], r"\d+")


# ---------------------------------------------------------------------------- writes


def test_recording_twice_duplicates_nothing_and_keeps_the_new_score(book):
    book.record("alice", "h1", result(scores={"a.x": (1.0, 2), "a.y": (2.0, 2)}))
    book.record("alice", "h1", result(scores={"a.x": (2.0, 2), "a.y": (2.0, 2)}))
    assert book.count("submissions") == 1
    assert book.count("results") == 2
    assert book.count("gradings") == 1
    scores = {r.exercise_id: r.score for r in book.rows("0.1.0")}
    assert scores == {"a.x": 2.0, "a.y": 2.0}


def test_one_row_per_submission_exercise_and_grader_version(book):
    book.record("alice", "h1", result(version="0.1.0"))
    book.record("alice", "h1", result(version="0.2.0", scores={"backprop.gradient_check": (0, 3)}))
    book.record("bob", "h1", result())  # the same file handed in by another student
    assert book.count("submissions") == 2
    assert book.count("results") == 3
    assert [r.score for r in book.rows("0.2.0")] == [0]
    assert book.versions() == ["0.1.0", "0.2.0"]
    with book.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(
            gradebook.results.insert().values(
                submission_id=1,
                exercise_id="backprop.gradient_check",
                grader_version="0.1.0",
                chapter="00_backprop",
                score=1.0,
                max_score=3.0,
                status="graded",
                feedback={},
                cases=[],
                graded_at=gradebook._now(),
            )
        )


def test_a_crash_while_recording_leaves_nothing_half_written(book, monkeypatch):
    real = Gradebook._upsert
    calls = []

    def crash_on_second_result(self, conn, table, values, keys, keep=()):
        calls.append(table.name)
        if calls.count("results") == 2:
            raise RuntimeError("power cut")
        return real(self, conn, table, values, keys, keep)

    monkeypatch.setattr(Gradebook, "_upsert", crash_on_second_result)
    with pytest.raises(RuntimeError, match="power cut"):
        book.record("alice", "h1", result(scores={"a.x": (1.0, 1), "a.y": (1.0, 1)}))
    assert (book.count("submissions"), book.count("results"), book.count("gradings")) == (0, 0, 0)
    assert book.graded_keys("0.1.0") == set()
    monkeypatch.setattr(Gradebook, "_upsert", real)
    book.record("alice", "h1", result(scores={"a.x": (1.0, 1), "a.y": (1.0, 1)}))
    assert (book.count("submissions"), book.count("results"), book.count("gradings")) == (1, 2, 1)


def test_generic_upsert_for_other_databases(book, monkeypatch):
    """Databases without ON CONFLICT (MySQL, ...) get update-then-insert: same outcome."""
    monkeypatch.setattr(book.engine.dialect, "name", "otherdb")
    book.record("alice", "h1", result(scores={"a.x": (1.0, 2)}))
    book.record("alice", "h1", result(scores={"a.x": (2.0, 2)}))
    assert (book.count("submissions"), book.count("results"), book.count("gradings")) == (1, 1, 1)
    assert [r.score for r in book.rows("0.1.0")] == [2.0]


def test_first_seen_is_kept_on_regrade(book):
    book.record("alice", "h1", result())
    with book.engine.connect() as conn:
        before = conn.execute(sa.select(gradebook.submissions.c.first_seen)).scalar_one()
    book.record("alice", "h1", result())
    with book.engine.connect() as conn:
        after = conn.execute(sa.select(gradebook.submissions.c.first_seen)).scalar_one()
    assert before == after


# ---------------------------------------------------------------------------- reads


def test_graded_keys_are_per_grader_version(book):
    book.record("alice", "h1", result(version="0.1.0"))
    assert book.graded_keys("0.1.0") == {("alice", "h1")}
    assert book.graded_keys("9.9.9") == set()
    assert book.is_graded("alice", "h1", "0.1.0") and not book.is_graded("alice", "h2", "0.1.0")


def test_latest_submission_wins_per_student_and_exercise(book):
    book.record("alice", "old", result("a1.ipynb", scores={"a.x": (2.0, 2), "a.y": (0.0, 2)}))
    book.record("alice", "new", result("a2.ipynb", scores={"a.y": (1.0, 2)}))
    book.record("alice", "old", result("a1.ipynb", scores={"a.x": (2.0, 2), "a.y": (0.0, 2)}))
    rows = {r.exercise_id: (r.score, r.submission) for r in book.rows("0.1.0")}
    assert rows == {"a.x": (2.0, "a1.ipynb"), "a.y": (1.0, "a2.ipynb")}
    assert len(book.rows("0.1.0", latest=False)) == 3


def test_submission_level_error_is_stored(book):
    book.record("eve", "h", result(error="cannot read the submission: bad JSON", scores={}))
    (g,) = book.graded_submissions("0.1.0")
    assert g["student_id"] == "eve" and g["error"].startswith("cannot read")


def test_stored_results_give_back_what_was_recorded(book):
    """``grade --json`` reports skipped submissions from these: each real verdict exactly as
    it was recorded (exercises in their order), nothing for an infrastructure failure."""
    scores = {"b.z": (0.5, 2), "a.x": (2.0, 2), "a.y": (0.0, 3)}
    graded = dict(result("a.ipynb", scores=scores), status="graded", notes=["cell 2 skipped"])
    known = mistakes.all_mistakes()[0]  # a real declared mistake diagnoses a.y
    for ex in graded["exercises"]:
        ex["mistake"] = None
    diagnosed = graded["exercises"][2]
    diagnosed["cases"][0]["mistake"] = known.id
    diagnosed["mistake"] = {"id": known.id, "sentence": known.sentence, "link": known.link}
    diagnosed["mistake"].update(groups=1, failing_groups=1)
    book.record("alice", "h1", graded)
    book.record("bob", "h2", dict(result("b.ipynb", scores={}), error="not a notebook: empty"))
    failed = dict(result("c.ipynb", scores={}), status="infrastructure", error="worker died")
    book.record("carol", "h3", failed)
    stored = book.stored_results("0.1.0")
    assert json.dumps(stored[("alice", "h1")], sort_keys=True) == json.dumps(graded, sort_keys=True)
    assert [e["id"] for e in stored[("alice", "h1")]["exercises"]] == ["b.z", "a.x", "a.y"]
    assert stored[("bob", "h2")]["error"] == "not a notebook: empty"
    assert set(stored) == {("alice", "h1"), ("bob", "h2")}
    assert book.stored_results("9.9.9") == {}
