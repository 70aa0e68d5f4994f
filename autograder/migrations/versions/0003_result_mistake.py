"""results.mistake: the id of the known mistake diagnosed for that exercise
(:mod:`autograder.diagnosis`), NULL when none (and in every row graded before it existed)."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column("results", sa.Column("mistake", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("results") as batch:
        batch.drop_column("mistake")
