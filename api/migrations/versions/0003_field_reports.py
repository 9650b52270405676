"""field reports: what teams report from their phones, one row per report id of a plan

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'field_reports',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('plan_id', sa.String(length=32), nullable=False),
        sa.Column('report_id', sa.String(length=64), nullable=False),
        sa.Column('team_id', sa.String(length=64), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('report_json', sa.Text(), nullable=False),
        sa.Column('key_id', sa.Integer(), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['jobs.id']),
        sa.ForeignKeyConstraint(['key_id'], ['api_keys.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('plan_id', 'report_id', name='uq_field_reports_id'),
    )
    op.create_index('ix_field_reports_plan_id', 'field_reports', ['plan_id'])


def downgrade() -> None:
    op.drop_index('ix_field_reports_plan_id', table_name='field_reports')
    op.drop_table('field_reports')
