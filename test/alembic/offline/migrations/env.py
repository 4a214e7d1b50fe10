# The offline project's environment: a SQLAlchemy 2.0-style ("future")
# engine, whose connection a revision may commit, and one transaction per
# revision, as projects using autocommit_block() usually run.
import os

from sqlalchemy import create_engine, pool

from alembic import context

config = context.config


def database_url():
    return (context.get_x_argument(as_dictionary=True).get("url")
            or os.environ.get("ALEMBIC_DATABASE_URL")
            or config.get_main_option("sqlalchemy.url"))


# revisions that open their own engine read the URL from here, and so reach
# the database being migrated
config.set_main_option("sqlalchemy.url", database_url())

if context.is_offline_mode():
    context.configure(url=database_url(), literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(database_url(), future=True, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
