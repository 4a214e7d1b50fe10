"""exercise catalogue

Revision ID: 66ff77aa88bb
Revises: None
Create Date: 2024-05-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "66ff77aa88bb"
down_revision = None
branch_labels = ("catalog",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exercise",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        schema="movements",
    )
    op.execute("INSERT INTO movements.exercise VALUES ('squat', 'Squat'), ('plank', 'Plank, 100% core')")


def downgrade() -> None:
    op.drop_table("exercise", schema="movements")
