"""tolerates a failing query, and branches on it"""
from alembic import op
import sqlalchemy as sa

revision = "e11"
down_revision = "e10"
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    try:
        n = conn.execute(sa.text("SELECT count(*) FROM edge_settings")).scalar()
    except Exception:
        n = 0
    if n == 0:
        op.execute("INSERT INTO edge_settings (tenant) VALUES ('empty')")
    else:
        op.execute("UPDATE edge_settings SET tenant = upper(tenant)")


def downgrade():
    pass
