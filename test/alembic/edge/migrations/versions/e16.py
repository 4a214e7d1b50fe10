"""counts rows with scalar()"""
from alembic import op
import sqlalchemy as sa

revision = "e16"
down_revision = "e15"
branch_labels = None
depends_on = None


def upgrade():
    n = op.get_bind().scalar(sa.text("SELECT count(*) FROM edge_settings s JOIN edge_mood m ON true"))
    op.execute("UPDATE edge_settings SET tenant = %s" % sa.literal(n))


def downgrade():
    pass
