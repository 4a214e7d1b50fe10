# A Flask-Migrate environment: the engine and metadata come from the
# application's Flask-SQLAlchemy extension, through current_app.  Under
# `flask db` the application context is the CLI's; run any other way, this
# file makes the application itself and opens its context in a `with`
# block around the migrations.
import os
import sys
from logging.config import fileConfig

from alembic import context
from flask import current_app, has_app_context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)


def run():
    db = current_app.extensions["migrate"].db
    url = db.engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=db.metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        with db.engine.connect() as connection:
            context.configure(connection=connection, target_metadata=db.metadata)
            with context.begin_transaction():
                context.run_migrations()


if has_app_context():
    run()
else:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from app import create_app

    with create_app().app_context():
        run()
