"""orders, with a status type"""
from alembic import op
import sqlalchemy as sa

revision = "c3"
down_revision = "c2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", sa.Enum("new", "paid", name="status")),
    )


def downgrade():
    op.drop_table("orders")
    sa.Enum(name="status").drop(op.get_bind(), checkfirst=False)
