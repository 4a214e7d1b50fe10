"""product details

Revision ID: 2f4a6c8e0b88
Revises: a8c3d5e7f177
Create Date: 2024-02-12 17:05:38.410113

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "2f4a6c8e0b88"
down_revision = "a8c3d5e7f177"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("products") as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "attributes",
                postgresql.JSONB(),
                nullable=False,
                server_default=sa.text("'{}'::jsonb"),
            )
        )
        batch_op.alter_column(
            "title", existing_type=sa.String(120), type_=sa.String(200)
        )
        batch_op.drop_column("legacy_code")


def downgrade() -> None:
    with op.batch_alter_table("products") as batch_op:
        batch_op.add_column(sa.Column("legacy_code", sa.String(16)))
        batch_op.alter_column(
            "title", existing_type=sa.String(200), type_=sa.String(120)
        )
        batch_op.drop_column("attributes")
        batch_op.drop_column("description")
