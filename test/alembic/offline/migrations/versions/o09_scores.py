"""scores: an upgrade that renders, a downgrade that reads first"""
from alembic import op
import sqlalchemy as sa

revision = "o09"
down_revision = "o08"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("members", sa.Column("score", sa.Integer, nullable=False,
                                       server_default="0"))


def downgrade():
    top = op.get_bind().execute(sa.text("SELECT max(score) FROM members")).scalar()
    if top:
        raise RuntimeError("members have scores (up to %d): keep them" % top)
    op.drop_column("members", "score")
