"""order notes

Revision ID: 1a3c5e7f9b2d
Revises: c5e7f9b1d3a4
Create Date: 2024-04-16 11:08:59.274310

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "1a3c5e7f9b2d"
down_revision = "c5e7f9b1d3a4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("notes", sa.Text(), nullable=True))
    op.create_table_comment("orders", "one row per checkout")
    op.alter_column(
        "orders",
        "notes",
        existing_type=sa.Text(),
        comment="free text from the customer; may contain 50% of a novel",
    )


def downgrade() -> None:
    op.drop_table_comment("orders", existing_comment="one row per checkout")
    op.drop_column("orders", "notes")
