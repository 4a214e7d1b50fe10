"""merge reporting into main

Revision ID: 7c9e1b3d5f0a
Revises: f2b4d6e8a01a, 4a6c8e0b2dff
Create Date: 2024-03-25 16:12:50.071733

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7c9e1b3d5f0a"
down_revision = ("f2b4d6e8a01a", "4a6c8e0b2dff")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
