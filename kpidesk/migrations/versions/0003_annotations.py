"""Annotations: dated notes on a KPI, a scope or the whole desk, for the plots and the check-ins.

Revision ID: 0003_annotations
Revises: 0002_ticket_resolution_basis
Create Date: 2026-12-10 09:00:00

A new table only: nothing stored before this revision changes.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003_annotations'
down_revision = '0002_ticket_resolution_basis'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'annotation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=False),
        sa.Column('until_date', sa.Date(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('kpi_id', sa.Integer(), nullable=True),
        sa.Column('scope_key', sa.String(length=250), nullable=False),
        sa.Column('author', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('until_date IS NULL OR until_date >= on_date', name=op.f('ck_annotation_span')),
        sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], name=op.f('fk_annotation_kpi_id_kpi'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_annotation')),
    )
    with op.batch_alter_table('annotation', schema=None) as batch_op:
        batch_op.create_index('ix_annotation_on_date', ['on_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_annotation_kpi_id'), ['kpi_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('annotation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annotation_kpi_id'))
        batch_op.drop_index('ix_annotation_on_date')
    op.drop_table('annotation')
