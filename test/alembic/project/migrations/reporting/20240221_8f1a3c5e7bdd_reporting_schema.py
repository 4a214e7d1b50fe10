"""reporting schema

The reporting team's branch: daily aggregates in their own schema.

Revision ID: 8f1a3c5e7bdd
Revises: e0b2d4f6a899
Create Date: 2024-02-21 13:29:03.447102

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "8f1a3c5e7bdd"
down_revision = "e0b2d4f6a899"
branch_labels = ("reporting",)
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA reporting")
    op.create_table(
        "daily_sales",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("orders", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("revenue", sa.Numeric(14, 2), nullable=False, server_default="0"),
        schema="reporting",
    )


def downgrade() -> None:
    op.drop_table("daily_sales", schema="reporting")
    op.execute("DROP SCHEMA reporting")
