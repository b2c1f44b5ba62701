"""Edges of the stored recompute (kpidesk/metrics/recompute.py, issue 20): which KPIs are recomputed
(computed ones from a ticket metric only), by which period lengths (the KPI's cadence and month), in
which segment (MTTR P1 in P1 only), the values removed when the tickets no longer support them, the
values entered by hand or imported that stay, `today` and `since` (the periods from a date on,
the earlier ones kept), the progress it reports, a cancel that leaves the stored values as they
were, forget_computed, and the work it does: one pass per split for only the metrics and segments
its KPIs need, and (with `since`) the recent tickets read by tier, once for the unsplit and P1-P4
passes of the same periods. Three hand-made tickets (values worked out by hand), the whole
measurement table compared after each step.

  A  Ann, P1   2026-01-05 00:00 -> 02:00   2 h   January, 2026-W02 (Mon 01-05)
  B  Ann, P3   2026-01-12 00:00 -> 10:00  10 h   January, 2026-W03 (Mon 01-12)
  C  Bob, P3   2026-02-10 00:00 -> 20:00  20 h   February, 2026-W07 (Mon 02-09)

Ann and Bob are team Desk; Cy (team Infra) has no ticket, so neither has a value. MTTR: January
(2 + 10) / 2 = 6 of 2 for Ann, Desk and the desk; February 20 of 1 for Bob, Desk and the desk.
P1 alone: January 2 of 1. Resolved tickets: January 2, February 1. No P2 ticket: no P2 value.
"""
from __future__ import annotations

import datetime as dt

import pytest

import kpidesk.metrics.recompute as recompute_module
from kpidesk.errors import Cancelled
from kpidesk.metrics import sql_since
from kpidesk.metrics.incremental import SinceReader
from kpidesk.metrics.recompute import computed_kpis, forget_computed, recompute, stored_granularities
from kpidesk.metrics.sql import connection
from kpidesk.records import Changes, KpiRecord, MeasurementRecord
from tests.core.metrics_tickets import add_tickets, people, ticket
from tests.import_samples import rows_of

ANN_DESK = ("Ann", "Desk", "desk")
BOB_DESK = ("Bob", "Desk", "desk")


def kpi(store, name, metric="mttr_hours", unit="hours", direction="lower", source="computed", **more):
    return store.create_kpi(KpiRecord(name=name, unit=unit, direction=direction, value_source=source,
                                      metric=metric, **more))[0]


class Desk:
    """The store, the people's ids and the KPIs of one test."""

    def __init__(self, store):
        self.store = store
        self.ids = people(store)
        add_tickets(store, [
            ticket("2026-01-05 00:00", "2026-01-05 02:00", tech=self.ids["Ann"], tier=1, external_id="A"),
            ticket("2026-01-12 00:00", "2026-01-12 10:00", tech=self.ids["Ann"], tier=3, external_id="B"),
            ticket("2026-02-10 00:00", "2026-02-10 20:00", tech=self.ids["Bob"], tier=3, external_id="C"),
        ])
        self.mttr = kpi(store, "MTTR", cadence="monthly")
        self.weekly = kpi(store, "MTTR weekly", cadence="weekly")
        self.p1 = kpi(store, "MTTR P1", segment="P1")
        self.p2 = kpi(store, "MTTR P2", segment="P2")
        self.resolved = kpi(store, "Resolved", metric="resolved_count", unit="tickets", direction="higher",
                            cadence="monthly")
        # an entered KPI that still names a ticket metric (it was computed once), and a plain one
        self.entered = kpi(store, "Entered", source="entered")
        self.uptime = kpi(store, "Uptime", metric="", unit="%", direction="higher", source="entered")
        store.add_measurements([
            MeasurementRecord(self.mttr.id, "desk", "2026-03", 99.0, source="manual"),
            MeasurementRecord(self.weekly.id, "desk", "2026-W10", 7.5, count=4, source="imported"),
            MeasurementRecord(self.entered.id, "desk", "2026-01", 3.0, source="manual"),
            MeasurementRecord(self.uptime.id, "desk", "2026-02", 99.5, source="manual"),
        ])
        self.names = {k.id: k.name for k in store.list_kpis()}
        self.who = {"desk": "desk"} | {f"technician:{self.ids[n]}": n for n in ("Ann", "Bob", "Cy")} \
            | {f"team:{self.ids[n]}": n for n in ("Desk", "Infra")}

    def stored(self):
        """{(KPI, who, period, segment): (value, count, source)} of the whole measurement table."""
        with connection(self.store) as con:
            rows = con.execute("SELECT kpi_id, scope_key, period, segment, value, count, source FROM measurement")
            return {(self.names[k], self.who[s], p, seg): (v, n, src) for k, s, p, seg, v, n, src in rows}

    def change_tickets(self):
        """C goes; D (Ann, P1, 2026-01-20 00:00 -> 09:00, 9 h, W04) and E (Ann, P1, 2026-02-11
        00:00 -> 06:00, 6 h, W07) come."""
        with self.store.raw_write(shared_ok=True) as con:
            con.execute("DELETE FROM ticket WHERE external_id = 'C'")
        add_tickets(self.store, [
            ticket("2026-01-20 00:00", "2026-01-20 09:00", tech=self.ids["Ann"], tier=1, external_id="D"),
            ticket("2026-02-11 00:00", "2026-02-11 06:00", tech=self.ids["Ann"], tier=1, external_id="E"),
        ])


@pytest.fixture
def desk(store):
    return Desk(store)


def values(kpi_name, period, value, count, who=ANN_DESK, segment=""):
    return {(kpi_name, w, period, segment): (value, count, "computed") for w in who}


# What stays whatever is recomputed: the values entered by hand or imported.
ENTERED = {("MTTR", "desk", "2026-03", ""): (99.0, None, "manual"),
           ("MTTR weekly", "desk", "2026-W10", ""): (7.5, 4, "imported"),
           ("Entered", "desk", "2026-01", ""): (3.0, None, "manual"),
           ("Uptime", "desk", "2026-02", ""): (99.5, None, "manual")}

# A full recompute of A, B and C.
FULL = {
    **values("MTTR", "2026-01", 6.0, 2), **values("MTTR", "2026-02", 20.0, 1, BOB_DESK),
    **values("MTTR weekly", "2026-01", 6.0, 2), **values("MTTR weekly", "2026-02", 20.0, 1, BOB_DESK),
    **values("MTTR weekly", "2026-W02", 2.0, 1), **values("MTTR weekly", "2026-W03", 10.0, 1),
    **values("MTTR weekly", "2026-W07", 20.0, 1, BOB_DESK),
    **values("MTTR P1", "2026-01", 2.0, 1, segment="P1"),
    **values("Resolved", "2026-01", 2.0, 2), **values("Resolved", "2026-02", 1.0, 1, BOB_DESK),
    **ENTERED,
}


class Recorder:
    """A progress that records what it is told and says 'cancelled' at its `cancel_at`-th check."""

    def __init__(self, cancel_at: int | None = None) -> None:
        self.calls: list[object] = []
        self.checks = 0
        self.cancel_at = cancel_at

    def set_status(self, text: str) -> None:
        self.calls.append(text)

    def set_progress(self, done: int, total: int) -> None:
        self.calls.append((done, total))

    def cancelled(self) -> bool:
        self.checks += 1
        return self.checks == self.cancel_at


# Two jobs, one pass each: the P1/P2 KPIs by priority (sorted first), the others unsplit.
def progress_calls(saved: int) -> list[object]:
    return ["Computing mttr_hours by priority", (0, 2), "Computing mttr_hours, resolved_count", (1, 2),
            f"Saving {saved} values", (2, 2)]


def test_only_computed_kpis_of_a_ticket_metric_are_recomputed(desk):
    assert [k.name for k in computed_kpis(desk.store)] == ["MTTR", "MTTR P1", "MTTR P2", "MTTR weekly", "Resolved"]
    assert stored_granularities(desk.mttr) == {"month"}
    assert stored_granularities(desk.weekly) == {"week", "month"}
    assert stored_granularities(desk.p1) == {"month"}  # no cadence: by month
    assert stored_granularities(KpiRecord(name="Q", cadence="quarterly")) == {"quarter", "month"}
    assert stored_granularities(KpiRecord(name="D", cadence="daily")) == {"week", "month"}


def test_a_full_recompute_stores_each_kpi_by_its_cadence_and_month_in_its_segment(desk):
    before = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(seconds=1)
    assert recompute(desk.store) == Changes(measurements=True)
    assert desk.stored() == FULL
    starts = dict(rows_of(desk.store, "SELECT period, period_start FROM measurement WHERE source = 'computed'"))
    stamps = [r[0] for r in rows_of(desk.store, "SELECT recorded_at FROM measurement WHERE source = 'computed'")]
    assert starts == {"2026-01": "2026-01-01", "2026-02": "2026-02-01", "2026-W02": "2026-01-05",
                      "2026-W03": "2026-01-12", "2026-W07": "2026-02-09"}
    assert len(stamps) == 30 and all(s >= before.strftime("%Y-%m-%d %H:%M:%S") for s in stamps)
    assert recompute(desk.store) == Changes(measurements=True)  # again: the same rows, no duplicates
    assert desk.stored() == FULL


def test_values_the_tickets_no_longer_support_go_and_entered_ones_stay(desk):
    recompute(desk.store)
    desk.change_tickets()
    assert recompute(desk.store) == Changes(measurements=True)
    # January: A 2, B 10, D 9 -> 21 / 3 = 7 of 3 (Ann's); P1: (2 + 9) / 2 = 5.5. February: E 6 h,
    # Ann's now; Bob has nothing left.
    assert desk.stored() == {
        **values("MTTR", "2026-01", 7.0, 3), **values("MTTR", "2026-02", 6.0, 1),
        **values("MTTR weekly", "2026-01", 7.0, 3), **values("MTTR weekly", "2026-02", 6.0, 1),
        **values("MTTR weekly", "2026-W02", 2.0, 1), **values("MTTR weekly", "2026-W03", 10.0, 1),
        **values("MTTR weekly", "2026-W04", 9.0, 1), **values("MTTR weekly", "2026-W07", 6.0, 1),
        **values("MTTR P1", "2026-01", 5.5, 2, segment="P1"), **values("MTTR P1", "2026-02", 6.0, 1, segment="P1"),
        **values("Resolved", "2026-01", 3.0, 3), **values("Resolved", "2026-02", 1.0, 1),
        **ENTERED,
    }


def test_without_tickets_every_computed_value_goes(store):
    k = kpi(store, "MTTR", cadence="monthly")
    store.add_measurements([MeasurementRecord(k.id, "desk", "2026-01", 5.0, count=2, source="computed"),
                            MeasurementRecord(k.id, "desk", "2026-02", 8.0, source="manual")])
    assert recompute(store) == Changes(measurements=True)
    assert [(m.period, m.value, m.source) for m in store.list_measurements(k.id)] == [("2026-02", 8.0, "manual")]


def test_no_computed_kpi_changes_nothing(store):
    k = kpi(store, "Entered", source="entered")
    store.add_measurements([MeasurementRecord(k.id, "desk", "2026-01", 5.0, source="computed")])
    assert recompute(store) == Changes()
    assert [(m.period, m.value) for m in store.list_measurements(k.id)] == [("2026-01", 5.0)]


def test_today_ends_the_periods(desk):
    recompute(desk.store, today=dt.date(2026, 1, 31))  # C (February) is after it
    assert desk.stored() == {key: v for key, v in FULL.items() if key[2] in ("2026-01", "2026-W02", "2026-W03")
                             or v[2] != "computed"}


def test_tickets_of_one_day_are_recomputed(store):
    ids = people(store)
    add_tickets(store, [ticket("2026-03-04 08:00", "2026-03-04 11:00", tech=ids["Ann"], tier=1)])
    k = kpi(store, "MTTR", cadence="weekly")
    recompute(store)
    got = {(m.scope_key, m.period): (m.value, m.count) for m in store.list_measurements(k.id)}
    assert got == {(s, p): (3.0, 1) for s in ("desk", f"team:{ids['Desk']}", f"technician:{ids['Ann']}")
                   for p in ("2026-03", "2026-W10")}


def test_the_kpis_given_are_recomputed_alone(desk):
    assert recompute(desk.store, kpi_ids=[desk.p1.id]) == Changes(measurements=True)
    assert desk.stored() == {**values("MTTR P1", "2026-01", 2.0, 1, segment="P1"), **ENTERED}
    assert recompute(desk.store, kpi_ids=[]) == Changes()


def test_since_recomputes_the_periods_from_that_date_and_keeps_the_earlier_ones(desk):
    recompute(desk.store)
    desk.change_tickets()
    before = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(seconds=1)
    progress = Recorder()
    # Sunday 2026-02-01: February and the weeks from 2026-W05 (01-26 .. 02-01) again, from E alone
    # (C is gone); January, 2026-W02..W03 as they were (D, in January and W04, is not seen).
    assert recompute(desk.store, progress, since=dt.date(2026, 2, 1)) == Changes(measurements=True)
    assert desk.stored() == {
        **values("MTTR", "2026-01", 6.0, 2), **values("MTTR", "2026-02", 6.0, 1),
        **values("MTTR weekly", "2026-01", 6.0, 2), **values("MTTR weekly", "2026-02", 6.0, 1),
        **values("MTTR weekly", "2026-W02", 2.0, 1), **values("MTTR weekly", "2026-W03", 10.0, 1),
        **values("MTTR weekly", "2026-W07", 6.0, 1),
        **values("MTTR P1", "2026-01", 2.0, 1, segment="P1"), **values("MTTR P1", "2026-02", 6.0, 1, segment="P1"),
        **values("Resolved", "2026-01", 2.0, 2), **values("Resolved", "2026-02", 1.0, 1),
        **ENTERED,
    }
    assert progress.calls == progress_calls(15)
    stamps = [r[0] for r in rows_of(desk.store, "SELECT recorded_at FROM measurement WHERE source = 'computed' "
                                                "AND period IN ('2026-02', '2026-W07')")]
    assert len(stamps) == 15 and all(s and s >= before.strftime("%Y-%m-%d %H:%M:%S") for s in stamps)


def test_since_a_date_before_the_tickets_recomputes_them_all(desk):
    recompute(desk.store)
    desk.change_tickets()
    recompute(desk.store, since=dt.date(2025, 12, 1))
    recompute_full = desk.stored()
    recompute(desk.store)
    assert desk.stored() == recompute_full


def test_since_a_date_after_the_tickets_removes_the_later_values(desk):
    recompute(desk.store)
    recompute(desk.store, since=dt.date(2026, 2, 9))  # 2026-W07 and February: C's again
    assert desk.stored() == FULL
    assert recompute(desk.store, since=dt.date(2026, 2, 11)) == Changes(measurements=True)  # after C
    # February and 2026-W07 go (nothing after C is computed), January stays
    assert desk.stored() == {key: v for key, v in FULL.items() if key[2] not in ("2026-02", "2026-W07")
                             or v[2] != "computed"}


def test_progress_of_a_full_recompute(desk):
    progress = Recorder()
    recompute(desk.store, progress)
    assert progress.calls == progress_calls(30)
    assert progress.checks == 3


def test_progress_when_today_is_before_every_ticket(desk):
    recompute(desk.store)
    progress = Recorder()
    recompute(desk.store, progress, today=dt.date(2025, 12, 31))  # no period: every computed value goes
    assert progress.calls == progress_calls(0)
    assert desk.stored() == ENTERED


@pytest.mark.parametrize("cancel_at", [1, 2, 3])
@pytest.mark.parametrize("since", [None, dt.date(2026, 2, 1)])
def test_a_cancel_leaves_the_stored_values_as_they_were(desk, cancel_at, since):
    recompute(desk.store)
    desk.change_tickets()
    progress = Recorder(cancel_at)
    with pytest.raises(Cancelled):
        recompute(desk.store, progress, since=since)
    assert desk.stored() == FULL
    assert progress.calls == progress_calls(0)[:2 * (cancel_at - 1)]


def test_forget_computed_removes_one_kpis_computed_values_only(desk):
    recompute(desk.store)
    assert forget_computed(desk.store, desk.weekly.id) == Changes(measurements=True)
    assert desk.stored() == {key: v for key, v in FULL.items() if key[0] != "MTTR weekly" or v[2] != "computed"}
    assert forget_computed(desk.store, desk.uptime.id) == Changes(measurements=True)  # nothing computed: all stays
    assert desk.stored() == {key: v for key, v in FULL.items() if key[0] != "MTTR weekly" or v[2] != "computed"}


class Passes:
    """Records the passes over the tickets (compute_many, compute_since) and the reads of the recent
    tickets (sql_since.recent_rows), then does them."""

    def __init__(self, monkeypatch, store):
        self.store, self.full, self.since, self.reads = store, [], [], []
        for name, log in (("compute_many", self.full), ("compute_since", self.since)):
            monkeypatch.setattr(recompute_module, name, self._spy(getattr(recompute_module, name), log))
        real_read = sql_since.recent_rows

        def read(con, start, split, by="technician"):
            self.reads.append((start, split, by))
            return real_read(con, start, split, by=by)

        monkeypatch.setattr(sql_since, "recent_rows", read)

    def _spy(self, real, log):
        def spy(store, granularities, first, last, **more):
            assert store is self.store
            log.append((granularities, first, last, more))
            return real(store, granularities, first, last, **more)
        return spy


def test_a_full_recompute_is_one_pass_per_split_for_its_kpis_metrics_and_segments(desk, monkeypatch):
    passes = Passes(monkeypatch, desk.store)
    recompute(desk.store)
    first, last = dt.date(2026, 1, 5), dt.date(2026, 2, 10)  # A's creation, C's resolution
    assert passes.full == [
        (["month"], first, last, {"split": "priority", "metrics": {"mttr_hours"}, "segments": {"P1", "P2"}}),
        (["month", "week"], first, last, {"split": None, "metrics": {"mttr_hours", "resolved_count"},
                                          "segments": None}),
    ]
    assert passes.since == [] and passes.reads == []


def test_since_is_one_read_of_the_recent_tickets_by_tier_for_the_unsplit_and_p1_passes(desk, monkeypatch):
    recompute(desk.store)
    desk.change_tickets()
    passes = Passes(monkeypatch, desk.store)
    recompute(desk.store, since=dt.date(2026, 2, 1))
    first, last = dt.date(2026, 2, 1), dt.date(2026, 2, 11)  # since, E's resolution
    readers = [more.pop("reader") for *_, more in passes.since]
    assert passes.since == [
        (["month"], first, last, {"split": "priority", "metrics": {"mttr_hours"}, "segments": {"P1", "P2"}}),
        (["month", "week"], first, last, {"split": None, "metrics": {"mttr_hours", "resolved_count"},
                                          "segments": None}),
    ]
    assert isinstance(readers[0], SinceReader) and readers[1] is readers[0] and readers[0].by_tier
    # by tier for both passes: from February 1 for the months of P1, from Monday 2026-01-26 (the start
    # of 2026-W05, the earliest period holding `since`) for the weeks and months of the unsplit KPIs
    assert passes.reads == [(dt.date(2026, 2, 1), "priority", "technician"),
                            (dt.date(2026, 1, 26), "priority", "technician")]
    assert passes.full == []


def test_since_reads_the_recent_tickets_once_for_unsplit_and_p1_kpis_of_the_same_periods(desk, monkeypatch):
    recompute(desk.store)
    desk.change_tickets()
    passes = Passes(monkeypatch, desk.store)
    recompute(desk.store, since=dt.date(2026, 2, 1), kpi_ids=[desk.mttr.id, desk.p1.id])  # both by month
    assert passes.reads == [(dt.date(2026, 2, 1), "priority", "technician")]
    assert [(more["split"], more["reader"].by_tier) for *_, more in passes.since] == [("priority", True), (None, True)]
    # February again from E alone (C gone, D in January not seen); the other KPIs as they were
    assert desk.stored() == {**{key: v for key, v in FULL.items() if key[0] not in ("MTTR", "MTTR P1")
                                or key[2] != "2026-02" or v[2] != "computed"},
                             **values("MTTR", "2026-02", 6.0, 1), **values("MTTR P1", "2026-02", 6.0, 1, segment="P1")}


def test_since_with_unsplit_kpis_only_reads_the_recent_tickets_unsplit(desk, monkeypatch):
    recompute(desk.store)
    passes = Passes(monkeypatch, desk.store)
    recompute(desk.store, since=dt.date(2026, 2, 1), kpi_ids=[desk.mttr.id])
    assert [more["reader"].by_tier for *_, more in passes.since] == [False]
    assert passes.reads == [(dt.date(2026, 2, 1), None, "technician")]  # months only: from February 1
    assert desk.stored() == FULL
