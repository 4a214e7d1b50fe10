"""autocommit block"""
from alembic import context, op
import sqlalchemy as sa

revision = "e5"
down_revision = "e4"
branch_labels = None
depends_on = None

def upgrade():
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE mood ADD VALUE 'soso'")


def downgrade():
    pass
