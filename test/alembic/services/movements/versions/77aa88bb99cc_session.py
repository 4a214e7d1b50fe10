"""workout sessions

Revision ID: 77aa88bb99cc
Revises: None
Create Date: 2024-05-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "77aa88bb99cc"
down_revision = None
branch_labels = ("log",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), sa.CheckConstraint("minutes > 0")),
        schema="movements",
    )


def downgrade() -> None:
    op.drop_table("session", schema="movements")
