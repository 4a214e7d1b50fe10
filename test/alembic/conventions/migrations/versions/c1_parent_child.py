"""parent and child

Every constraint and index here is named by the naming convention.
"""
from alembic import op
import sqlalchemy as sa

revision = "c1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "parent",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.Text, unique=True),
        sa.Column("qty", sa.Integer, index=True),
        sa.CheckConstraint("qty >= 0", name="qty_positive"),
    )
    op.create_table(
        "child",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id")),
    )
    op.create_unique_constraint(None, "child", ["parent_id"])
    op.create_check_constraint("id_positive", "child", "id > 0")


def downgrade():
    op.drop_table("child")
    op.drop_table("parent")
