"""invoices: objects created only if they are missing

ENUM.create() and Sequence.create() check first unless told otherwise, and
Table.create(checkfirst=True) does: against a database, the status type
and the orders table exist already and are left alone.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "c4"
down_revision = "c3"
branch_labels = None
depends_on = None


def invoices():
    return sa.Table(
        "invoices", sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", postgresql.ENUM(name="status", create_type=False)),
        sa.Column("priority", postgresql.ENUM(name="priority", create_type=False)),
        sa.Index("invoices_status", "status"),
    )


def upgrade():
    bind = op.get_bind()
    postgresql.ENUM("new", "paid", name="status").create(bind, checkfirst=True)
    postgresql.ENUM("low", "high", name="priority").create(bind)
    sa.Sequence("invoice_numbers", start=1000).create(bind)
    invoices().create(bind, checkfirst=True)
    sa.Table("orders", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True)) \
        .create(bind, checkfirst=True)


def downgrade():
    bind = op.get_bind()
    invoices().drop(bind, checkfirst=True)
    sa.Sequence("invoice_numbers").drop(bind)
    postgresql.ENUM(name="priority").drop(bind)
    postgresql.ENUM(name="legacy_kind").drop(bind, checkfirst=True)
