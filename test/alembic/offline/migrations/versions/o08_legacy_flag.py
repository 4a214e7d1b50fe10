"""drop the legacy flag where it is still there: reflection"""
from alembic import op
import sqlalchemy as sa

revision = "o08"
down_revision = "o07"
branch_labels = None
depends_on = None


def upgrade():
    columns = [c["name"] for c in sa.inspect(op.get_bind()).get_columns("members")]
    if "legacy_flag" in columns:
        op.drop_column("members", "legacy_flag")


def downgrade():
    op.add_column("members", sa.Column("legacy_flag", sa.Boolean))
    op.create_index("ix_members_legacy_flag", "members", ["legacy_flag"])
