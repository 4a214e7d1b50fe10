"""commits in its downgrade"""
from alembic import context, op
import sqlalchemy as sa

revision = "e8"
down_revision = "e7"
branch_labels = None
depends_on = None

def upgrade():
    op.execute("SELECT 1")


def downgrade():
    op.execute("COMMIT")
