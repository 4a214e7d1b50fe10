"""order totals view

Revision ID: e0b2d4f6a899
Revises: 2f4a6c8e0b88
Create Date: 2024-02-19 09:47:13.215586

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "e0b2d4f6a899"
down_revision = "2f4a6c8e0b88"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE VIEW order_totals AS
        SELECT o.id AS order_id,
               o.customer_id,
               coalesce(sum(i.quantity * i.unit_price), 0) AS computed_total,
               count(i.product_id) AS items
          FROM orders o
          LEFT JOIN order_items i ON i.order_id = o.id
         GROUP BY o.id, o.customer_id
        """
    )


def downgrade() -> None:
    op.execute("DROP VIEW order_totals")
