"""Backup rotation, preview and restore, including over a damaged file."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk import backups
from kpidesk.store import Store

pytestmark = pytest.mark.sqlite_only("backups of the database file")


def test_daily_backup_at_most_once_a_day_and_pruned(store):
    now = dt.datetime(2026, 11, 1, 9, 0)
    first = backups.auto_backup(store.path, keep=3, now=now)
    assert first is not None
    assert backups.auto_backup(store.path, keep=3, now=now + dt.timedelta(hours=5)) is None
    for _ in range(5):
        store.backup(reason="daily")
    assert len(backups.list_backups(store.path)) == 6
    backups.prune(store.path, keep=3)
    assert len(backups.list_backups(store.path)) == 3


def test_preview_counts(demo_store):
    b = demo_store.backup(reason="manual")
    pv = backups.preview(b)
    assert pv.ok and pv.counts["technicians"] == 8 and pv.counts["tickets"] > 2000


def test_restore_over_a_damaged_file_keeps_it_aside(db_path):
    with Store.open(db_path) as s:
        s.create_objective("good")
        good = s.backup(reason="manual")
    data = bytearray(db_path.read_bytes())
    data[4096:4096 * 4] = b"\xa5" * (4096 * 3)
    db_path.write_bytes(bytes(data))
    aside = backups.restore(db_path, good)
    assert aside.exists() and aside.read_bytes() == bytes(data)
    with Store.open(db_path) as s:
        assert [o.name for o in s.list_objectives()] == ["good"]
