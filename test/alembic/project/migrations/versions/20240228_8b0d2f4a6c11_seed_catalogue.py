"""seed the catalogue

Revision ID: 8b0d2f4a6c11
Revises: 6c8e0a2b4daa
Create Date: 2024-02-28 10:02:33.118240

"""
import decimal

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "8b0d2f4a6c11"
down_revision = "6c8e0a2b4daa"
branch_labels = None
depends_on = None


suppliers = sa.table(
    "suppliers",
    sa.column("id", sa.Integer),
    sa.column("name", sa.Text),
    sa.column("country", sa.CHAR(2)),
)
products = sa.table(
    "products",
    sa.column("id", sa.Integer),
    sa.column("sku", sa.Integer),
    sa.column("title", sa.String),
    sa.column("price", sa.Numeric(10, 2)),
    sa.column("stock", sa.BigInteger),
    sa.column("supplier_id", sa.Integer),
)


def upgrade() -> None:
    op.bulk_insert(
        suppliers,
        [
            {"id": 1, "name": "Weberei Nord", "country": "DE"},
            {"id": 2, "name": "O'Hara & Sons", "country": "IE"},
        ],
    )
    op.bulk_insert(
        products,
        [
            {"id": 1, "sku": 1001, "title": "Shirt, 100% cotton", "price": decimal.Decimal("19.90"), "stock": 120, "supplier_id": 1},
            {"id": 2, "sku": 1002, "title": "Scarf (SALE)", "price": decimal.Decimal("9.50"), "stock": 3000000000, "supplier_id": 2},
            {"id": 3, "sku": 1003, "title": "Socks", "price": decimal.Decimal("4.00"), "stock": 0, "supplier_id": None},
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM products WHERE id IN (1, 2, 3)")
    op.execute("DELETE FROM suppliers WHERE id IN (1, 2)")
