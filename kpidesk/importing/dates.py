"""Date and time parsing for ticket exports, with the file-wide day-first/month-first decision.

Day-first and month-first text cannot be told apart from one value like 03/04/2026, so the decision
is per file (`DateOrder`): set by the user, else detected from the first value that makes it certain
(a day above 12), else assumed (the fallback) and reported so the user can override it.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

from kpidesk.importing.errors import BadValue

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_MIN_YEAR, _MAX_YEAR = 1900, 2200
# Placeholder dates (DESIGN.md): tools write them where a date is missing (Zendesk's unsolved
# 'Solved at' = 1900-01-01 00:00:00, a Unix zero, Excel's day 0 or 1, MySQL's 0000-00-00). They are
# missing values, not dates; any time on 1900-01-01 is one, 1970-01-01 only at midnight exactly.
_UNIX_ZERO = dt.datetime(1970, 1, 1)
_FIRST_REAL = dt.datetime(1900, 1, 2)


class _Placeholder:
    """What a parser returns for a placeholder date; the column reader counts it and stores None."""

    def __repr__(self) -> str:
        return "PLACEHOLDER"


PLACEHOLDER: Any = _Placeholder()


def is_placeholder(value: dt.datetime) -> bool:
    return value < _FIRST_REAL or value == _UNIX_ZERO

_NUMERIC = re.compile(
    r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*([ap]\.?\s?m\.?)?)?$",
    re.I,
)
def _time_part(text: str) -> Any:
    """(hour, minute, second, 'HH:MM:SS') of an 'H:MM[:SS]' text, or False when it is not in that form."""
    m = _TIME_PART.fullmatch(text)
    if m is None:
        return False
    h, mi, sec = int(m[1]), int(m[2]), int(m[3] or 0)
    return h, mi, sec, f"{h:02d}:{mi:02d}:{sec:02d}"


_MIDNIGHT = (0, 0, 0, "00:00:00")
_DAY_PART = re.compile(r"([0-9]{1,2})([/.\-])([0-9]{1,2})\2([0-9]{4})")
_TIME_PART = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
# The usual day/month text of an export ('29/2/2016 01:16', '03.04.2026 9:05:59'): a strict subset of
# what _NUMERIC reads (ASCII digits, one separator kind, a 4-digit year, one space before the time),
# read without the cascade once the file's order is known (DateParser._day_month_text).
_DAY_MONTH = re.compile(r"([0-9]{1,2})([/.\-])([0-9]{1,2})\2([0-9]{4})(?: ([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?")
_NAMED = re.compile(
    r"^(\d{1,2})[/\- ]([^\W\d_]{3,10})\.?[/\- ,]+(\d{2,4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?\s?m\.?)?)?$",
    re.I,
)
_NAMED_US = re.compile(
    r"^([^\W\d_]{3,10})\.? (\d{1,2}),? (\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?\s?m\.?)?)?$",
    re.I,
)

_MONTHS: dict[str, int] = {}
for _n, _names in enumerate((
    "jan january janv janvier ene enero janeiro januar jän",
    "feb february fev fevr fevrier febrero fevereiro februar",
    "mar march mars marzo marco marz mrz",
    "apr april avr avril abr abril",
    "may mai mayo maio",
    "jun june juin junio junho juni",
    "jul july juil juillet julio julho juli",
    "aug august aout ago agosto",
    "sep sept september septembre septiembre set setembro",
    "oct october octobre octubre out outubro okt oktober",
    "nov november novembre noviembre novembro",
    "dec december decembre dic diciembre dez dezembro dezember",
), start=1):
    for _name in _names.split():
        _MONTHS[_name] = _n


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class DateOrder:
    """The file's day-first/month-first convention, shared by all its date columns.

    `day_first` set: fixed. None: the first unambiguous value decides; until then ambiguous values
    are read with `fallback` and counted. If a later value decides the other way, `conflict` is set
    (the importer then reads the file again with the decided order: no value was silently misread).
    """

    def __init__(self, day_first: bool | None = None, fallback: bool = True) -> None:
        self.day_first = day_first
        self.fallback = fallback
        self.how = "set" if day_first is not None else "assumed"
        self.ambiguous = 0
        self.conflict = False
        self.seen = 0  # day/month dates read: none in a file of ISO dates or real spreadsheet dates

    @property
    def effective(self) -> bool:
        return self.fallback if self.day_first is None else self.day_first

    def describe(self) -> str:
        if not self.seen and self.day_first is None:
            return "year-first or real dates (no day/month order to decide)"
        order = "day-first" if self.effective else "month-first"
        return f"{order} ({self.how})"

    def day_month(self, first: int, second: int) -> tuple[int, int]:
        self.seen += 1
        if self.day_first is None:
            if first > 12 >= second:
                self._decide(True)
            elif second > 12 >= first:
                self._decide(False)
            else:
                self.ambiguous += first != second
                return (first, second) if self.fallback else (second, first)
        if self.day_first:
            if second > 12:
                raise BadValue("not a date in this file's day-first format (day/month/year)")
            return first, second
        if first > 12:
            raise BadValue("not a date in this file's month-first format (month/day/year)")
        return second, first

    def _decide(self, day_first: bool) -> None:
        self.day_first, self.how = day_first, "detected"
        if self.ambiguous and day_first != self.fallback:
            self.conflict = True


class DateMemo:
    """The halves of the date texts one import has read (DateParser.read_texts), shared by its columns."""

    def __init__(self) -> None:
        self.days: dict[str, Any] = {}
        self.times: dict[str, Any] = {}


class DateParser:
    """Parses one column's cells to naive datetimes (time zones converted to local time).

    Accepts date cells, Excel serial numbers, ISO text (with 'T', seconds, milliseconds, 'Z' or an
    offset), numeric text in the file's DateOrder, Jira's 'dd/MMM/yy h:mm a' (localised months),
    and 'Jan 5, 2026'. Remembers which form worked last (cells of a column share one format).
    """

    def __init__(self, order: DateOrder | None = None, memo: "DateMemo | None" = None) -> None:
        self.order = order or DateOrder()
        self._last = 0
        # The halves of the texts read so far, shared by the date columns of one import: once the order
        # is known, a day or a time always reads the same (read_texts).
        self.memo = DateMemo() if memo is None else memo

    def read_texts(self, texts: list[str]) -> tuple[list[Any], list[Any]]:
        """(what calling the parser on each text gives: a datetime, None, PLACEHOLDER, or the BadValue
        it raises; the datetime's to_iso text, else None), in order. Once the file's order is known,
        a text in the usual day/month form is read from its two halves, each read once per import
        (an export's dates fall on a few hundred days and its times on at most 86,400 seconds): no
        regex, no call and no isoformat per text. A test holds it equal to calling the parser."""
        order = self.order
        if order.day_first is None:
            raise ValueError("read_texts needs the file's day/month order")
        days, times = self.memo.days, self.memo.times
        if len(days) > 100_000 or len(times) > 100_000:
            days.clear()
            times.clear()
        values: list[Any] = []
        isos: list[Any] = []
        read = 0
        for text in texts:
            day_text, space, time_text = text.partition(" ")
            day = days.get(day_text)
            if day is None:
                day = days[day_text] = self._day_part(day_text)
            if day is not False and space:
                clock = times.get(time_text)
                if clock is None:
                    clock = times[time_text] = _time_part(time_text)
            else:
                clock = _MIDNIGHT
            if day is False or clock is False:  # not in the usual form: the parser reads it
                try:
                    value = self(text)
                except BadValue as exc:
                    values.append(exc)
                    isos.append(None)
                    continue
                values.append(value)
                isos.append(None if value is None or value is PLACEHOLDER else value.isoformat(" ", "microseconds"))
                continue
            read += 1
            if day.__class__ is BadValue:
                values.append(day)
                isos.append(None)
                continue
            try:
                value = dt.datetime(day[0], day[1], day[2], clock[0], clock[1], clock[2])
            except ValueError:
                values.append(BadValue("not a real date or time (e.g. 31 February, or hour 25)"))
                isos.append(None)
                continue
            if value < _FIRST_REAL or value == _UNIX_ZERO:
                values.append(PLACEHOLDER)
                isos.append(None)
            else:
                values.append(value)
                isos.append(f"{day[3]} {clock[3]}.000000")
        if read:
            order.seen += read
            self._last = 1  # as _parse remembers _numeric
        return values, isos

    def _day_part(self, text: str) -> Any:
        """(year, month, day, ISO date) of a 'D/M/YYYY' text in the file's order, the BadValue the
        parser raises for it, or False when it is not in that form (then the parser reads the text)."""
        m = _DAY_PART.fullmatch(text)
        if m is None or text.startswith(("00/00/0000", "00.00.0000")):
            return False
        first, _sep, second, year = m.groups()
        if self.order.day_first:
            day, month = int(first), int(second)
            if month > 12:
                return BadValue("not a date in this file's day-first format (day/month/year)")
        else:
            month, day = int(first), int(second)
            if month > 12:
                return BadValue("not a date in this file's month-first format (month/day/year)")
        y = int(year)
        if not _MIN_YEAR <= y <= _MAX_YEAR:
            return BadValue(f"a date outside the years {_MIN_YEAR}-{_MAX_YEAR}")
        return y, month, day, f"{y:04d}-{month:02d}-{day:02d}"

    def __call__(self, value: Any) -> Any:
        """A naive datetime, None for a blank, PLACEHOLDER for a placeholder date; BadValue else."""
        if (type(value) is dt.datetime and value.tzinfo is None and _FIRST_REAL <= value
                and value.year <= _MAX_YEAR and value != _UNIX_ZERO):
            return value  # the hot path: a date cell from a workbook
        if type(value) is str and self.order.day_first is not None:
            m = _DAY_MONTH.fullmatch(value)
            if m is not None and not value.startswith(("00/00/0000", "00.00.0000")):
                return self._day_month_text(m)  # the hot path of a text export
        result = self._parse(value)
        if result is not None and result is not PLACEHOLDER and is_placeholder(result):
            return PLACEHOLDER
        return result

    def _day_month_text(self, m: re.Match[str]) -> Any:
        """What _parse -> _numeric -> day_month -> _build_year -> _build give for a _DAY_MONTH text,
        in the same order of checks (a test holds the two equal), once the order is known."""
        first, second = int(m[1]), int(m[3])
        order = self.order
        order.seen += 1
        if order.day_first:
            if second > 12:
                raise BadValue("not a date in this file's day-first format (day/month/year)")
            day, month = first, second
        else:
            if first > 12:
                raise BadValue("not a date in this file's month-first format (month/day/year)")
            day, month = second, first
        y = int(m[4])
        if not _MIN_YEAR <= y <= _MAX_YEAR:
            raise BadValue(f"a date outside the years {_MIN_YEAR}-{_MAX_YEAR}")
        try:
            value = dt.datetime(y, month, day, int(m[5] or 0), int(m[6] or 0), int(m[7] or 0))
        except ValueError:
            raise BadValue("not a real date or time (e.g. 31 February, or hour 25)") from None
        self._last = 1  # as _parse remembers _numeric
        return PLACEHOLDER if is_placeholder(value) else value

    def _parse(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            if value.tzinfo is None and value.year < _MIN_YEAR and value >= _EXCEL_EPOCH:
                return PLACEHOLDER  # Excel's day 0 (1899-12-30) and 1899-12-31
            return _local_naive(value)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        if isinstance(value, bool):
            raise BadValue("not a date")
        if isinstance(value, (int, float)):
            return _from_serial(float(value))
        if not isinstance(value, str):
            raise BadValue("not a date")
        text = value.strip()
        if text[:1] == "'":
            text = text[1:].strip()
        if not text or text.casefold() in ("-", "?", "n/a", "null", "none", "nan"):
            return None
        if text.startswith(("0000-00-00", "00/00/0000", "00.00.0000")):
            return PLACEHOLDER
        methods = (self._iso, self._numeric, self._named)
        first = methods[self._last]
        result = first(text)
        if result is not None:
            return result
        for i, method in enumerate(methods):
            if method is not first:
                result = method(text)
                if result is not None:
                    self._last = i
                    return result
        raise BadValue("not a date KPI Desk can read (e.g. 2026-01-31 14:05, 31/01/2026 14:05)")

    # Each method returns None when the text is not in its form, raises BadValue when it is but the
    # date does not exist (31/02/2026).

    @staticmethod
    def _iso(text: str) -> dt.datetime | None:
        # '2026/2/3' (8 characters, as Japanese and Chinese exports write a day) is year-first too
        if len(text) < 8 or not (text[:4].isdigit() and text[4] in "-/"):
            return None
        try:
            return _local_naive(dt.datetime.fromisoformat(text.replace("/", "-", 2)))
        except ValueError:
            pass
        m = _NUMERIC.match(text)
        if m is None or len(m[1]) != 4:
            return None
        return _build(int(m[1]), int(m[2]), m[3], m[4], m[5], m[6], m[7], m[8])

    def _numeric(self, text: str) -> dt.datetime | None:
        m = _NUMERIC.match(text)
        if m is None or len(m[1]) > 2:
            return None
        day, month = self.order.day_month(int(m[1]), int(m[2]))
        return _build_year(m[3], month, day, m[4], m[5], m[6], m[7], m[8])

    @staticmethod
    def _named(text: str) -> dt.datetime | None:
        m = _NAMED.match(text)
        if m is not None:
            day, name, year, rest = m[1], m[2], m[3], m.groups()[3:]
        else:
            m = _NAMED_US.match(text)
            if m is None:
                return None
            name, day, year, rest = m[1], m[2], m[3], m.groups()[3:]
        month = _MONTHS.get(_fold(name).rstrip("."))
        if month is None:
            return None
        return _build_year(year, month, int(day), rest[0], rest[1], rest[2], None, rest[3])


def _build_year(year: str, month: int, day: int, hh: str | None, mm: str | None, ss: str | None,
                frac: str | None, ampm: str | None) -> dt.datetime:
    y = int(year)
    if len(year) == 2:
        y += 2000 if y < 70 else 1900
    elif len(year) != 4:
        raise BadValue("not a date (the year needs 2 or 4 digits)")
    return _build(y, month, day, year_checked=True, hh=hh, mm=mm, ss=ss, frac=frac, ampm=ampm)


def _build(y: int, month: int, day: Any, hh: str | None = None, mm: str | None = None,
           ss: str | None = None, frac: str | None = None, ampm: str | None = None,
           year_checked: bool = False) -> dt.datetime:
    if isinstance(day, str):  # called from _iso: day is the 3rd group, as text
        day = int(day) if day.isdigit() and len(day) <= 2 else -1
    hour, minute, second = int(hh or 0), int(mm or 0), int(ss or 0)
    if ampm:
        pm = ampm.lower().startswith("p")
        if not 1 <= hour <= 12:
            raise BadValue("not a time (AM/PM hours run from 1 to 12)")
        hour = hour % 12 + (12 if pm else 0)
    micro = int((frac or "0").ljust(6, "0")[:6])
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        raise BadValue(f"a date outside the years {_MIN_YEAR}-{_MAX_YEAR}")
    try:
        return dt.datetime(y, month, day, hour, minute, second, micro)
    except ValueError:
        raise BadValue("not a real date or time (e.g. 31 February, or hour 25)") from None


def _local_naive(value: dt.datetime) -> dt.datetime:
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        raise BadValue(f"a date outside the years {_MIN_YEAR}-{_MAX_YEAR}")
    if value.tzinfo is None:
        return value
    try:  # an explicit offset: shown in the local time of this computer, like the naive ones
        return value.astimezone().replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        raise BadValue("a date whose time zone cannot be converted") from None


def _from_serial(serial: float) -> Any:
    """Excel's day count (1899-12-30 epoch; what a date cell formatted as General shows)."""
    if serial in (0, 1) or (1 <= serial < 2):  # Excel's empty date (day 0 or 1 January 1900)
        return PLACEHOLDER
    if math.isnan(serial) or not 3653 <= serial < 109575:  # 1910 .. 2199
        raise BadValue("not a date (a number, but not a plausible Excel date)")
    return _EXCEL_EPOCH + dt.timedelta(days=serial)
