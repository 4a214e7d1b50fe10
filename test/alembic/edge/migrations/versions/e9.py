"""needs another -x"""
from alembic import context, op
import sqlalchemy as sa

revision = "e9"
down_revision = "e8"
branch_labels = None
depends_on = None

def upgrade():
    op.execute("SET search_path TO %s" % context.get_x_argument(as_dictionary=True)["region"])


def downgrade():
    pass
