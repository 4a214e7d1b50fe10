"""create customers

Revision ID: 3f1c2a9d4b10
Revises:
Create Date: 2024-01-08 09:12:44.120394

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "3f1c2a9d4b10"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("active", "suspended", "closed", name="customer_status"),
            nullable=False,
            server_default="active",
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.UniqueConstraint("email", name="uq_customers_email"),
        sa.CheckConstraint("email LIKE '%@%'", name="ck_customers_email_at"),
    )


def downgrade() -> None:
    op.drop_table("customers")
    op.execute("DROP TYPE customer_status")
