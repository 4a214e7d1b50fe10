"""closure reason

Revision ID: 5e7a9c1b3d4f
Revises: 1a3c5e7f9b2d
Create Date: 2024-04-23 09:15:21.905457

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "5e7a9c1b3d4f"
down_revision = "1a3c5e7f9b2d"
branch_labels = None
depends_on = None

closure_reason = postgresql.ENUM("fraud", "request", "inactive", name="closure_reason")


def upgrade() -> None:
    closure_reason.create(op.get_bind())
    op.add_column(
        "customers",
        sa.Column(
            "closure_reason",
            postgresql.ENUM(name="closure_reason", create_type=False),
            nullable=True,
        ),
    )
    op.create_check_constraint(
        "ck_customers_closed_has_reason",
        "customers",
        "status <> 'closed' OR closure_reason IS NOT NULL",
    )


def downgrade() -> None:
    op.drop_constraint("ck_customers_closed_has_reason", "customers", type_="check")
    op.drop_column("customers", "closure_reason")
    closure_reason.drop(op.get_bind())
