"""reports: roll-up cells without foreign keys

Revision ID: dda5ba21e61f
Revises: 5eaf462b616a
Create Date: 2026-11-26 14:33:52.567805
"""
import sqlalchemy as sa
from alembic import op

revision = 'dda5ba21e61f'
down_revision = '5eaf462b616a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('daily_agency_stats', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_daily_agency_stats_agency_id_agencies'), type_='foreignkey')

    with op.batch_alter_table('daily_case_stats', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_daily_case_stats_agency_id_agencies'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_daily_case_stats_category_id_categories'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_daily_case_stats_district_id_districts'), type_='foreignkey')


def downgrade():
    with op.batch_alter_table('daily_case_stats', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_daily_case_stats_district_id_districts'), 'districts', ['district_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_daily_case_stats_category_id_categories'), 'categories', ['category_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_daily_case_stats_agency_id_agencies'), 'agencies', ['agency_id'], ['id'])

    with op.batch_alter_table('daily_agency_stats', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_daily_agency_stats_agency_id_agencies'), 'agencies', ['agency_id'], ['id'])
