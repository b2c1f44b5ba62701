"""The schema the migrations build is the schema the models describe: a model changed without an
Alembic revision fails here, before it can reach a user's database."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from kpidesk.database import head_revision
from kpidesk.models import Base


def test_migrated_schema_matches_the_models(db_path):
    engine = create_engine(f"sqlite:///{db_path}")
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"render_as_batch": True})
            assert ctx.get_current_revision() == head_revision()
            diff = compare_metadata(ctx, Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations disagree; add an Alembic revision: {diff}"


def test_one_linear_history_of_revisions():
    from alembic.script import ScriptDirectory

    from kpidesk.database import MIGRATIONS_DIR

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    assert len(script.get_heads()) == 1  # two sessions' 0002s would make two heads
