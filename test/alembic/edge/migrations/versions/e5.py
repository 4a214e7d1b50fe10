"""autocommit block"""
from alembic import context, op
import sqlalchemy as sa

revision = "e5"
down_revision = "e4"
branch_labels = None
depends_on = None

def upgrade():
    op.execute("CREATE TYPE mood AS ENUM ('fine')")
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE mood ADD VALUE 'soso'")


def downgrade():
    op.execute("DROP TYPE mood")
