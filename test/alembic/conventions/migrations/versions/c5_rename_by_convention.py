"""constraints dropped by their conventional names"""
from alembic import op

revision = "c5"
down_revision = "c4"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_constraint("uq_parent_code", "parent", type_="unique")
    op.create_unique_constraint(None, "parent", ["code", "qty"])
    op.drop_constraint(op.f("ck_parent_qty_positive"), "parent", type_="check")
    op.create_check_constraint("qty_small", "parent", "qty < 1000")
    op.drop_constraint("fk_child_parent_id_parent", "child", type_="foreignkey")
    op.create_foreign_key(None, "child", "parent", ["parent_id"], ["id"], ondelete="CASCADE")


def downgrade():
    op.drop_constraint("fk_child_parent_id_parent", "child", type_="foreignkey")
    op.create_foreign_key(None, "child", "parent", ["parent_id"], ["id"])
    op.drop_constraint(op.f("ck_parent_qty_small"), "parent", type_="check")
    op.create_check_constraint("qty_positive", "parent", "qty >= 0")
    op.drop_constraint("uq_parent_code", "parent", type_="unique")
    op.create_unique_constraint(None, "parent", ["code"])
