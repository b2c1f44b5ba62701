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


def test_a_database_at_0002_upgrades_with_its_data_and_a_backup(tmp_path):
    """Issue 16: 0003_annotations adds a table to a 0002 database; nothing stored before moves."""
    import sqlite3

    from kpidesk import database as db
    from kpidesk.store import Store

    path = tmp_path / "old.db"
    db.build_schema(path, "0002_ticket_resolution_basis")
    con = sqlite3.connect(path)
    con.execute("INSERT INTO kpi (name, description, category, unit, direction, target_period, owner, leading, "
                "level, data_source, measurement_method, value_source, metric, segment, formula, created_at) "
                "VALUES ('MTTR', '', 'service desk', 'hours', 'lower', '', 'Dana', 0, 'individual', '', '', "
                "'computed', 'mttr_hours', '', '', '2026-11-01 00:00:00')")
    con.commit()
    con.close()
    with Store.open(path) as store:
        assert store.schema_revision() == head_revision()
        assert store.migration_backup and "before-migration" in store.migration_backup
        assert [k.name for k in store.list_kpis()] == ["MTTR"]
        from kpidesk.db_inspect import inspect_file

        state = inspect_file(path)
    assert state.schema == () and state.integrity == ()
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT count(*) FROM annotation").fetchone() == (0,)
    finally:
        con.close()


def test_the_head_read_from_the_files_is_alembics():
    """Opening a database reads the head from the migration files as text (no alembic import at start);
    it must be the revision graph alembic itself walks."""
    from alembic.script import ScriptDirectory

    from kpidesk.database import MIGRATIONS_DIR, _revision_graph, head_revision, known_revisions

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    assert head_revision() == script.get_current_head()
    assert known_revisions() == {s.revision for s in script.walk_revisions()}
    assert _revision_graph() == {s.revision: s.down_revision for s in script.walk_revisions()}
