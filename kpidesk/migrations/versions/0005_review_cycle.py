"""The review cycle (issue 17): self-assessment forms sent and received, and a review's follow-up in
the check-in that discussed it.

Revision ID: 0005_review_cycle
Revises: 0004_kpi_bands
Create Date: 2026-12-03 15:30:00

A new table and three new review columns (empty): nothing stored before this revision changes.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_review_cycle'
down_revision = '0004_kpi_bands'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'self_assessment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('technician_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('form_id', sa.String(length=64), nullable=False),
        sa.Column('locked_digest', sa.String(length=64), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('sent_file', sa.String(length=500), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=True),
        sa.Column('received_file', sa.String(length=500), nullable=False),
        sa.Column('answers_json', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['technician_id'], ['technician.id'],
                                name=op.f('fk_self_assessment_technician_id_technician'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessment')),
        sa.UniqueConstraint('form_id', name=op.f('uq_self_assessment_form_id')),
        sa.UniqueConstraint('technician_id', 'period', name='uq_self_assessment_period'),
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_up', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('follow_up_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('follow_up_checkin_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_review_follow_up_checkin_id_check_in'), 'check_in',
                                    ['follow_up_checkin_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_review_follow_up_checkin_id_check_in'), type_='foreignkey')
        batch_op.drop_column('follow_up_checkin_id')
        batch_op.drop_column('follow_up_at')
        batch_op.drop_column('follow_up')
    op.drop_table('self_assessment')
