"""members, with an index on five of their columns

op.create_table() creates the indexes of index=True columns by iterating a
set: the importer writes them in the order of their names.
"""
from alembic import op
import sqlalchemy as sa

revision = "o01"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "members",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.Text, nullable=False, index=True, unique=True),
        sa.Column("name", sa.Text, index=True),
        sa.Column("tenant", sa.Text, index=True),
        sa.Column("joined", sa.Date, index=True),
        sa.Column("note", sa.Text),
        sa.Column("legacy_flag", sa.Boolean, index=True),
    )


def downgrade():
    op.drop_table("members")
