"""The first gradebook schema: submissions, gradings, results (as of grader 0.1.0).

A gradebook created before migrations existed has exactly these tables: it is stamped with
this revision, then upgraded.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("student_id", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.UniqueConstraint("student_id", "sha256", name="uq_submission"),
    )
    op.create_table(
        "gradings",
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
        sa.UniqueConstraint("submission_id", "grader_version", name="uq_grading"),
    )
    op.create_table(
        "results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("exercise_id", sa.String(128), nullable=False),
        sa.Column("grader_version", sa.String(64), nullable=False),
        sa.Column("chapter", sa.String(64), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("max_score", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("feedback", sa.JSON, nullable=False),
        sa.Column("cases", sa.JSON, nullable=False),
        sa.Column("graded_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("submission_id", "exercise_id", "grader_version", name="uq_result"),
    )


def downgrade() -> None:
    for table in ("results", "gradings", "submissions"):
        op.drop_table(table)
