"""suppliers

Revision ID: a8c3d5e7f177
Revises: 5b7e1f3a9c66
Create Date: 2024-02-05 13:14:22.870021

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a8c3d5e7f177"
down_revision = "5b7e1f3a9c66"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("country", sa.CHAR(2), nullable=False, server_default="DE"),
    )
    op.add_column("products", sa.Column("supplier_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        "fk_products_supplier",
        "products",
        "suppliers",
        ["supplier_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint("fk_products_supplier", "products", type_="foreignkey")
    op.drop_column("products", "supplier_id")
    op.drop_table("suppliers")
