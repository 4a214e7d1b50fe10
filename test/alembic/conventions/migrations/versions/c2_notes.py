"""notes: tabs and colons"""
from alembic import op
import sqlalchemy as sa

revision = "c2"
down_revision = "c1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "note",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("body", sa.Text),
        sa.Column("settings", sa.Text),
    )
    op.execute("INSERT INTO note (id, body) VALUES (1, 'a\tb')")
    note = sa.table("note", sa.column("id", sa.Integer), sa.column("body", sa.Text))
    op.bulk_insert(note, [{"id": 2, "body": "c\td"}])
    op.execute("CREATE FUNCTION note_length(n note) RETURNS integer\n"
               "LANGUAGE sql AS $$\n\tSELECT length(n.body)\n$$")
    op.execute(sa.text("UPDATE note SET settings = :s WHERE id = 1")
               .bindparams(s='{"enabled": true}'))
    op.execute(r"""UPDATE note SET settings = '{"enabled"\:false}' WHERE id = 2""")


def downgrade():
    op.execute("DROP FUNCTION note_length(note)")
    op.drop_table("note")
