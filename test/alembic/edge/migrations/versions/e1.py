"""settings for the tenant given with -x tenant=..."""
from alembic import context, op
import sqlalchemy as sa

revision = "e1"
down_revision = None
branch_labels = None
depends_on = None

def upgrade():
    op.create_table("edge_settings", sa.Column("tenant", sa.Text(), nullable=False))
    tenant = context.get_x_argument(as_dictionary=True)["tenant"]
    op.bulk_insert(sa.table("edge_settings", sa.column("tenant", sa.Text)), [{"tenant": tenant}])


def downgrade():
    op.drop_table("edge_settings")
