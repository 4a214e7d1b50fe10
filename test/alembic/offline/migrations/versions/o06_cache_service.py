"""flush a cache service on the way (-x cache_port=N)"""
import socket

from alembic import context, op
import sqlalchemy as sa

revision = "o06"
down_revision = "o05"
branch_labels = None
depends_on = None


def upgrade():
    port = context.get_x_argument(as_dictionary=True).get("cache_port")
    if port:
        with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as s:
            s.sendall(b"FLUSHALL\r\n")
    op.add_column("members", sa.Column("cached_at", sa.DateTime(timezone=True)))


def downgrade():
    op.drop_column("members", "cached_at")
