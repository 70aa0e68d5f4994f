"""The gradebook schema: versioned with Alembic (old gradebooks upgraded in place) and
created race-safely (graders started together on a new gradebook never crash)."""

from __future__ import annotations

import multiprocessing
import traceback

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from autograder import gradebook
from autograder.gradebook import Gradebook

from .test_gradebook import result

#: The schema as grader 0.1.0 created it with ``metadata.create_all`` (before Alembic).
OLD_SCHEMA = [
    """CREATE TABLE submissions (id INTEGER NOT NULL, student_id VARCHAR(255) NOT NULL,
    sha256 VARCHAR(64) NOT NULL, name TEXT NOT NULL, first_seen DATETIME NOT NULL,
    PRIMARY KEY (id), CONSTRAINT uq_submission UNIQUE (student_id, sha256))""",
    """CREATE TABLE gradings (id INTEGER NOT NULL, submission_id INTEGER NOT NULL,
    grader_version VARCHAR(64) NOT NULL, chapter VARCHAR(64) NOT NULL, points FLOAT NOT NULL,
    max_points FLOAT NOT NULL, error TEXT NOT NULL, notes JSON NOT NULL, sandbox JSON NOT NULL,
    graded_at DATETIME NOT NULL, PRIMARY KEY (id),
    CONSTRAINT uq_grading UNIQUE (submission_id, grader_version),
    FOREIGN KEY(submission_id) REFERENCES submissions (id))""",
    """CREATE TABLE results (id INTEGER NOT NULL, submission_id INTEGER NOT NULL,
    exercise_id VARCHAR(128) NOT NULL, grader_version VARCHAR(64) NOT NULL,
    chapter VARCHAR(64) NOT NULL, score FLOAT NOT NULL, max_score FLOAT NOT NULL,
    status VARCHAR(16) NOT NULL, feedback JSON NOT NULL, cases JSON NOT NULL,
    graded_at DATETIME NOT NULL, PRIMARY KEY (id),
    CONSTRAINT uq_result UNIQUE (submission_id, exercise_id, grader_version),
    FOREIGN KEY(submission_id) REFERENCES submissions (id))""",
]


def schema_differences(url: str) -> list:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, gradebook.metadata)
    engine.dispose()
    return [d for d in diff if not (d[0] == "remove_table" and "alembic" in d[1].name)]


@pytest.fixture(params=["sqlite", "postgresql"])
def new_url(request, tmp_path):
    """A new (not yet created) gradebook: an SQLite file, or an empty PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gb.db'}"
    return request.getfixturevalue("postgres_url")


def test_a_new_gradebook_is_at_the_newest_revision_with_the_declared_schema(new_url):
    url = new_url
    with Gradebook(url) as book:
        assert gradebook.migrate(book.engine) == "0003"  # idempotent: nothing to do
    assert schema_differences(url) == []


def test_a_gradebook_from_before_migrations_is_upgraded_and_keeps_its_grades(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for ddl in OLD_SCHEMA:
            conn.exec_driver_sql(ddl)
        conn.exec_driver_sql(
            "INSERT INTO submissions VALUES (1, 'alice', 'h1', 'alice.ipynb', '2026-01-01')"
        )
        conn.exec_driver_sql(
            "INSERT INTO gradings VALUES (1, 1, '0.1.0', 'ch', 2.5, 3, '', '[]', '{}', "
            "'2026-01-01')"
        )
        conn.exec_driver_sql(
            "INSERT INTO results VALUES (1, 1, 'a.x', '0.1.0', 'ch', 2.5, 3, 'graded', "
            """'{"function": "x", "reason": ""}', '[]', '2026-01-01')"""
        )
    engine.dispose()
    with Gradebook(url) as book:
        assert book.graded_keys("0.1.0") == {("alice", "h1")}
        assert [(r.student_id, r.score) for r in book.rows("0.1.0")] == [("alice", 2.5)]
        book.record("bob", "h2", result("bob.ipynb"))
        assert book.graded_keys("0.1.0") == {("alice", "h1"), ("bob", "h2")}
    assert schema_differences(url) == []


def _open_and_record(url: str, barrier, i: int, errors) -> None:
    try:
        barrier.wait()
        with Gradebook(url) as book:
            book.record(f"s{i}", f"h{i}", result(f"s{i}.ipynb"))
            book.record("shared", "h", result("shared.ipynb"))  # all write the same row
    except BaseException:  # noqa: BLE001 - reported to the parent
        errors.put(traceback.format_exc())
        raise


def open_together(url: str, n: int) -> list[str]:
    """``n`` processes open a new gradebook at the same instant and write to it."""
    ctx = multiprocessing.get_context("fork")
    barrier, errors = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_open_and_record, args=(url, barrier, i, errors)) for i in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
    out = []
    while not errors.empty():
        out.append(errors.get())
    out += [f"exit code {p.exitcode}" for p in procs if p.exitcode != 0]
    return out


@pytest.mark.parametrize("trial", range(8))
def test_graders_opening_a_new_gradebook_together_never_crash(new_url, trial):
    n = 8
    url = new_url
    assert open_together(url, n) == []
    with Gradebook(url) as book:
        assert book.count("submissions") == n + 1
        assert book.count("gradings") == n + 1
        assert book.count("results") == n + 1
