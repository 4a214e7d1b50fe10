"""The env.py of every service: its schema, its own version table."""
import os

from sqlalchemy import create_engine, pool, text

from alembic import context


def run():
    config = context.config
    schema = config.get_main_option("service_schema")
    options = dict(
        version_table=config.get_main_option("version_table", "alembic_version"),
        version_table_schema=config.get_main_option("version_table_schema"),
        include_schemas=True,
    )
    url = (context.get_x_argument(as_dictionary=True).get("url")
           or os.environ["ALEMBIC_DATABASE_URL"])
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True,
                          dialect_opts={"paramstyle": "named"}, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            connection.execute(text('CREATE SCHEMA IF NOT EXISTS "%s"' % schema))
            context.run_migrations()
