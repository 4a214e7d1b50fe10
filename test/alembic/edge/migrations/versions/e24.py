"""names the connection in its own error"""
from alembic import op

revision = "e24"
down_revision = "e23"
branch_labels = None
depends_on = None


def upgrade():
    raise RuntimeError("no settings reachable through %r" % op.get_bind())


def downgrade():
    pass
