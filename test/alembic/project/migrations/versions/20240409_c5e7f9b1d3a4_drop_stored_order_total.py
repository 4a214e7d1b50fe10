"""drop stored order total

order_totals computes it.

Revision ID: c5e7f9b1d3a4
Revises: 39b5d7f9a1c3
Create Date: 2024-04-09 14:27:40.318866

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c5e7f9b1d3a4"
down_revision = "39b5d7f9a1c3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column("orders", "total")


def downgrade() -> None:
    op.add_column(
        "orders",
        sa.Column("total", sa.Numeric(10, 2), nullable=False, server_default="0"),
    )
