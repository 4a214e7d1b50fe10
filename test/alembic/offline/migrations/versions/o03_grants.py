"""grants: JSONB, ARRAY, UUID, date, timestamp and interval values"""
import datetime
import uuid

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "o03"
down_revision = "o02"
branch_labels = None
depends_on = None


def upgrade():
    grants = op.create_table(
        "grants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scopes", postgresql.JSONB, nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.Text), nullable=False),
        sa.Column("token", postgresql.UUID(as_uuid=True)),
        sa.Column("granted", sa.Date),
        sa.Column("expires", sa.DateTime(timezone=True)),
        sa.Column("ttl", sa.Interval),
    )
    op.bulk_insert(grants, [
        {"id": 1, "scopes": ["read"], "tags": ["a", "b c"],
         "token": uuid.UUID("6f1c0b52-3a59-4d4e-9c1f-0a6b1e2d3c4f"),
         "granted": datetime.date(2024, 3, 1),
         "expires": datetime.datetime(2025, 3, 1, 12, 30, tzinfo=datetime.timezone.utc),
         "ttl": datetime.timedelta(days=30, seconds=5)},
        {"id": 2, "scopes": {"chat": ["read", "write"], "it's": None}, "tags": [],
         "token": None, "granted": None, "expires": None, "ttl": None},
    ])
    op.execute(grants.update().where(grants.c.id == 1)
               .values(scopes=["write:chat"], tags=["x", "y'z"]))


def downgrade():
    op.drop_table("grants")
