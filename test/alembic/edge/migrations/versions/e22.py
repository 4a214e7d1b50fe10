"""AUTOCOMMIT through execution_options(), and a raw string with parameters"""
from alembic import op
import sqlalchemy as sa

revision = "e22"
down_revision = "e21"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind().execution_options(isolation_level="AUTOCOMMIT")
    bind.exec_driver_sql("ALTER TYPE mood ADD VALUE %s", ("meh",))
    bind.execute("COMMENT ON TYPE mood IS \x27{\"a\":1} 100%\x27")


def downgrade():
    pass
