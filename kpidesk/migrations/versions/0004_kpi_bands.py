"""A KPI may be judged in three bands (on target, watch, act) in place of one trigger line.

Revision ID: 0004_kpi_bands
Revises: 0003_annotations
Create Date: 2026-12-03 13:00:00

Existing KPIs keep one trigger line (bands false); their numbers and statuses do not change.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_kpi_bands'
down_revision = '0003_annotations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bands', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.drop_column('bands')
