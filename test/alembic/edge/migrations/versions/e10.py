"""recreates its table"""
from alembic import op
import sqlalchemy as sa

revision = "e10"
down_revision = "e9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("edge_settings", recreate="always") as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text()))


def downgrade():
    with op.batch_alter_table("edge_settings") as batch_op:
        batch_op.drop_column("note")
