"""Mix-adjusted speed (issue 16, part 5): a technician's MTTR beside the MTTR the desk would expect
for the very tickets they resolved, so that someone who got the hard tickets is not read as slow.

    fig = mix_for(store, technician_id, "2026-06")    # one technician, one period
    figs = mix_all(store, "2026-06")                  # {technician id: MixFigure}, one read of the window
    fig.text  # "31 h against 34 h expected for this mix: faster than the desk for the tickets they got"

The rule, exactly:
- Their tickets: the tickets the technician resolved in period P (the ticket's resolved_week,
  resolved_month or resolved_quarter key is P's key) whose resolution time is known. A shared ticket
  (a cell naming several technicians, kpidesk.metrics.sql) counts for each of its technicians, as in
  the engine. `actual` is the mean of their resolution times: their MTTR for P.
- The window: the WINDOW_PERIODS (6) periods ending with P, i.e. P and the 5 before it, of P's length.
- The reference of one ticket: the mean resolution time of every desk ticket resolved in the window
  with a known resolution time (everyone's, their own included, unassigned ones too; a shared ticket
  once) of the same priority tier and category (its cell). The category is compared as stored; a
  blank category is a cell of its own (tickets the export gave no category).
- Fallbacks, counted and returned, never silent: a cell with fewer than MIX_MIN_CELL (5) tickets
  falls back to the mean of the ticket's priority tier over all categories (same window); a tier
  with fewer than 5 too, or a ticket with no priority tier, falls back to the desk's mean over the
  window (whatever its count: it is the last resort). `fallbacks` counts the technician's tickets by
  the level their reference came from: 'cell' (no fallback), 'tier', 'desk'.
- `expected` is the mean of the references of their tickets; `ratio` = actual / expected (None when
  there is no ticket or the expected time is 0); `count` is the number of their tickets.
- Verdict, with the speed reading's thresholds (kpidesk.appraisal.readings FAST and SLOW): ratio
  <= 0.9 'faster', >= 1.1 'slower', otherwise 'about the same' (the ratio is compared rounded to
  9 decimals, so 9 h against 10 h is exactly 0.9); 'unknown' without a ratio or when it rests on
  fewer than `min_count` tickets (the setting), and the text then says there are too few to judge.
The desk's means are a reference for a mix of tickets, not a ranking: no colleague is named.

Why means, where issue 16 said medians: `actual` is MTTR, a mean, and like must be compared with like
(this is indirect standardisation, the observed/expected ratio of case-mix adjustment). Resolution
times are skewed to the right, so a mean sits well above its median: with the cells' medians, a
technician whose tickets are exactly the desk's reads above 1. On bench_mix.py's lognormal tickets,
where all 40 technicians are alike, all 40 read 'slower' (ratios 1.17 to 1.39, the desk 1.29 against
itself); with the cells' means they read 0.91 to 1.08, and the desk's tickets over the whole window
score exactly 1. The median and p90 stay beside MTTR on every screen for the skew itself.

Speed: one SQL read of the window's resolved tickets (six columns), grouped in Python; the means
are worked out only for the cells that are asked for. bench_mix.py, 1M tickets over 3 years: about 0.5 s
for a month (every technician; mix_for the same: the window is read whole either way), 1.1 s for a
quarter (its window is half the table), 0.25 s for a week.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from kpidesk.appraisal.readings import FAST, SLOW, UNKNOWN
from kpidesk.metrics import dialect, sql
from kpidesk.metrics.model import as_period
from kpidesk.periods import Period
from kpidesk.wording import count as count_words

if TYPE_CHECKING:
    from kpidesk.store import Store

MIX_MIN_CELL = 5
WINDOW_PERIODS = 6
LEVELS = ("cell", "tier", "desk")
VERDICTS = ("faster", "about the same", "slower", UNKNOWN)
_WORDS = {"faster": "faster than the desk for the tickets they got",
          "slower": "slower than the desk for the tickets they got",
          "about the same": "in line with the desk for the tickets they got"}
RULE = ("expected = the mean, over their tickets, of the desk's mean resolution time in the last "
        f"{WINDOW_PERIODS} periods for the ticket's priority and category (its priority alone, else the "
        f"whole desk, where fewer than {MIX_MIN_CELL} tickets); faster <= {FAST}, slower >= {SLOW}")


@dataclass
class MixFigure:
    """A technician's mix-adjusted speed for one period. Hours; `ratio` = actual / expected; `count`
    their tickets with a resolution time; `fallbacks` {'cell', 'tier', 'desk': tickets whose reference
    came from that level}; `verdict` faster | about the same | slower | unknown; `text` the sentence
    (describe()); `min_count` the fewest tickets judged. actual, expected and ratio are None (never 0)
    when nothing rests on them."""

    technician_id: int
    period: str
    actual: Optional[float] = None
    expected: Optional[float] = None
    ratio: Optional[float] = None
    count: int = 0
    fallbacks: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    verdict: str = UNKNOWN
    text: str = ""
    min_count: int = 1

    @property
    def rule(self) -> str:
        return RULE

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "MixFigure":
        """Tolerant of missing keys (a frozen check-in keeps what was there when it was signed)."""
        names = set(cls.__dataclass_fields__)
        kw = {k: v for k, v in d.items() if k in names}
        kw.setdefault("technician_id", 0)
        kw.setdefault("period", "")
        kw["fallbacks"] = {**dict.fromkeys(LEVELS, 0), **(d.get("fallbacks") or {})}
        return cls(**kw)


def window(period: Period) -> list[Period]:
    """The WINDOW_PERIODS periods ending with `period`, oldest first."""
    out = [period]
    while len(out) < WINDOW_PERIODS:
        out.insert(0, out[0].previous())
    return out


def verdict_of(ratio: Optional[float], count: int, min_count: int) -> str:
    """faster | about the same | slower | unknown, by the rule in the module's docstring."""
    if ratio is None or count <= 0 or count < min_count:
        return UNKNOWN
    r = round(ratio, 9)
    return "faster" if r <= FAST else "slower" if r >= SLOW else "about the same"


def _h(x: float) -> str:
    """'31 h', '4.5 h': whole hours from 10 h up, one decimal below."""
    return f"{x:.0f} h" if abs(x) >= 10 else f"{x:.1f} h"


def short_words(fig: MixFigure) -> str:
    """The figure in a card's line: 'Expected 34 h for this mix: 0.91x, faster'; '' with no ratio."""
    if fig.ratio is None or fig.expected is None:
        return ""
    verdict = "too few to judge" if fig.verdict == UNKNOWN else fig.verdict
    return f"Expected {_h(fig.expected)} for this mix: {fig.ratio:.2f}\u00d7, {verdict}"


def describe(fig: MixFigure) -> str:
    """The sentence of the figure, e.g. '31 h against 34 h expected for this mix: faster than the desk
    for the tickets they got', with its fallbacks said where any were used."""
    if fig.count == 0 or fig.actual is None:
        return f"No ticket with a resolution time in {fig.period}: no mix-adjusted speed"
    if not fig.expected:
        return f"{_h(fig.actual)} with no expected time for this mix (the desk's means are 0 h)"
    head = f"{_h(fig.actual)} against {_h(fig.expected)} expected for this mix"
    if fig.count < fig.min_count:
        text = (f"{head}, on only {count_words(fig.count, 'ticket')}: too few to judge "
                f"(at least {fig.min_count} needed)")
    else:
        text = f"{head}: {_WORDS[fig.verdict]}"
    tier, desk = fig.fallbacks.get("tier", 0), fig.fallbacks.get("desk", 0)
    if tier or desk:
        of = f"of {count_words(fig.count, 'ticket')} compared"
        said = (f"{tier} {of} with its priority's mean" + (f" and {desk} with the whole desk's" if desk else "")
                if tier else f"{desk} {of} with the whole desk's mean")
        text += f"; {said} (fewer than {MIX_MIN_CELL} desk tickets of the same priority and category)"
    return text


# Reading the window ------------------------------------------------------------------------------

def _read(con: sqlite3.Connection, p: Period) -> list[tuple[Any, ...]]:
    """(period key, technician id, shared_with, tier, category, hours) of every ticket resolved in
    the window with a resolution time, and of P's resolved tickets without one (they name who resolved
    something in P). A plain table scan: measured on 1M tickets in random order, it beats fetching a
    sixth of the table row by row through the resolved_at index (0.38 s against 0.66 s)."""
    col = sql.PERIOD_COLUMN[p.granularity]  # a fixed column expression, never user text
    first = window(p)[0].key
    return con.execute(
        f"SELECT {col}, technician_id, shared_with, priority_tier, category, resolution_hours FROM ticket "
        f"{dialect.of(con).hint(sql.FULL_SCAN)} WHERE {col} BETWEEN ? AND ? AND (resolution_hours IS NOT NULL OR {col} = ?)",
        (first, p.key, p.key)).fetchall()


class _Reference:
    """The desk's means over the window, by cell, tier and the whole desk, worked out when first asked."""

    def __init__(self, cells: dict[tuple[Any, str], list[float]]):
        self.cells = cells
        self._cell: dict[tuple[Any, str], Optional[float]] = {}
        self._tier: dict[Any, Optional[float]] = {}
        self._desk: Optional[tuple[Optional[float]]] = None

    @staticmethod
    def _mean(values: list[float]) -> Optional[float]:
        return sum(values) / len(values) if values else None

    def _tier_mean(self, tier: Any) -> Optional[float]:
        if tier not in self._tier:
            values = [h for (t, _c), hs in self.cells.items() if t == tier for h in hs]
            self._tier[tier] = self._mean(values) if len(values) >= MIX_MIN_CELL else None
        return self._tier[tier]

    def _desk_mean(self) -> Optional[float]:
        if self._desk is None:
            self._desk = (self._mean([h for hs in self.cells.values() for h in hs]),)
        return self._desk[0]

    def of(self, tier: Any, category: str) -> tuple[Optional[float], str]:
        """(reference hours, level) for a ticket of this tier and category."""
        if tier is not None:
            key = (tier, category)
            if key not in self._cell:
                values = self.cells.get(key, [])
                self._cell[key] = self._mean(values) if len(values) >= MIX_MIN_CELL else None
            if (m := self._cell[key]) is not None:
                return m, "cell"
            if (m := self._tier_mean(tier)) is not None:
                return m, "tier"
        return self._desk_mean(), "desk"


def _people(tech: Optional[int], shared: Optional[str], known: set[int]) -> list[int]:
    """Who a ticket counts for: its technician and the further technicians of a shared ticket (those
    that exist, as the engine's join does), each once."""
    ids = [tech] if tech is not None else []
    if shared:
        try:
            more = json.loads(shared)
        except ValueError:
            more = []
        ids += [i for i in more if isinstance(i, int) and i in known and i not in ids]
    return ids


def _compute(store: "Store", p: Period, only: Optional[int], min_count: Optional[int]) -> dict[int, MixFigure]:
    if min_count is None:
        min_count = int(store.get_setting("min_count") or 5)
    with sql.connection(store) as con:
        rows = _read(con, p)
        known = {i for (i,) in con.execute("SELECT id FROM technician")} if any(r[2] for r in rows) else set()
    cells: dict[tuple[Any, str], list[float]] = {}
    mine: list[tuple[Any, ...]] = []
    key = p.key
    for r in rows:
        if r[5] is not None:
            c = (r[3], r[4] or "")
            hs = cells.get(c)
            if hs is None:
                cells[c] = [r[5]]
            else:
                hs.append(r[5])
        if r[0] == key and (only is None or r[1] == only or r[2]):
            mine.append(r)
    ref = _Reference(cells)
    sums: dict[int, list[Any]] = {}  # tech -> [hours, reference, n, {level: n}]
    for _k, tech, shared, tier, category, hours in mine:
        for tid in _people(tech, shared, known):
            if only is not None and tid != only:
                continue
            acc = sums.get(tid)
            if acc is None:
                acc = sums[tid] = [0.0, 0.0, 0, dict.fromkeys(LEVELS, 0)]
            if hours is None:
                continue
            value, level = ref.of(tier, category or "")  # never None: the ticket itself is in the window
            acc[0] += hours
            acc[1] += value
            acc[2] += 1
            acc[3][level] += 1
    out = {}
    for tid in sorted(sums):
        total, expected_total, n, levels = sums[tid]
        actual = total / n if n else None
        expected = expected_total / n if n else None
        ratio = actual / expected if actual is not None and expected else None
        fig = MixFigure(tid, key, actual, expected, ratio, n, levels, verdict_of(ratio, n, min_count),
                        min_count=min_count)
        fig.text = describe(fig)
        out[tid] = fig
    return out


def mix_all(store: "Store", period_key: Period | str, min_count: Optional[int] = None) -> dict[int, MixFigure]:
    """{technician id: MixFigure} for every technician who resolved a ticket in the period (one
    with no resolution time known gives a figure with None values and count 0), in id order.
    `min_count` defaults to the setting."""
    return _compute(store, as_period(period_key), None, min_count)


def mix_for(store: "Store", technician_id: int, period_key: Period | str,
            min_count: Optional[int] = None) -> MixFigure:
    """The technician's MixFigure for the period; with nothing resolved, a figure with None values,
    count 0 and verdict 'unknown'."""
    p = as_period(period_key)
    fig = _compute(store, p, technician_id, min_count).get(technician_id)
    if fig is None:
        n = int(store.get_setting("min_count") or 5) if min_count is None else min_count
        fig = MixFigure(technician_id, p.key, min_count=n)
        fig.text = describe(fig)
    return fig
