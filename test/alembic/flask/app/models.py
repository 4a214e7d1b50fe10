from . import db


class Product(db.Model):
    __tablename__ = "products"
    id = db.Column(db.Integer, primary_key=True)
    sku = db.Column(db.Text, nullable=False, unique=True)
    title = db.Column(db.Text, nullable=False)
    currency = db.Column(db.Text, server_default="EUR")
