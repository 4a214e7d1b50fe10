"""email domains: a loop over the rows it reads"""
from alembic import op
import sqlalchemy as sa

revision = "o07"
down_revision = "o06"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("members", sa.Column("domain", sa.Text))
    bind = op.get_bind()
    for id_, email in bind.execute(sa.text("SELECT id, email FROM members")).fetchall():
        bind.execute(sa.text("UPDATE members SET domain = :d WHERE id = :id"),
                     {"d": email.split("@")[1], "id": id_})


def downgrade():
    op.drop_column("members", "domain")
