"""customer lifetime value

Needs the reporting schema's refresh function.

Revision ID: f2b4d6e8a01a
Revises: 0d2f4b6e8acc
Create Date: 2024-03-18 09:58:27.640592

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "f2b4d6e8a01a"
down_revision = "0d2f4b6e8acc"
branch_labels = None
depends_on = "d3e5a7c9b1ee"


def upgrade() -> None:
    op.execute(
        """
        CREATE VIEW customer_lifetime_value AS
        SELECT c.id AS customer_id, c.email_domain,
               coalesce(sum(t.computed_total), 0) AS lifetime_value
          FROM customers c
          LEFT JOIN order_totals t ON t.customer_id = c.id
         GROUP BY c.id, c.email_domain
        """
    )


def downgrade() -> None:
    op.execute("DROP VIEW customer_lifetime_value")
