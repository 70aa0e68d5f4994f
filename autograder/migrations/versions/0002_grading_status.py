"""gradings.status: "graded" (a real verdict) or "infrastructure" (the grading itself
failed: worker died, interrupted, out of disk; no score stored, graded again next run).
Rows of older gradebooks were all real verdicts."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.add_column(
        "gradings",
        sa.Column("status", sa.String(16), nullable=False, server_default="graded"),
    )


def downgrade() -> None:
    with op.batch_alter_table("gradings") as batch:
        batch.drop_column("status")
