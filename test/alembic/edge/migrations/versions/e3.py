"""downgrade raises"""
from alembic import context, op
import sqlalchemy as sa

revision = "e3"
down_revision = "e2"
branch_labels = None
depends_on = None

def upgrade():
    op.add_column("edge_settings", sa.Column("region", sa.Text()))


def downgrade():
    raise NotImplementedError("the region data cannot be put back")
