"""colons that SQLAlchemy takes for bind parameters"""
from alembic import op
import sqlalchemy as sa

revision = "e12"
down_revision = "e11"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("UPDATE edge_settings SET tenant = :tenant"))


def downgrade():
    op.execute("""UPDATE edge_settings SET region = '{"eu":true}'""")
