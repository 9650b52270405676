"""job runners in other processes (runner id and heartbeat of a running job) and stored renders of finished plans

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs') as batch:
        batch.add_column(sa.Column('runner_id', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'plan_renders',
        sa.Column('job_id', sa.String(length=32), sa.ForeignKey('jobs.id'), primary_key=True),
        sa.Column('key', sa.String(length=300), primary_key=True),
        sa.Column('media_type', sa.String(length=120), nullable=False),
        sa.Column('etag', sa.String(length=80), nullable=False),
        sa.Column('body_gz', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('plan_renders')
    with op.batch_alter_table('jobs') as batch:
        batch.drop_column('heartbeat_at')
        batch.drop_column('runner_id')
