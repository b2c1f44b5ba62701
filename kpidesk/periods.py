"""Reporting periods: ISO weeks (Monday start), calendar months and quarters, half-years and years.

Keys are sortable text: '2026-W05', '2026-03', '2026-Q1', '2026-H1', '2026'. Half-years are for review
cycles (kpidesk/appraisal/cycles.py): no KPI is reported by the half, so they are not in
GRANULARITIES, the lengths a KPI's cadence or a plot offers. A period is half-open:
[start, end) in dates, so a ticket resolved at 23:59 on the last day belongs to it.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

GRANULARITIES = ("week", "month", "quarter", "year")
CYCLE_LENGTHS = ("quarter", "half", "year")  # what a review cycle can span

_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$", re.I)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.I)
_HALF = re.compile(r"^(\d{4})-H([12])$", re.I)
_YEAR = re.compile(r"^(\d{4})$")


def week_key(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def month_key(d: dt.date) -> str:
    return f"{d.year}-{d.month:02d}"


def quarter_key(d: dt.date) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def half_key(d: dt.date) -> str:
    return f"{d.year}-H{1 if d.month <= 6 else 2}"


def key_for(d: dt.date, granularity: str) -> str:
    return {"week": week_key, "month": month_key, "quarter": quarter_key, "half": half_key,
            "year": lambda x: str(x.year)}[granularity](d)


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date  # exclusive
    granularity: str
    key: str

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def end_datetime(self) -> dt.datetime:
        return dt.datetime.combine(self.end, dt.time())

    def next(self) -> "Period":
        return period_containing(self.end, self.granularity)

    def previous(self) -> "Period":
        return period_containing(self.start - dt.timedelta(days=1), self.granularity)

    def __str__(self) -> str:
        return self.key


def period_containing(d: dt.date, granularity: str) -> Period:
    if isinstance(d, dt.datetime):
        d = d.date()
    if granularity == "week":
        start = d - dt.timedelta(days=d.weekday())
        end = start + dt.timedelta(days=7)
    elif granularity == "month":
        start = d.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
    elif granularity == "quarter":
        start = dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
        end = dt.date(d.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)
    elif granularity == "half":
        start = dt.date(d.year, 1 if d.month <= 6 else 7, 1)
        end = dt.date(d.year, 7, 1) if start.month == 1 else dt.date(d.year + 1, 1, 1)
    elif granularity == "year":
        start, end = dt.date(d.year, 1, 1), dt.date(d.year + 1, 1, 1)
    else:
        raise ValueError(f"unknown period length {granularity!r}; use week, month, quarter, half or year")
    return Period(start, end, granularity, key_for(start, granularity))


def parse_period(spec: str) -> Period:
    """Parse '2026-03', '2026-Q1', '2026-W05', '2026-H1' or '2026' into a Period; ValueError with a plain message."""
    s = spec.strip()
    if m := _WEEK.match(s):
        year, week = int(m[1]), int(m[2])
        try:
            monday = dt.date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"{spec!r}: {year} has no ISO week {week}") from None
        return period_containing(monday, "week")
    if m := _QUARTER.match(s):
        return period_containing(dt.date(int(m[1]), 3 * (int(m[2]) - 1) + 1, 1), "quarter")
    if m := _HALF.match(s):
        return period_containing(dt.date(int(m[1]), 1 if m[2] == "1" else 7, 1), "half")
    if m := _MONTH.match(s):
        month = int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(f"{spec!r}: there is no month {month}")
        return period_containing(dt.date(int(m[1]), month, 1), "month")
    if m := _YEAR.match(s):
        return period_containing(dt.date(int(m[1]), 1, 1), "year")
    raise ValueError(f"{spec!r} is not a period: use 2026-03 (month), 2026-Q1 (quarter), 2026-W05 (week), 2026-H1 (half-year) or 2026")


def periods_between(first: dt.date, last: dt.date, granularity: str) -> list[Period]:
    """Every period of `granularity` from the one holding `first` to the one holding `last`."""
    out: list[Period] = []
    p = period_containing(first, granularity)
    while p.start <= last:
        out.append(p)
        p = p.next()
    return out


def last_full_period(today: dt.date, granularity: str) -> Period:
    return period_containing(today, granularity).previous()
