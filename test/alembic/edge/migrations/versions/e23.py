"""connects with psycopg2 itself"""
from alembic import op
import psycopg2

revision = "e23"
down_revision = "e22"
branch_labels = None
depends_on = None


def upgrade():
    with psycopg2.connect("dbname=edge") as conn:
        conn.cursor().execute("VACUUM")
    op.execute("SELECT 1")


def downgrade():
    pass
