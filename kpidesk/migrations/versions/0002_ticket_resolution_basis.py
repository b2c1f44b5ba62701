"""Tickets keep their status category, what their resolved time rests on, and who shares them.
(Partial indexes find the shared tickets and the grouped ones.)

Revision ID: 0002_ticket_resolution_basis
Revises: 0001_first_schema
Create Date: 2026-12-03 09:00:00

Tickets imported before this revision keep their numbers: a ticket with a resolved time rested on
the resolved column (basis 'resolved'); importing the file again applies the new rules to it.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002_ticket_resolution_basis'
down_revision = '0001_first_schema'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_category', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('resolved_basis', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('shared_with', sa.Text(), nullable=True))
        batch_op.create_index('ix_ticket_shared', ['id'], unique=False,
                              sqlite_where=sa.text('shared_with IS NOT NULL'),
                              postgresql_where=sa.text('shared_with IS NOT NULL'))
        batch_op.create_index('ix_ticket_group', ['group_name'], unique=False,
                              sqlite_where=sa.text("group_name != ''"),
                              postgresql_where=sa.text("group_name != ''"))
    op.execute("UPDATE ticket SET resolved_basis = 'resolved' WHERE resolved_at IS NOT NULL")
    # Stored KPI values were recomputed by hand until now: the next action recomputes them once.
    op.execute("INSERT INTO setting (key, value_json) SELECT 'recompute_due', 'true' "
               "WHERE EXISTS (SELECT 1 FROM ticket) AND NOT EXISTS (SELECT 1 FROM setting WHERE key = 'recompute_due')")


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_group')
        batch_op.drop_index('ix_ticket_shared')
        batch_op.drop_column('shared_with')
        batch_op.drop_column('resolved_basis')
        batch_op.drop_column('status_category')
