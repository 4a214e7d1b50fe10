"""product currency, from the application's configuration

Revision ID: a7b8c9d0e1f2
Revises: f1a2b3c4d5e6
Create Date: 2024-05-09 09:00:00.000000

"""
from alembic import op
from flask import current_app
import sqlalchemy as sa

revision = "a7b8c9d0e1f2"
down_revision = "f1a2b3c4d5e6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("currency", sa.Text(),
                                      server_default=current_app.config["SHOP_CURRENCY"]))


def downgrade():
    # the application context must still be there when the downgrade runs
    if current_app.config["SHOP_CURRENCY"]:
        with op.batch_alter_table("products", schema=None) as batch_op:
            batch_op.drop_column("currency")
