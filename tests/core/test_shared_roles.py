"""Who may do what in a shared database, proved by the server (issue 18, item 5): each test connects
as a manager, an HR officer or an admin of a demo department on a real PostgreSQL server and shows
what that login can and cannot read or write."""
from __future__ import annotations

import uuid
from urllib.parse import quote

import psycopg
import pytest

from kpidesk import copying
from kpidesk.cli import run as cli_run
from kpidesk.shared_access import roles_for
from kpidesk.store import Store


@pytest.fixture
def department(pg_url, _demo_db, capsys):
    """The demo department on the server with row security on, a manager of the Service Desk, an HR
    officer and an admin; (url, logins). The roles are dropped afterwards (they are server-wide)."""
    copying.copy_database(_demo_db, pg_url)
    assert cli_run(["--db", pg_url, "shared", "init"]) == 0
    tag = uuid.uuid4().hex[:8]
    logins = {"manager": f"mgr_{tag}", "hr": f"hr_{tag}", "admin": f"adm_{tag}", "other": f"mgr2_{tag}"}
    assert cli_run(["--db", pg_url, "shared", "grant", logins["manager"], "--role", "manager",
                    "--team", "Service Desk"]) == 0
    assert cli_run(["--db", pg_url, "shared", "grant", logins["other"], "--role", "manager",
                    "--team", "Infrastructure & Security"]) == 0
    assert cli_run(["--db", pg_url, "shared", "grant", logins["hr"], "--role", "hr"]) == 0
    assert cli_run(["--db", pg_url, "shared", "grant", logins["admin"], "--role", "admin"]) == 0
    capsys.readouterr()
    yield pg_url, logins
    with psycopg.connect(pg_url, autocommit=True) as con:
        db = con.execute("SELECT current_database()").fetchone()[0]
        groups = roles_for(db)
        con.execute(f'DROP OWNED BY "{groups.admin}", "{groups.manager}", "{groups.hr}"')
        for role in (*logins.values(), groups.admin, groups.manager, groups.hr):
            con.execute(f'DROP ROLE IF EXISTS "{role}"')


def connect_as(url: str, login: str) -> psycopg.Connection:
    """A connection whose every statement runs as `login` (the test server lets its superuser take
    any role; a real login would sign in with its own password)."""
    con = psycopg.connect(url, autocommit=True)
    con.execute(f'SET ROLE "{login}"')
    return con


def people_of(url: str, team: str) -> set[int]:
    with psycopg.connect(url) as con:
        return {r[0] for r in con.execute("SELECT t.id FROM technician t JOIN team m ON m.id = t.team_id "
                                          "WHERE m.name = %s", (team,))}


def test_a_manager_sees_and_changes_only_the_people_of_their_teams(department):
    url, logins = department
    mine, theirs = people_of(url, "Service Desk"), people_of(url, "Infrastructure & Security")
    assert mine and theirs
    with psycopg.connect(url) as con:
        tickets = con.execute("SELECT count(*) FROM ticket").fetchone()[0]
    with connect_as(url, logins["manager"]) as con:
        assert {r[0] for r in con.execute("SELECT id FROM technician")} == mine
        assert [r[0] for r in con.execute("SELECT name FROM team")] == ["Service Desk"]
        seen = {r[0] for r in con.execute("SELECT technician_id FROM check_in")}
        assert seen and seen <= mine
        keys = {r[0] for r in con.execute("SELECT DISTINCT scope_key FROM measurement WHERE scope_key LIKE 'technician:%'")}
        assert keys and {int(k.split(":")[1]) for k in keys} <= mine
        # The tickets stay whole: the desk's numbers rest on every one of them.
        assert con.execute("SELECT count(*) FROM ticket").fetchone()[0] == tickets
        # Writing about someone else's person is refused by the server.
        other = min(theirs)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            con.execute("INSERT INTO check_in (technician_id, period, version, status, step, data_json, "
                        "manager_name, technician_ack_name, created_at, updated_at) "
                        "VALUES (%s, '2030-Q1', 1, 'draft', 0, '{}', '', '', now(), now())", (other,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            con.execute("UPDATE technician SET team_id = (SELECT team_id FROM technician WHERE id = %s) "
                        "WHERE id = %s", (other, min(mine)))
        # Their own people: a new draft goes through.
        con.execute("INSERT INTO check_in (technician_id, period, version, status, step, data_json, manager_name, "
                    "technician_ack_name, created_at, updated_at) "
                    "VALUES (%s, '2030-Q1', 1, 'draft', 0, '{}', '', '', now(), now())", (min(mine),))
        # An update of someone unseen changes nothing (the row is not there for them).
        assert con.execute("UPDATE check_in SET manager_name = 'x' WHERE technician_id = %s", (other,)).rowcount == 0
    with psycopg.connect(url) as con:
        assert con.execute("SELECT count(*) FROM check_in WHERE manager_name = 'x'").fetchone()[0] == 0


def test_the_other_manager_sees_the_other_team_only(department):
    url, logins = department
    with connect_as(url, logins["other"]) as con:
        assert {r[0] for r in con.execute("SELECT id FROM technician")} == people_of(url, "Infrastructure & Security")
        assert [r[0] for r in con.execute("SELECT team_id FROM kpidesk_access.team_manager")] == \
            [r[0] for r in con.execute("SELECT id FROM team")]  # only their own line of the mapping


def test_hr_reads_signed_check_ins_and_nothing_else(department):
    url, logins = department
    with psycopg.connect(url) as con:
        signed = con.execute("SELECT count(*) FROM check_in WHERE manager_signed_at IS NOT NULL").fetchone()[0]
        drafts = con.execute("SELECT count(*) FROM check_in WHERE manager_signed_at IS NULL").fetchone()[0]
    assert signed and drafts  # the demo has both
    with connect_as(url, logins["hr"]) as con:
        assert con.execute("SELECT count(*) FROM check_in").fetchone()[0] == signed
        assert con.execute("SELECT count(*) FROM check_in WHERE manager_signed_at IS NULL").fetchone()[0] == 0
        named = {r[0] for r in con.execute("SELECT id FROM technician")}
        assert named == {r[0] for r in con.execute("SELECT technician_id FROM check_in")}
        for table in ("ticket", "performance_note", "self_assessment", "measurement", "review", "kpi"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(f"SELECT 1 FROM {table} LIMIT 1")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("UPDATE check_in SET overall_rating = 5")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("DELETE FROM check_in")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("SELECT * FROM kpidesk_access.team_manager")


def test_an_admin_sees_everyone_and_the_app_as_a_manager_sees_their_people(department):
    url, logins = department
    with psycopg.connect(url) as con:
        everyone = con.execute("SELECT count(*) FROM technician").fetchone()[0]
        check_ins = con.execute("SELECT count(*) FROM check_in").fetchone()[0]
    with connect_as(url, logins["admin"]) as con:
        assert con.execute("SELECT count(*) FROM technician").fetchone()[0] == everyone
        assert con.execute("SELECT count(*) FROM check_in").fetchone()[0] == check_ins
    # The app itself, signed in as the manager: the core's own reads are what the server lets through.
    as_manager = url + ("&" if "?" in url else "?") + "options=" + quote(f"-c role={logins['manager']}")
    with Store.open(as_manager) as store:
        names = {t.id for t in store.list_technicians()}
    assert names == people_of(url, "Service Desk")


def test_grant_refuses_an_unknown_team_and_changes_nothing(department, capsys):
    url, _logins = department
    login = f"nobody_{uuid.uuid4().hex[:8]}"
    assert cli_run(["--db", url, "shared", "grant", login, "--role", "manager", "--team", "Help Desk"]) == 1
    assert "no team named 'Help Desk'" in capsys.readouterr().err
    with psycopg.connect(url) as con:
        assert con.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", (login,)).fetchone()[0] == 0
    assert cli_run(["--db", url, "shared", "grant", login, "--role", "hr", "--team", "Service Desk"]) == 2
    assert cli_run(["--db", url, "shared", "init"]) == 0  # again: the same roles, the same rules


def test_shared_commands_need_a_shared_database(db_path, capsys):
    assert cli_run(["--db", str(db_path), "shared", "init"]) == 2
    assert "postgresql://" in capsys.readouterr().err
