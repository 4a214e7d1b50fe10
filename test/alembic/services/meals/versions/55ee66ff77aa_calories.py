"""calories

Revision ID: 55ee66ff77aa
Revises: 44dd55ee66ff
Create Date: 2024-05-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "55ee66ff77aa"
down_revision = "44dd55ee66ff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("meal", sa.Column("calories", sa.Integer()), schema="meals")
    op.create_index("ix_meal_eaten_at", "meal", ["eaten_at", "kind"], schema="meals")


def downgrade() -> None:
    op.drop_index("ix_meal_eaten_at", table_name="meal", schema="meals")
    op.drop_column("meal", "calories", schema="meals")
