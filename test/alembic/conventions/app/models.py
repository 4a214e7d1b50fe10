"""The application's models, reduced to what env.py needs: the metadata
and its naming convention, which Alembic applies to every constraint and
index an operation creates without an explicit name (and, for check
constraints, to explicit names too: the template uses constraint_name)."""
import sqlalchemy as sa

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})
