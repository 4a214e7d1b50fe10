"""asks the dialect whether a table exists"""
from alembic import op
import sqlalchemy as sa

revision = "e20"
down_revision = "e19"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if not bind.dialect.has_table(bind, "edge_audit"):
        op.create_table("edge_audit", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    pass
