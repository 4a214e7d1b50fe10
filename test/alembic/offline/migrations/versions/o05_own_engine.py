"""shout names: an engine of its own, from the ini file's URL"""
from alembic import context, op
import sqlalchemy as sa

revision = "o05"
down_revision = "o04"
branch_labels = None
depends_on = None


def upgrade():
    engine = sa.create_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE members SET name = upper(name)"))
    engine.dispose()
    op.add_column("members", sa.Column("nickname", sa.Text))


def downgrade():
    op.drop_column("members", "nickname")
