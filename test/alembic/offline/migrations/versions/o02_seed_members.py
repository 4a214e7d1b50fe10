"""seed members: writes with parameters through the connection"""
import datetime

from alembic import op
import sqlalchemy as sa

revision = "o02"
down_revision = "o01"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    bind.execute(
        sa.text("INSERT INTO members (id, email, name, tenant, joined) "
                "VALUES (:id, :email, :name, :tenant, :joined)"),
        [
            {"id": 1, "email": "ann@example.org", "name": "Ann", "tenant": "acme",
             "joined": datetime.date(2024, 1, 5)},
            {"id": 2, "email": "bob@example.com", "name": "Bob", "tenant": "acme",
             "joined": "2024-02-11"},
            {"id": 3, "email": "cy@example.org", "name": "Cy", "tenant": "initech",
             "joined": "2024-03-20"},
        ],
    )
    bind.execute(sa.text("UPDATE members SET name = :name WHERE id = :id"),
                 {"name": "Bob O'Brien \\ 100% sure", "id": 2})
    bind.exec_driver_sql("UPDATE members SET note = %(note)s WHERE id = %(id)s",
                         {"note": "50% off: a \"quoted\" note", "id": 1})


def downgrade():
    op.get_bind().execute(sa.text("DELETE FROM members WHERE id = :id"),
                          [{"id": 1}, {"id": 2}, {"id": 3}])
