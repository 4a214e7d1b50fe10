"""customer email domain

Backfilled in Python: the domain is lower-cased the way the mailer does it.

Revision ID: 0d2f4b6e8acc
Revises: b4d6f8a0c2bb
Create Date: 2024-03-11 12:44:09.530118

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0d2f4b6e8acc"
down_revision = "b4d6f8a0c2bb"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("customers", sa.Column("email_domain", sa.Text(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, email FROM customers")).fetchall()
    for customer_id, email in rows:
        conn.execute(
            sa.text("UPDATE customers SET email_domain = :d WHERE id = :id"),
            {"d": email.rsplit("@", 1)[1].lower(), "id": customer_id},
        )


def downgrade() -> None:
    op.drop_column("customers", "email_domain")
