"""refresh function

Revision ID: d3e5a7c9b1ee
Revises: 8f1a3c5e7bdd
Create Date: 2024-03-01 08:51:36.020884

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "d3e5a7c9b1ee"
down_revision = "8f1a3c5e7bdd"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION reporting.refresh_daily_sales(since date)
        RETURNS integer
        LANGUAGE plpgsql
        AS $$
        DECLARE
            n integer;
        BEGIN
            INSERT INTO reporting.daily_sales AS d (day, orders, revenue)
            SELECT o.placed_at::date, count(*), sum(t.computed_total)
              FROM public.orders o
              JOIN public.order_totals t ON t.order_id = o.id
             WHERE o.placed_at >= since
             GROUP BY 1
            ON CONFLICT (day) DO UPDATE
               SET orders = excluded.orders, revenue = excluded.revenue;
            GET DIAGNOSTICS n = ROW_COUNT;
            RAISE NOTICE 'refreshed % days (100%% done)', n;
            RETURN n;
        END
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION reporting.refresh_daily_sales(date)")
