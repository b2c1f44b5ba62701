"""Alembic environment. KPI Desk runs migrations itself (kpidesk.database.migrate) and passes the
open connection in `config.attributes["connection"]`, so one transaction covers the whole upgrade.
For developers: `alembic -c kpidesk/migrations/alembic.ini revision --autogenerate -m "..."` against
a scratch database (KPIDESK_DB) generates a new revision."""
from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from kpidesk.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True, transactional_ddl=False)
        context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or f"sqlite:///{os.environ.get('KPIDESK_DB', 'scratch.db')}"
    engine = create_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        context.run_migrations()


run()
