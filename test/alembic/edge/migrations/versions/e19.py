"""copies a table it reflects"""
from alembic import op
import sqlalchemy as sa

revision = "e19"
down_revision = "e18"
branch_labels = None
depends_on = None


def upgrade():
    settings = sa.Table("edge_settings", sa.MetaData(), autoload_with=op.get_bind())
    op.create_table("edge_settings_copy", *[sa.Column(c.name, c.type) for c in settings.columns])


def downgrade():
    pass
