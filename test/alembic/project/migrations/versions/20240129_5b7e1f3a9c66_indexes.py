"""indexes for the order screens

Revision ID: 5b7e1f3a9c66
Revises: 9d2c4b6e8f55
Create Date: 2024-01-29 08:30:45.002917

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5b7e1f3a9c66"
down_revision = "9d2c4b6e8f55"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_customers_email_lower",
        "customers",
        [sa.text("lower(email)")],
        unique=True,
    )
    op.create_index(
        "ix_orders_open",
        "orders",
        ["placed_at"],
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index(
        "ix_orders_customer_placed", "orders", ["customer_id", "placed_at"]
    )
    op.create_index(op.f("ix_order_items_product_id"), "order_items", ["product_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_order_items_product_id"), table_name="order_items")
    op.drop_index("ix_orders_customer_placed", table_name="orders")
    op.drop_index("ix_orders_open", table_name="orders")
    op.drop_index("ix_customers_email_lower", table_name="customers")
