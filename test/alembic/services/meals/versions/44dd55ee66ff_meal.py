"""create meal

Revision ID: 44dd55ee66ff
Revises: None
Create Date: 2024-05-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "44dd55ee66ff"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meal",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("kind", sa.Enum("breakfast", "lunch", "dinner", "snack", name="meal_kind", schema="meals"), nullable=False),
        sa.Column("eaten_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema="meals",
    )


def downgrade() -> None:
    op.drop_table("meal", schema="meals")
    op.execute("DROP TYPE meals.meal_kind")
