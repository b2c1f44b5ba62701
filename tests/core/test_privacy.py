"""Issue 7 item 7: HR records stay on the machine. No network connection during a whole
import-metrics-check-in-export run, and the database and its backups are private files."""
from __future__ import annotations

import socket
import stat

import pytest

from kpidesk.selftest import run_selftest


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open an internet socket, resolve a name or connect fails the test."""
    attempts: list[str] = []
    real_socket = socket.socket

    class GuardedSocket(real_socket):
        def __init__(self, family=socket.AF_INET, *args, **kwargs):
            if family in (socket.AF_INET, socket.AF_INET6):
                attempts.append(f"socket(family={family})")
                raise OSError("network access attempted during an offline run")
            super().__init__(family, *args, **kwargs)

    def refuse(*args, **kwargs):
        attempts.append(f"resolve/connect {args[:1]}")
        raise OSError("network access attempted during an offline run")

    monkeypatch.setattr(socket, "socket", GuardedSocket)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts
    assert attempts == [], f"the app tried to use the network: {attempts}"


def test_full_run_opens_no_network_socket(no_network, capsys):
    assert run_selftest() == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "imported 240 tickets" in out and "exported" in out and "passed" in out
    # The guard itself works (otherwise this test could not fail).
    with pytest.raises(OSError):
        socket.create_connection(("example.org", 80))
    no_network.clear()


@pytest.mark.sqlite_only("the database file's permissions")
def test_database_and_backups_are_private(store):
    backup = store.backup(reason="manual")
    for path in (store.path, backup):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(backup.parent.stat().st_mode) == 0o700


def test_data_folder_is_created_private(tmp_path, monkeypatch):
    from kpidesk.database import data_dir

    monkeypatch.setenv("KPIDESK_HOME", str(tmp_path / "fresh" / "kpidesk"))
    assert stat.S_IMODE(data_dir().stat().st_mode) == 0o700
