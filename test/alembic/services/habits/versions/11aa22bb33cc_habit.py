"""create habit

Revision ID: 11aa22bb33cc
Revises: None
Create Date: 2024-05-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "11aa22bb33cc"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "habit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False, unique=True),
        sa.Column("per_week", sa.SmallInteger(), nullable=False, server_default="7"),
        sa.CheckConstraint("per_week BETWEEN 1 AND 7", name="ck_habit_per_week"),
        schema="habits",
    )


def downgrade() -> None:
    op.drop_table("habit", schema="habits")
