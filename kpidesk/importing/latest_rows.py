"""Which row of each ticket an import keeps, chosen from the raw rows before any is normalised (issue 19).

An event log (a ServiceNow audit log: 120k rows for 20.7k incidents) has one row per update; an
export has one row per ticket. The rule is the one imports have always kept: among a ticket's rows
that are not rejected, a row replaces the one kept so far unless both carry an 'updated' time and
its own is earlier (the latest 'updated' wins, else the last row). It needs only each row's id,
created date (a row without one is rejected and replaces nothing) and 'updated', which
ChunkReader.keys() reads; so a row a later one replaces is dropped unread: its other cells are never
parsed, and no warning counts it (the summary's 'duplicates' says how many were dropped).

A file is streamed while no ticket repeats: each chunk is normalised and written as it comes, beside
the reading, as an export's rows all are kept. From the first chunk in which a ticket repeats, rows
are held instead, the latest of each ticket only (its cells as read), and normalised at the end in
the order the tickets were first met, which is the order in which writing every chunk in turn gave
them their ids. A ticket written before that and met again is written again (`resent`). Past
MAX_HELD tickets the first-met half is written, so memory stays bounded on any file.
"""
from __future__ import annotations

from operator import itemgetter
from typing import Any, Iterator

from kpidesk.importing.ticket_rows import KEY_COLUMNS, Keys

MAX_HELD = 100_000  # tickets held (their mapped cells, about 1 KB each)
_NEW = object()


class LatestRows:
    def __init__(self, index: dict[str, int], *, hold: bool = False, max_held: int | None = None) -> None:
        """index: the reader's {field: column}. hold: hold every row from the first (the names check,
        which has no writer), and never write a part early."""
        # A held row keeps the cells of the mapped columns only, taken while the row is fresh in memory:
        # picked from 20k scattered rows at the end, they cost twice as much as the whole key pass.
        self.columns = sorted(set(index.values()))
        self._pick = itemgetter(*self.columns) if len(self.columns) > 1 else lambda row: (row[self.columns[0]],)
        self.keyed = tuple(f for f in index if f in KEY_COLUMNS)
        self.dated = tuple(f for f in self.keyed if f != "external_id")
        self.seen: dict[str, Any] = {}  # ticket id -> 'updated' of its row kept so far
        self.duplicates = 0  # rows that repeated a ticket met before (each dropped, or dropping one)
        self.resent: set[str] = set()  # tickets written twice (see TicketWriter.finish)
        self.holding = hold
        self.held: dict[str, tuple[Any, ...]] = {}  # ticket id -> its latest row so far, as a record
        self.max_held = 0 if hold else MAX_HELD if max_held is None else max_held
        self._first: dict[str, int] = {}  # ticket id -> where writing every chunk in turn would insert it
        self._written: set[str] = set()
        self._errors: dict[str, dict[Any, str]] = {}

    def add(self, keys: Keys) -> list[Keys]:
        """Take a chunk's rows; the parts to normalise and write now: the chunk itself while no ticket
        has repeated, else nothing (or the first-met half of the held rows, past max_held)."""
        ids, upd, rejected = keys.col["external_id"], keys.updated(), keys.rejected
        rows = range(len(ids)) if not rejected else [i for i in range(len(ids)) if i not in rejected]
        seen = self.seen
        if not self.holding:
            kept = ids if not rejected else [ids[i] for i in rows]
            if len(set(kept)) == len(kept) and seen.keys().isdisjoint(kept):  # the usual chunk, checked in C
                seen.update(zip(kept, upd if not rejected else [upd[i] for i in rows]))
                return [keys]
            self.holding = True
            self._written = set(seen)
        for f, errs in keys.errors.items():
            if f not in ("external_id", "created_at"):  # rows with those refused are rejected, never held
                self._errors.setdefault(f, {}).update(errs)
        winner: dict[str, int] = {}
        for i in rows:
            ext, u = ids[i], upd[i]
            old = seen.get(ext, _NEW)
            if old is not _NEW:
                self.duplicates += 1
                if u is not None and old is not None and u < old:
                    continue  # an older state of a ticket met before: dropped unread
            seen[ext] = u
            winner[ext] = i
        if winner:
            records = self._records(keys)
            held, first, numbers = self.held, self._first, keys.numbers
            for ext, i in winner.items():
                held[ext] = records[i]
                if ext not in first:  # met first in this chunk: inserted at its last row kept here
                    first[ext] = numbers[i]
        if self.max_held and len(self.held) > self.max_held:
            return list(self._release(len(self.held) // 2, 5000))
        return []

    def rest(self, size: int) -> Iterator[Keys]:
        """The held rows, in parts of `size`, in the order their tickets were first met."""
        yield from self._release(len(self.held), size)

    def _release(self, count: int, size: int) -> Iterator[Keys]:
        first = self._first
        order = sorted(self.held, key=first.__getitem__)[:count]
        again = self._written.intersection(order)
        self.resent |= again
        self._written.update(order)
        held = self.held
        records = [held.pop(ext) for ext in order]
        for start in range(0, len(records), size):
            yield self._keys(records[start:start + size])

    # A held row is one tuple: its row number, its parsed key values and their text, its mapped cells.
    def _records(self, keys: Keys) -> list[tuple[Any, ...]]:
        return list(zip(keys.numbers, *(keys.col[f] for f in self.keyed), *(keys.iso[f] for f in self.dated),
                        *zip(*map(self._pick, keys.cells))))

    def _keys(self, records: list[tuple[Any, ...]]) -> Keys:
        columns = [list(c) for c in zip(*records)]
        at = 1 + len(self.keyed)
        col = dict(zip(self.keyed, columns[1:at]))
        iso = dict(zip(self.dated, columns[at:at + len(self.dated)]))
        picked = dict(zip(self.columns, columns[at + len(self.dated):]))
        return Keys(columns[0], picked, col, iso, dict(self._errors), {})
