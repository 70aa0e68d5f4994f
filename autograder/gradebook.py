"""The gradebook: every grading result in a SQL database through SQLAlchemy 2.

SQLite file by default (``sqlite:///gradebook.db``), any SQLAlchemy URL by option
(``postgresql+psycopg://...``). Three tables:

* ``submissions``: one row per (student id, SHA-256 of the submitted file);
* ``gradings``: one row per submission x grader version (chapter, total, submission-level
  error and notes, status): written in the same transaction as that submission's results, so
  its presence means the results are complete. Its ``status`` is ``graded`` (a real verdict)
  or ``infrastructure`` (grading failed for a reason that is not the student's: worker died,
  interrupted, out of disk): such a row has no results, no score, and is graded again by the
  next run;
* ``results``: one row per submission x exercise x grader version (score, max, status,
  feedback JSON, per-case JSON).

The schema is created and upgraded by Alembic (:func:`migrate`, race-safe: graders started
together on a new gradebook queue on a lock). SQLite runs in WAL mode with a busy timeout so
several graders can share one file. Every write is an upsert on the unique key, and each
submission is stored in one transaction: an interrupted run loses nothing already stored
and duplicates nothing when it is run again (see :meth:`Gradebook.is_graded` for resuming).

Student ids come from the submission's path (:func:`student_ids`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

DEFAULT_URL = "sqlite:///gradebook.db"

metadata = sa.MetaData()

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("student_id", sa.String(255), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("name", sa.Text, nullable=False),  # path inside the graded folder / zip
    sa.Column("first_seen", sa.DateTime, nullable=False),
    sa.UniqueConstraint("student_id", "sha256", name="uq_submission"),
)

gradings = sa.Table(
    "gradings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
    sa.Column("grader_version", sa.String(64), nullable=False),
    sa.Column("chapter", sa.String(64), nullable=False),
    sa.Column("points", sa.Float, nullable=False),
    sa.Column("max_points", sa.Float, nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("notes", sa.JSON, nullable=False),
    sa.Column("sandbox", sa.JSON, nullable=False),
    sa.Column("graded_at", sa.DateTime, nullable=False),
    # "graded": a real verdict; "infrastructure": the grading failed (no score, graded again)
    sa.Column("status", sa.String(16), nullable=False, server_default="graded"),
    sa.UniqueConstraint("submission_id", "grader_version", name="uq_grading"),
)

results = sa.Table(
    "results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
    sa.Column("exercise_id", sa.String(128), nullable=False),
    sa.Column("grader_version", sa.String(64), nullable=False),
    sa.Column("chapter", sa.String(64), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("max_score", sa.Float, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("feedback", sa.JSON, nullable=False),  # {"function", "reason"}
    sa.Column("cases", sa.JSON, nullable=False),  # [{"name", "group", "hidden", "ok", "reason"}]
    sa.Column("graded_at", sa.DateTime, nullable=False),
    # the diagnosed known mistake's id (autograder.diagnosis), NULL when none: queryable
    sa.Column("mistake", sa.String(64), nullable=True),
    sa.UniqueConstraint("submission_id", "exercise_id", "grader_version", name="uq_result"),
)


_PASSWORD = re.compile(r"(://[^:/?#@]*):[^@/?#]*@")


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for printing):
    ``postgresql+psycopg://me:secret@host/db`` -> ``postgresql+psycopg://me:***@host/db``."""
    return _PASSWORD.sub(r"\1:***@", str(url))


# ------------------------------------------------------------------------------ student ids


def student_ids(names: list[str], pattern: str | None = None) -> list[str]:
    """Student id of each submission, from its path inside one graded folder or zip.

    Rule: (1) with ``pattern``, the regex group ``student`` (or the whole match) of the
    first match in the path; otherwise (2) leading folders shared by all submissions are
    dropped when there are two or more (a zip that wraps everything in ``submissions/``);
    then (3) the first remaining folder is the student (``alice/exercises.ipynb`` ->
    ``alice``, nbgrader's ``alice/ps1/ps1.ipynb`` -> ``alice``), or, for a file at the top,
    its name without extension (``bob.ipynb`` -> ``bob``).
    """
    parts = [PurePosixPath(n.replace("\\", "/")).parts for n in names]
    if pattern:
        rx = re.compile(pattern)
        out = []
        for name in names:
            m = rx.search(name)
            if not m:
                raise ValueError(f"--student-pattern {pattern!r} does not match {name!r}")
            out.append(m.groupdict().get("student") or m.group(0))
        return out
    common = 0
    if len(parts) > 1:
        while all(len(p) > common + 1 for p in parts) and len({p[common] for p in parts}) == 1:
            common += 1
    out = []
    for p in parts:
        rest = p[common:]
        out.append(rest[0] if len(rest) > 1 else PurePosixPath(rest[0]).stem)
    return out


# ------------------------------------------------------------------------------ the store


@dataclass(frozen=True)
class Row:
    """One result as read back: what the reports and exports work from."""

    student_id: str
    submission: str
    sha256: str
    chapter: str
    exercise_id: str
    score: float
    max_score: float
    status: str
    reason: str
    cases: list
    grader_version: str
    mistake: str | None = None  # the diagnosed known mistake's id (autograder.diagnosis)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)  # noqa: UP017 (Python 3.10: Gradescope)


#: Where the Alembic revisions live, and the table that records a gradebook's revision.
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "autograder_alembic_version"
#: PostgreSQL advisory lock held while a gradebook's schema is created or upgraded.
SCHEMA_LOCK = 0x6772616465  # "grade"
#: SQLite: seconds a writer waits for another one (graders, threads) before giving up.
BUSY_TIMEOUT = 120
GRADED, INFRASTRUCTURE = "graded", "infrastructure"


class GradebookError(RuntimeError):
    """The gradebook cannot be opened or written (one line: shown to the user as is)."""


def _sqlite_engine(url: str) -> sa.Engine:
    """SQLite with real transactions: the driver's implicit ones are off, every SQLAlchemy
    transaction emits ``BEGIN`` (``BEGIN IMMEDIATE`` with the ``sqlite_begin`` execution
    option: takes the write lock first, so two writers queue instead of deadlocking);
    WAL journal (readers never block the writer) and a busy timeout (writers queue)."""
    engine = sa.create_engine(
        url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT}
    )
    memory = engine.url.database in (None, "", ":memory:")

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        if not memory:
            _retry_locked(lambda: dbapi_conn.execute("PRAGMA journal_mode=WAL"))

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))

    return engine


def _retry_locked(action, timeout: float = BUSY_TIMEOUT):
    """Run ``action`` again while SQLite says "database is locked" without waiting for its
    busy timeout (switching a new file to WAL while another process does the same)."""
    import sqlite3
    import time

    deadline, pause = time.monotonic() + timeout, 0.01
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(2 * pause, 0.5)


def migrate(engine: sa.Engine) -> str:
    """Create or upgrade the schema to the newest Alembic revision; returns it.

    Race-safe: the whole migration is one transaction under a lock (``BEGIN IMMEDIATE`` on
    SQLite, an advisory lock on PostgreSQL; both have transactional DDL), so graders started
    together on a new gradebook queue here and all but the first find it up to date. A
    gradebook made before migrations existed (the tables, no version table) is stamped with
    the first revision, then upgraded."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="BEGIN IMMEDIATE")
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEMA_LOCK})
            opts = {
                "version_table": VERSION_TABLE,
                "script": script,
                "fn": lambda heads, _ctx: script._upgrade_revs("head", heads),
            }
            ctx = MigrationContext.configure(conn, opts=opts)
            if not ctx.get_current_heads() and sa.inspect(conn).has_table("submissions"):
                ctx.stamp(script, "0001")
            with Operations.context(ctx):
                ctx.run_migrations()
            return ctx.get_current_revision()


class Gradebook:
    """``Gradebook(url)``: creates or upgrades the schema if needed (:func:`migrate`);
    ``record`` stores one graded submission; ``rows`` reads results back."""

    def __init__(self, url: str = DEFAULT_URL):
        self.url = url
        try:
            if url.startswith("sqlite"):
                self.engine = _sqlite_engine(url)
            else:
                self.engine = sa.create_engine(url, pool_pre_ping=True)
        except (ImportError, sa.exc.ArgumentError) as exc:
            hint = ""
            if url.startswith("postgresql") and isinstance(exc, ImportError):
                hint = " (install the PostgreSQL driver: pip install 'dlfoundations[postgres]')"
            raise GradebookError(
                f"cannot open the gradebook {mask_url(url)}: {exc}{hint}"
            ) from None
        try:
            migrate(self.engine)
        except sa.exc.OperationalError as exc:
            self.engine.dispose()
            why = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise GradebookError(f"cannot open the gradebook {mask_url(url)}: {why}") from None

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---------------------------------------------------------------- writing

    def _upsert(self, conn, table: sa.Table, values: dict, keys: tuple[str, ...], keep=()):
        """Insert, or update every non-key column (except ``keep``) of the existing row."""
        dialect = conn.dialect.name
        changing = {k: v for k, v in values.items() if k not in keys and k not in keep}
        if dialect in ("sqlite", "postgresql"):
            if dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert
            else:
                from sqlalchemy.dialects.postgresql import insert
            stmt = insert(table).values(**values)
            stmt = stmt.on_conflict_do_update(
                index_elements=list(keys), set_={k: stmt.excluded[k] for k in changing}
            )
            conn.execute(stmt)
            return
        where = sa.and_(*(table.c[k] == values[k] for k in keys))
        if conn.execute(sa.update(table).where(where).values(**changing)).rowcount == 0:
            conn.execute(sa.insert(table).values(**values))

    def _submission_id(self, conn, student_id: str, sha256: str, name: str) -> int:
        values = {"student_id": student_id, "sha256": sha256, "name": name, "first_seen": _now()}
        self._upsert(conn, submissions, values, ("student_id", "sha256"), keep=("first_seen",))
        return conn.execute(
            sa.select(submissions.c.id).where(
                submissions.c.student_id == student_id, submissions.c.sha256 == sha256
            )
        ).scalar_one()

    def record(self, student_id: str, sha256: str, result: dict, sandbox: dict | None = None):
        """Store one graded submission (``SubmissionResult.to_json()``), atomically."""
        if result.get("status", GRADED) != GRADED:
            return self.record_failure(student_id, sha256, result, sandbox)
        version = result["grader_version"]
        when = _now()
        with self._writing() as conn:
            sid = self._submission_id(conn, student_id, sha256, result["submission"])
            for ex in result["exercises"]:
                self._upsert(
                    conn,
                    results,
                    {
                        "submission_id": sid,
                        "exercise_id": ex["id"],
                        "grader_version": version,
                        "chapter": result["chapter"],
                        "score": float(ex["points"]),
                        "max_score": float(ex["max_points"]),
                        "status": ex["status"],
                        "feedback": {"function": ex["function"], "reason": ex["reason"]},
                        "cases": ex["cases"],
                        "mistake": (ex.get("mistake") or {}).get("id"),
                        "graded_at": when,
                    },
                    ("submission_id", "exercise_id", "grader_version"),
                )
            self._upsert(
                conn,
                gradings,
                {
                    "submission_id": sid,
                    "grader_version": version,
                    "chapter": result["chapter"],
                    "points": float(result["points"]),
                    "max_points": float(result["max_points"]),
                    "error": result["error"],
                    "notes": result["notes"],
                    "sandbox": sandbox or {},
                    "graded_at": when,
                    "status": GRADED,
                },
                ("submission_id", "grader_version"),
            )

    def record_failure(self, student_id: str, sha256: str, result: dict, sandbox=None):
        """Store that grading this submission failed for a reason that is not the student's
        (``result["error"]`` says which): a grading row with status ``infrastructure`` and
        no results, so no score exists and the next run grades it again. A real verdict
        already stored (``--regrade``) is kept, never replaced by a failure."""
        version = result["grader_version"]
        with self._writing() as conn:
            sid = self._submission_id(conn, student_id, sha256, result["submission"])
            done = conn.execute(
                sa.select(gradings.c.status).where(
                    gradings.c.submission_id == sid, gradings.c.grader_version == version
                )
            ).scalar_one_or_none()
            if done == GRADED:
                return
            self._upsert(
                conn,
                gradings,
                {
                    "submission_id": sid,
                    "grader_version": version,
                    "chapter": result["chapter"],
                    "points": 0.0,
                    "max_points": 0.0,
                    "error": result["error"],
                    "notes": result["notes"],
                    "sandbox": sandbox or {},
                    "graded_at": _now(),
                    "status": INFRASTRUCTURE,
                },
                ("submission_id", "grader_version"),
            )

    def _writing(self):
        """A write transaction (on SQLite it takes the write lock first)."""
        conn = self.engine.connect().execution_options(sqlite_begin="BEGIN IMMEDIATE")
        return _Transaction(conn)

    # ---------------------------------------------------------------- reading

    def graded_keys(self, grader_version: str, status: str = GRADED) -> set[tuple[str, str]]:
        """(student id, sha256) of every submission completely graded by that version (with
        ``status="infrastructure"``: those whose grading failed, to be graded again)."""
        q = (
            sa.select(submissions.c.student_id, submissions.c.sha256)
            .join(gradings, gradings.c.submission_id == submissions.c.id)
            .where(gradings.c.grader_version == grader_version, gradings.c.status == status)
        )
        with self.engine.connect() as conn:
            return {(s, h) for s, h in conn.execute(q)}

    def is_graded(self, student_id: str, sha256: str, grader_version: str) -> bool:
        return (student_id, sha256) in self.graded_keys(grader_version)

    def versions(self) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(conn.execute(sa.select(gradings.c.grader_version).distinct()).scalars())

    def graded_submissions(self, grader_version: str) -> list[dict]:
        """Submission-level records (student, submission, chapter, total, error, notes)."""
        q = (
            sa.select(submissions, gradings)
            .join(gradings, gradings.c.submission_id == submissions.c.id)
            .where(gradings.c.grader_version == grader_version)
            .order_by(submissions.c.student_id, submissions.c.first_seen, submissions.c.id)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def stored_results(self, grader_version: str) -> dict[tuple[str, str], dict]:
        """Each real verdict of that grader version rebuilt as the ``SubmissionResult.to_json()``
        it was stored from, keyed by (student id, sha256): ``grade --json`` reports a
        submission it does not grade again from these."""
        verdicts = {
            (g["student_id"], g["sha256"]): g
            for g in self.graded_submissions(grader_version)
            if g["status"] == GRADED
        }
        q = (
            sa.select(submissions.c.student_id, submissions.c.sha256, results)
            .join(results, results.c.submission_id == submissions.c.id)
            .where(results.c.grader_version == grader_version)
            .order_by(results.c.id)
        )
        exercises: dict[tuple[str, str], list] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(q):
                m = r._mapping
                feedback, cases = m["feedback"] or {}, m["cases"] or []
                exercises.setdefault((m["student_id"], m["sha256"]), []).append(
                    {
                        "id": m["exercise_id"],
                        "function": feedback.get("function", ""),
                        "points": m["score"],
                        "max_points": _whole(m["max_score"]),
                        "status": m["status"],
                        "reason": feedback.get("reason", ""),
                        "mistake": _stored_mistake(m["mistake"], cases),
                        "cases": cases,
                    }
                )
        return {
            key: {
                "submission": g["name"],
                "chapter": g["chapter"],
                "points": g["points"],
                "max_points": _whole(g["max_points"]),
                "error": g["error"],
                "notes": list(g["notes"] or []),
                "grader_version": grader_version,
                "status": GRADED,
                "exercises": exercises.get(key, []),
            }
            for key, g in verdicts.items()
        }

    def rows(self, grader_version: str, *, latest: bool = True) -> list[Row]:
        """Results of that grader version. With ``latest`` (default), one row per student and
        exercise: the one from the student's most recently first-seen submission that
        contains it (a resubmission replaces the earlier one)."""
        q = (
            sa.select(
                submissions.c.student_id,
                submissions.c.name,
                submissions.c.sha256,
                submissions.c.first_seen,
                submissions.c.id,
                results,
            )
            .join(results, results.c.submission_id == submissions.c.id)
            .join(
                gradings,
                sa.and_(
                    gradings.c.submission_id == submissions.c.id,
                    gradings.c.grader_version == results.c.grader_version,
                ),
            )
            .where(results.c.grader_version == grader_version)
            .order_by(submissions.c.first_seen, submissions.c.id, results.c.id)
        )
        with self.engine.connect() as conn:
            found = list(conn.execute(q))
        out: dict = {}
        for i, r in enumerate(found):
            m = r._mapping
            row = Row(
                student_id=m["student_id"],
                submission=m["name"],
                sha256=m["sha256"],
                chapter=m["chapter"],
                exercise_id=m["exercise_id"],
                score=m["score"],
                max_score=m["max_score"],
                status=m["status"],
                reason=(m["feedback"] or {}).get("reason", ""),
                cases=m["cases"] or [],
                grader_version=m["grader_version"],
                mistake=m["mistake"],
            )
            out[(row.student_id, row.exercise_id) if latest else i] = row
        return sorted(out.values(), key=lambda r: (r.student_id, r.chapter, r.exercise_id))

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count()).select_from(metadata.tables[table])
            ).one()[0]


def _stored_mistake(mistake_id: str | None, cases: list[dict]) -> dict | None:
    """An exercise's diagnosis (``ExerciseResult.mistake``) rebuilt from its stored id and
    cases: the failing cases of each group it explains carry its id."""
    if not mistake_id:
        return None
    from autograder.diagnosis import describe

    known = describe(mistake_id)
    shown = known.to_json() if known else {"id": mistake_id, "sentence": "", "link": ""}
    failing = {(c["group"], c["hidden"]) for c in cases if not c["ok"]}
    explained = {(c["group"], c["hidden"]) for c in cases if c.get("mistake") == mistake_id}
    return dict(shown, groups=len(explained), failing_groups=len(failing))


def _whole(x: float) -> float | int:
    """A stored maximum (a FLOAT column) as the int the grader wrote when it is whole."""
    return int(x) if float(x).is_integer() else x


class _Transaction:
    """``with`` block: a connection and its transaction, committed at the end (rolled back
    on an exception), the connection closed either way."""

    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        self.trans = self.conn.begin()
        return self.conn

    def __exit__(self, kind, exc, tb):
        try:
            if kind is None:
                self.trans.commit()
            else:
                self.trans.rollback()
        finally:
            self.conn.close()


def exercise_order(ids: Iterable[str]) -> list[str]:
    """Exercise ids in registry order (chapter, then declaration); unknown ones last."""
    ids = set(ids)
    try:
        from autograder.registry import all_exercises

        known = [e.id for e in all_exercises() if e.id in ids]
    except Exception:  # an old gradebook may name exercises the registry no longer has
        known = []
    return known + sorted(ids - set(known))
