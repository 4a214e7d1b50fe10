"""sku unique per supplier

Revision ID: 39b5d7f9a1c3
Revises: 7c9e1b3d5f0a
Create Date: 2024-04-02 10:36:14.889250

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "39b5d7f9a1c3"
down_revision = "7c9e1b3d5f0a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("products_sku_key", "products", type_="unique")
    op.create_unique_constraint(
        "uq_products_supplier_sku", "products", ["supplier_id", "sku"]
    )


def downgrade() -> None:
    op.drop_constraint("uq_products_supplier_sku", "products", type_="unique")
    op.create_unique_constraint("products_sku_key", "products", ["sku"])
