"""concurrent index"""
from alembic import context, op
import sqlalchemy as sa

revision = "e7"
down_revision = "e6"
branch_labels = None
depends_on = None

def upgrade():
    op.create_index("ix_edge_tenant", "edge_settings", ["tenant"], postgresql_concurrently=True)


def downgrade():
    op.drop_index("ix_edge_tenant", table_name="edge_settings")
