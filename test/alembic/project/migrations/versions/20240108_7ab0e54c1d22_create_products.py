"""create products

Revision ID: 7ab0e54c1d22
Revises: 3f1c2a9d4b10
Create Date: 2024-01-08 11:40:02.551230

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7ab0e54c1d22"
down_revision = "3f1c2a9d4b10"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sku", sa.String(32), nullable=False, unique=True),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("price", sa.Numeric(10, 2), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False, server_default="0"),
        sa.CheckConstraint("price >= 0", name="ck_products_price_positive"),
    )


def downgrade() -> None:
    op.drop_table("products")
