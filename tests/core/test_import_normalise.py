"""Cell parsers (issue 3): hand-worked examples, and the contract that a parser returns a value or
raises BadValue, whatever the cell holds (hypothesis)."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpidesk.importing.dates import PLACEHOLDER, DateOrder, DateParser
from kpidesk.importing.errors import BadValue
from kpidesk.importing.normalise import (
    PriorityParser,
    is_blank,
    parse_count,
    parse_csat,
    parse_duration_hours,
    parse_flag,
    parse_id,
    parse_number,
    parse_text,
    parse_ticket_type,
)

D = dt.datetime


@pytest.mark.parametrize("text, expected", [
    ("2019-07-29 11:48:43", D(2019, 7, 29, 11, 48, 43)),  # ServiceNow / Zendesk CSV
    ("2026-09-14 11:21", D(2026, 9, 14, 11, 21)),  # GLPI fr lab export
    ("2026-02-25 16:38:58.679", D(2026, 2, 25, 16, 38, 58, 679000)),  # Jira [CHART] field
    ("2026-02-25T16:38:58", D(2026, 2, 25, 16, 38, 58)),
    ("2026/1/5 9:05", D(2026, 1, 5, 9, 5)),
    ("25/Feb/26 10:17 PM", D(2026, 2, 25, 22, 17)),  # Jira
    ("18/jul/26 9:10 AM", D(2026, 7, 18, 9, 10)),  # Jira, lower-case month
    ("5/ene/26 12:05 AM", D(2026, 1, 5, 0, 5)),  # Jira, Spanish month, 12 AM is midnight
    ("Jan 5, 2026", D(2026, 1, 5)),
    ("'2026-01-05 10:00", D(2026, 1, 5, 10, 0)),  # osTicket's apostrophe
])
def test_dates_unambiguous_forms(text, expected):
    assert DateParser()(text) == expected


def test_date_cells_serials_and_blanks():
    p = DateParser()
    assert p(D(2026, 3, 1, 8, 0)) == D(2026, 3, 1, 8, 0)
    assert p(dt.date(2026, 3, 1)) == D(2026, 3, 1)
    assert p(46023.5) == D(2026, 1, 1, 12, 0)  # 46023 = 2026-01-01 in Excel's day count
    assert p("") is None and p(None) is None and p("null") is None


def test_time_zone_offsets_become_local_time():
    aware = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc)
    assert DateParser()("2026-01-05T09:00:00Z") == aware.astimezone().replace(tzinfo=None)
    plus_two = dt.datetime(2026, 1, 5, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert DateParser()("2026-01-05 11:00:00+02:00") == plus_two.astimezone().replace(tzinfo=None)


def test_day_first_detected_from_a_day_above_12():
    order = DateOrder()
    p = DateParser(order)
    assert p("29/2/2016 01:16") == D(2016, 2, 29, 1, 16)  # UCI ServiceNow log
    assert order.day_first is True and order.how == "detected"
    assert p("03/04/2016 10:00") == D(2016, 4, 3, 10, 0)  # now read day-first
    with pytest.raises(BadValue, match="day-first"):
        p("3/17/2016 6:04")  # contradicts the file's order


def test_month_first_detected_and_set():
    order = DateOrder()
    p = DateParser(order)
    assert p("3/17/2025 6:04") == D(2025, 3, 17, 6, 4)  # ServiceNow after a US Excel re-save
    assert order.day_first is False
    assert DateParser(DateOrder(day_first=False))("03/04/2026") == D(2026, 3, 4)
    assert DateParser(DateOrder(day_first=True))("03/04/2026") == D(2026, 4, 3)


def test_ambiguous_first_then_contradicting_value_flags_a_conflict():
    order = DateOrder(fallback=True)
    p = DateParser(order)
    assert p("03/04/2026") == D(2026, 4, 3)  # assumed day-first
    assert order.ambiguous == 1 and not order.conflict
    p("12/25/2026")  # month-first for certain: the earlier value was misread
    assert order.conflict and order.day_first is False


@pytest.mark.parametrize("bad", ["31/02/2026", "2026-13-01", "yesterday", "25/Foo/26 10:00", "10.5.x", 12.0, True])
def test_bad_dates_raise_badvalue(bad):
    with pytest.raises(BadValue):
        DateParser(DateOrder(day_first=True))(bad)


@pytest.mark.parametrize("value, hours", [
    ("2h 30m", 2.5), ("1 day 3 hours", 27.0), ("01:30:00", 1.5), ("1:30", 1.5), ("-2:18", -2.3),
    ("2d 3h 4m", 51 + 4 / 60), ("1 horas 18 minutos", 1.3), ("53 segundos", 53 / 3600),
    (dt.timedelta(hours=30), 30.0), (dt.time(1, 30), 1.5), ("", None), ("90", 90.0),
])
def test_durations(value, hours):
    result = parse_duration_hours(value)
    assert result == pytest.approx(hours) if hours is not None else result is None


def test_duration_bare_units():
    assert parse_duration_hours(90, "minutes") == pytest.approx(1.5)
    assert parse_duration_hours(5400, "seconds") == pytest.approx(1.5)
    with pytest.raises(BadValue):
        parse_duration_hours("soon")
    with pytest.raises(BadValue):
        parse_duration_hours("3 fortnights")


@pytest.mark.parametrize("value, tier", [
    ("1 - Critical", 1), ("2 - High", 2), ("3 - Moderate", 3), ("4 - Low", 4), ("5 - Planning", 4),
    ("P1", 1), ("p3", 3), ("Urgent", 1), ("High", 2), ("Medium", 3), ("Normal", 3), ("Low", 4),
    ("Sev 2", 2), ("Severity 1", 1), ("Highest", 1), ("Lowest", 4), ("Very high", 1), ("Very low", 4),
    ("Major", 1), ("Emergency", 1), ("1 low", 4), ("2 normal", 3), ("3 high", 2), ("Très haute", 1),
    ("Média", 3), ("Baixa", 4), (2, 2), (5.0, 4),
])
def test_priorities(value, tier):
    assert PriorityParser()(value) == tier


def test_priority_custom_map_wins_and_unknown_raises():
    p = PriorityParser({"Major": 2, "Gold": 1})  # Jira's Major is the middle one
    assert p("major") == 2 and p("GOLD") == 1 and p("Highest") == 1
    assert PriorityParser()("") is None
    with pytest.raises(BadValue, match="P1-P4"):
        PriorityParser()("Whenever")


def test_flags_csat_counts_ids_text():
    assert [parse_flag(v) for v in ("Yes", "no", "TRUE", "false", 1, 0.0, "Oui", "Não", "Within SLA", "")] == \
        [True, False, True, False, True, False, True, False, True, None]
    with pytest.raises(BadValue):
        parse_flag("maybe")
    assert parse_csat(4) == (4.0, None)
    assert parse_csat("80%") == (pytest.approx(4.2), None)  # 1 + 4 * 0.8
    assert parse_csat("Good") == (None, True) and parse_csat("thumbs down") == (None, False)
    assert parse_csat("Offered") == (None, None) and parse_csat("★★★") == (3.0, None)
    with pytest.raises(BadValue):
        parse_csat(0)
    assert parse_count("3") == 3 and parse_count(2.0) == 2 and parse_count("N/A") is None
    with pytest.raises(BadValue):
        parse_count("-1")
    assert parse_id(10001.0) == "10001" and parse_id("52 267") == "52267" and parse_id("5\u00a0732\u00a0943") == "5732943"
    with pytest.raises(BadValue, match="no id"):
        parse_id("  ")
    assert parse_text("'=1+2") == "=1+2" and parse_text("Unassigned") == "" and parse_text(" Jane ") == "Jane"
    assert is_blank("Not Assigned") and is_blank("?") and not is_blank("0")
    assert parse_number("1,234.5") == 1234.5 and parse_number("12,5") == 12.5 and parse_number("95 %") == 95
    assert parse_ticket_type("Service Request") == "request" and parse_ticket_type("Incident") == "incident"
    assert parse_ticket_type("Epic") is None


# ---------------------------------------------------------------- the contract, by property

cells = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20), st.floats(allow_nan=True),
    st.text(max_size=40), st.datetimes(), st.dates(), st.times(), st.timedeltas(),
    st.datetimes(timezones=st.timezones()) if hasattr(st, "timezones") else st.datetimes(),
    st.from_regex(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}( \d{1,2}:\d{2}( [AP]M)?)?", fullmatch=True),
    st.from_regex(r"\d{1,2}/[A-Za-z]{3}/\d{2} \d{1,2}:\d{2} [AP]M", fullmatch=True),
    st.from_regex(r"-?\d{1,3}(h|d| hours|:\d{2})( \d{1,2}m)?", fullmatch=True),
    st.from_regex(r"(P|Sev |)\d( - [A-Za-z]+)?", fullmatch=True),
)
PARSERS = [DateParser(DateOrder()), DateParser(DateOrder(day_first=True)), parse_duration_hours,
           PriorityParser(), parse_flag, parse_csat, parse_count, parse_number, parse_id, parse_text,
           parse_ticket_type]


@settings(max_examples=400, deadline=None)
@given(cells)
def test_parsers_return_a_value_or_raise_badvalue_only(value):
    for parse in PARSERS:
        try:
            parse(value)
        except BadValue as exc:
            assert str(exc)  # a plain, non-empty reason


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=D(1901, 1, 1), max_value=D(2199, 12, 31)))
def test_written_dates_read_back(moment):
    moment = moment.replace(microsecond=0)
    if moment == D(1970, 1, 1):  # a Unix zero is a placeholder, not a date (issue 12)
        assert DateParser()(moment.isoformat(" ")) is PLACEHOLDER
        return
    assert DateParser()(moment.isoformat(" ")) == moment
    assert DateParser(DateOrder(day_first=True))(moment.strftime("%d/%m/%Y %H:%M:%S")) == moment
    assert DateParser(DateOrder(day_first=False))(moment.strftime("%m/%d/%Y %I:%M:%S %p")) == moment


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 500), st.integers(0, 59))
def test_written_durations_read_back(hours, minutes):
    assert parse_duration_hours(f"{hours}h {minutes}m") == pytest.approx(hours + minutes / 60)
    assert parse_duration_hours(f"{hours}:{minutes:02d}") == pytest.approx(hours + minutes / 60)
    assert parse_duration_hours(f"-{hours}:{minutes:02d}") == pytest.approx(-(hours + minutes / 60))


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31)))
def test_fast_iso_writes_exactly_what_tickets_to_iso_writes(moment):
    """The import's faster formatter must store the text the ORM reads back (tickets.to_iso)."""
    from kpidesk.importing.ticket_rows import fast_iso
    from kpidesk.tickets import to_iso

    assert fast_iso(moment) == to_iso(moment)
