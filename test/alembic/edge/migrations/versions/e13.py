"""creates whatever of its metadata is missing"""
from alembic import op
import sqlalchemy as sa

revision = "e13"
down_revision = "e12"
branch_labels = None
depends_on = None

metadata = sa.MetaData()
sa.Table("edge_audit", metadata, sa.Column("id", sa.Integer, primary_key=True))


def upgrade():
    metadata.create_all(op.get_bind())


def downgrade():
    metadata.drop_all(op.get_bind(), checkfirst=False)
