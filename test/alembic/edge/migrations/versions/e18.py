"""looks at how many rows an UPDATE changed"""
from alembic import op
import sqlalchemy as sa

revision = "e18"
down_revision = "e17"
branch_labels = None
depends_on = None


def upgrade():
    changed = op.get_bind().execute(sa.text("UPDATE edge_settings SET tenant = lower(tenant)"))
    if changed.rowcount == 0:
        op.execute("INSERT INTO edge_settings (tenant) VALUES (\x27nobody\x27)")


def downgrade():
    pass
