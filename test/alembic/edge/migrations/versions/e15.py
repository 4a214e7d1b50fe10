"""a type created with its table, then a mistake"""
from alembic import op
import sqlalchemy as sa

revision = "e15"
down_revision = "e14"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("edge_mood", sa.Column("m", sa.Enum("up", "down", name="edge_mood_kind")))
    op.add_column("edge_mood", sa.Column("n", sa.Integer), schema=None, bogus=True)


def downgrade():
    op.drop_table("edge_mood")
