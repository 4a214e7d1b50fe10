"""check-ins

Revision ID: 22bb33cc44dd
Revises: 11aa22bb33cc
Create Date: 2024-05-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "22bb33cc44dd"
down_revision = "11aa22bb33cc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkin",
        sa.Column("habit_id", sa.Integer(), sa.ForeignKey("habits.habit.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("habit_id", "day"),
        schema="habits",
    )


def downgrade() -> None:
    op.drop_table("checkin", schema="habits")
