"""promotions, with the launch campaign

Revision ID: 6c8e0a2b4daa
Revises: e0b2d4f6a899
Create Date: 2024-02-26 11:31:56.908844

"""
import decimal

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "6c8e0a2b4daa"
down_revision = "e0b2d4f6a899"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "promotions",
        sa.Column("code", sa.String(20), primary_key=True),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("percent_off", sa.Numeric(5, 2), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("fine_print", sa.Text(), nullable=True),
    )
    # dates as strings: offline (--sql) rendering has no literal for dates
    promotions = sa.table(
        "promotions",
        sa.column("code", sa.String),
        sa.column("label", sa.Text),
        sa.column("percent_off", sa.Numeric(5, 2)),
        sa.column("starts_on", sa.String),
        sa.column("ends_on", sa.String),
        sa.column("active", sa.Boolean),
        sa.column("fine_print", sa.Text),
    )
    op.bulk_insert(
        promotions,
        [
            {
                "code": "LAUNCH10",
                "label": "10% off everything",
                "percent_off": decimal.Decimal("10.00"),
                "starts_on": "2024-03-01",
                "ends_on": "2024-03-31",
                "active": True,
                "fine_print": "Not valid on gift cards; one per customer's account.",
            },
            {
                "code": "SPRING",
                "label": "Spring sale: 25% off",
                "percent_off": decimal.Decimal("25.00"),
                "starts_on": "2024-04-01",
                "ends_on": None,
                "active": False,
                "fine_print": "Prices shown as $up$ and $$ in the old shop; ends ':soon'.",
            },
            {
                "code": "MÜNCHEN",
                "label": "Grüße aus München \\ 5%",
                "percent_off": decimal.Decimal("5.50"),
                "starts_on": "2024-05-01",
                "ends_on": "2024-05-02",
                "active": True,
                "fine_print": None,
            },
        ],
    )


def downgrade() -> None:
    op.drop_table("promotions")
