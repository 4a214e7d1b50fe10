"""tolerates a failure inside a savepoint"""
from alembic import op
import sqlalchemy as sa

revision = "e17"
down_revision = "e16"
branch_labels = None
depends_on = None


def upgrade():
    try:
        with op.get_bind().begin_nested():
            op.execute("ALTER TABLE edge_settings ADD COLUMN region text")
    except Exception:
        pass


def downgrade():
    pass
