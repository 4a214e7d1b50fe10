"""an empty downgrade"""
from alembic import context, op
import sqlalchemy as sa

revision = "e4"
down_revision = "e3"
branch_labels = None
depends_on = None

def upgrade():
    op.execute("COMMENT ON TABLE edge_settings IS '50% done: \$\$ and \$up\$'")


def downgrade():
    pass
