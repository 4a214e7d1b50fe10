"""reminders

Revision ID: 33cc44dd55ee
Revises: 11aa22bb33cc
Create Date: 2024-05-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "33cc44dd55ee"
down_revision = "11aa22bb33cc"
branch_labels = ("reminders",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder",
        sa.Column("habit_id", sa.Integer(), sa.ForeignKey("habits.habit.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("at", sa.Time(), nullable=False, server_default=sa.text("'08:00'::time")),
        schema="habits",
    )
    op.bulk_insert(
        sa.table("habit", sa.column("name", sa.Text), schema="habits"),
        [{"name": "stretch"}, {"name": "read 20 pages"}],
    )


def downgrade() -> None:
    op.drop_table("reminder", schema="habits")
    op.execute("DELETE FROM habits.habit WHERE name IN ('stretch', 'read 20 pages')")
