"""reporting indexes

Revision ID: 4a6c8e0b2dff
Revises: d3e5a7c9b1ee
Create Date: 2024-03-07 17:42:58.183641

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "4a6c8e0b2dff"
down_revision = "d3e5a7c9b1ee"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "daily_sales",
        sa.Column("currency", sa.CHAR(3), nullable=False, server_default="EUR"),
        schema="reporting",
    )
    op.create_index(
        "ix_daily_sales_revenue",
        "daily_sales",
        ["currency", sa.text("revenue DESC")],
        schema="reporting",
    )


def downgrade() -> None:
    op.drop_index("ix_daily_sales_revenue", table_name="daily_sales", schema="reporting")
    op.drop_column("daily_sales", "currency", schema="reporting")
