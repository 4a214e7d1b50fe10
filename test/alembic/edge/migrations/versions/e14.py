"""a step done by hand"""
from alembic import op
import sqlalchemy as sa

revision = "e14"
down_revision = "e13"
branch_labels = None
depends_on = None


def upgrade():
    raise ValueError('Load the seed {"marker": "$manual$"} with scripts/seed.py first.\n'
                     'Then stamp this revision.\r\nSELECT 1/0;\rDROP TABLE edge_settings;')


def downgrade():
    pass
