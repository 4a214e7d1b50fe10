"""A Flask application laid out for Flask-Migrate (test/scripts/alembic_import.sh).

`flask --app app:create_app db upgrade` migrates it with the real Alembic;
`migrate-import-alembic -d migrations --app app:create_app` imports it.
The database comes from $DATABASE_URL.
"""
import os

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

# the naming convention names the constraints and indexes the revisions
# create without a name; env.py hands it to Alembic as target_metadata
db = SQLAlchemy(metadata=MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}))
migrate = Migrate()


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get(
        "DATABASE_URL", "postgresql+psycopg2:///flask_shop")
    app.config["SHOP_CURRENCY"] = "EUR"
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    from . import models  # noqa: F401
    return app
