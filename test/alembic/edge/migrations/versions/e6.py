"""asks whether it is offline"""
from alembic import context, op
import sqlalchemy as sa

revision = "e6"
down_revision = "e5"
branch_labels = None
depends_on = None

def upgrade():
    if not context.is_offline_mode():
        op.execute("UPDATE edge_settings SET region = 'eu'")


def downgrade():
    pass
