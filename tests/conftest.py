"""Shared fixtures. Qt runs offscreen (CI has no display); every test gets its own data folder so
nothing touches the user's real database."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import contextlib  # noqa: E402
import uuid  # noqa: E402

import pytest  # noqa: E402

from kpidesk.store import Store  # noqa: E402
from main import register_qt_services  # noqa: E402

# The app's entry point hands the core its Qt PDF renderer; tests drive the core the same way.
register_qt_services()


# ---------------------------------------------------------------- the backend under test (issue 18)
# `pytest --backend postgres` (or KPIDESK_TEST_BACKEND=postgres) runs every test that takes its database
# from the `store` or `demo_store` fixture against a new database on a PostgreSQL server instead of a
# file. The tests that never touch a database through those fixtures run the same on both backends and
# are deselected there (they ran in the SQLite run); so are the file's own tests (those asking for
# db_path or a file, and those marked sqlite_only with why), and the tests of the shared database itself,
# which always run against the server.
BACKEND_FIXTURES = {"store", "demo_store"}
FILE_FIXTURES = {"db_path", "_demo_db", "pg_url", "pg_server"}


def pytest_addoption(parser):
    parser.addoption("--backend", choices=("sqlite", "postgres"),
                     default=os.environ.get("KPIDESK_TEST_BACKEND", "sqlite"),
                     help="the database the store and demo_store fixtures open (default sqlite)")


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only(why): a test of the database file itself, not run "
                                       "with --backend postgres")


def pytest_report_header(config):
    return f"kpidesk backend: {config.getoption('backend')}"


def _on_server(config) -> bool:
    return config.getoption("backend") == "postgres"


def pytest_collection_modifyitems(config, items):
    if not _on_server(config):
        return
    keep, drop = [], []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        on_server = (names & BACKEND_FIXTURES and not names & FILE_FIXTURES
                     and item.get_closest_marker("sqlite_only") is None)
        (keep if on_server else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
    items[:] = keep


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("kpidesk-home")
    monkeypatch.setenv("KPIDESK_HOME", str(home))
    monkeypatch.delenv("KPIDESK_DB", raising=False)
    yield home


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory) -> Path:
    """An empty, migrated database built once per run and copied for each test (migrations are
    the slow part of opening a new file)."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    Store.open(path).close()
    return path


@pytest.fixture
def db_path(tmp_path, _template_db) -> Path:
    dest = tmp_path / "kpidesk.db"
    shutil.copy(_template_db, dest)
    return dest


@pytest.fixture
def store(request):
    """An empty, migrated database: a file, or with --backend postgres a new database on the test
    server (each test its own, made from a template)."""
    if _on_server(request.config):
        with _server_copy(request, "_pg_empty_template") as s:
            yield s
        return
    s = Store.open(request.getfixturevalue("db_path"))
    yield s
    s.close()


# The demo year ends here in every test, so period keys in assertions do not move with the calendar.
DEMO_TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="session")
def _demo_db(tmp_path_factory) -> Path:
    from kpidesk.demo import create_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Store.open(path) as s:
        create_demo(s, seed=7, today=DEMO_TODAY)
    return path


@pytest.fixture
def demo_store(request, tmp_path):
    """A copy of the demo database (built once per run), on a file or, with --backend postgres, on
    the test server."""
    if _on_server(request.config):
        with _server_copy(request, "_pg_demo_template") as s:
            yield s
        return
    dest = tmp_path / "demo.db"
    shutil.copy(request.getfixturevalue("_demo_db"), dest)
    s = Store.open(dest)
    yield s
    s.close()


# ---------------------------------------------------------------- a PostgreSQL server (issue 18)

def _pg_server() -> str | None:
    """The maintenance database URL of the test server (KPIDESK_TEST_PG, which .ci/run sets from
    .ci/postgres.sh), else the local default socket; None when no server answers."""
    import psycopg

    url = os.environ.get("KPIDESK_TEST_PG") or "postgresql:///postgres"
    try:
        psycopg.connect(url, connect_timeout=3, autocommit=True).close()
    except psycopg.Error:
        return None
    return url


@pytest.fixture(scope="session")
def pg_server(request) -> str:
    url = _pg_server()
    if url is None:
        # --backend postgres asked for the server: every test skipped would read as a pass
        if os.environ.get("KPIDESK_TEST_PG_REQUIRED") or _on_server(request.config):
            pytest.fail(f"no PostgreSQL server at {os.environ.get('KPIDESK_TEST_PG')} (KPIDESK_TEST_PG_REQUIRED)")
        pytest.skip("no PostgreSQL server (start one with .ci/postgres.sh and set KPIDESK_TEST_PG)")
    return url


@pytest.fixture
def pg_url(pg_server):
    """A new, empty database on the test server, as the postgresql:// URL a user would give;
    dropped afterwards."""
    with _new_database(pg_server) as url:
        yield url


def _database_url(server: str, name: str) -> str:
    base, _, query = server.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")


@contextlib.contextmanager
def _new_database(server: str, template: str | None = None):
    """A new database on `server` (a copy of `template` if given), its URL; dropped afterwards."""
    import psycopg

    name = f"kpidesk_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield _database_url(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _pg_empty_template(pg_server):
    """An empty, migrated database on the server, built once; each test's `store` is a copy."""
    with _new_database(pg_server) as url:
        Store.open(url).close()
        yield url.rsplit("/", 1)[1].partition("?")[0]


@pytest.fixture(scope="session")
def _pg_demo_template(pg_server, _demo_db):
    """The demo database copied to the server once (kpidesk.copying); each `demo_store` is a copy."""
    from kpidesk import copying

    with _new_database(pg_server) as url:
        copying.copy_database(_demo_db, url)
        yield url.rsplit("/", 1)[1].partition("?")[0]


@contextlib.contextmanager
def _server_copy(request, template_fixture: str):
    server = request.getfixturevalue("pg_server")
    template = request.getfixturevalue(template_fixture)
    with _new_database(server, template) as url:
        s = Store.open(url)
        try:
            yield s
        finally:
            s.close()


SHARED_HEAD = ["Number", "Opened", "Resolved", "Priority", "Assigned to", "Type"]
SHARED_ROWS = [  # Alex, Priya (team 1) and Marcus (team 2) share tickets; one stays open, one is bad data
    ["SH1", "2026-09-02 09:00", "2026-09-02 13:30", "P2", "Alex Morgan; Marcus Reid", "Incident"],
    ["SH2", "2026-09-14 08:00", "2026-09-16 08:00", "P3", "Alex Morgan; Priya Shah; Marcus Reid", "Request"],
    ["SH3", "2026-10-01 10:00", "", "P1", "Priya Shah; Sofia Alvarez", "Incident"],
    ["SH4", "2026-10-20 10:00", "2026-10-19 10:00", "P4", "Ken Watanabe; Tom Becker", "Request"],
]


@pytest.fixture
def both(demo_store, pg_url, tmp_path):
    """(the file's store, the server's store): the demo department with shared tickets added, on a
    file and copied as it is to a new database on the server (kpidesk.copying)."""
    from kpidesk import copying
    from kpidesk.importing import tickets_import
    from tests.import_samples import write_csv

    report = tickets_import.run(demo_store, write_csv(tmp_path / "shared.csv", SHARED_HEAD, SHARED_ROWS))
    assert report.created == len(SHARED_ROWS) and not report.new_technicians
    copying.copy_database(demo_store.path, pg_url)
    with Store.open(pg_url) as shared:
        yield demo_store, shared
