"""no downgrade function"""
from alembic import context, op
import sqlalchemy as sa

revision = "e2"
down_revision = "e1"
branch_labels = None
depends_on = None

def upgrade():
    op.execute("ANALYZE edge_settings")
