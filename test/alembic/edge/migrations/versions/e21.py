"""a dict as a text() parameter, a rollback"""
from alembic import op
import sqlalchemy as sa

revision = "e21"
down_revision = "e20"
branch_labels = None
depends_on = None


def upgrade():
    op.get_bind().execute(sa.text("UPDATE edge_settings SET region = :r"), {"r": {"eu": True}})


def downgrade():
    op.execute("DELETE FROM edge_settings")
    op.get_bind().rollback()
