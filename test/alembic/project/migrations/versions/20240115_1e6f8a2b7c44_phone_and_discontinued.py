"""phone numbers, discontinued products

Revision ID: 1e6f8a2b7c44
Revises: c41d9e0f3a33
Create Date: 2024-01-15 10:22:51.773302

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "1e6f8a2b7c44"
down_revision = "c41d9e0f3a33"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("customers", sa.Column("phone", sa.String(32), nullable=True))
    op.add_column(
        "products",
        sa.Column(
            "discontinued",
            sa.Boolean(),
            nullable=False,
            server_default=sa.false(),
        ),
    )
    op.add_column("products", sa.Column("legacy_code", sa.String(16)))


def downgrade() -> None:
    op.drop_column("products", "legacy_code")
    op.drop_column("products", "discontinued")
    op.drop_column("customers", "phone")
