"""an index built concurrently: commit, then autocommit_block()"""
from alembic import op

revision = "o04"
down_revision = "o03"
branch_labels = None
depends_on = None


def upgrade():
    op.get_bind().commit()
    with op.get_context().autocommit_block():
        op.create_index("ix_members_note", "members", ["note"],
                        postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_members_note", table_name="members",
                      postgresql_concurrently=True)
