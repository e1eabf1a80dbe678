"""Accelerators made for inference alone: quotes do not offer them for training.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 19:16:04.137776
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accelerators", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("trains", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    # AWS Inferentia2 is an inference chip (Trainium is AWS's training chip).
    op.execute("UPDATE accelerators SET trains = false WHERE id = 'inferentia2'")


def downgrade() -> None:
    with op.batch_alter_table("accelerators", schema=None) as batch_op:
        batch_op.drop_column("trains")
