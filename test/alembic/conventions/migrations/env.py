import os

from sqlalchemy import engine_from_config, pool

from alembic import context

from app.models import metadata as target_metadata

config = context.config


def database_url():
    return (context.get_x_argument(as_dictionary=True).get("url")
            or os.environ["ALEMBIC_DATABASE_URL"])


if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=target_metadata,
                      literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = engine_from_config({"sqlalchemy.url": database_url()},
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
