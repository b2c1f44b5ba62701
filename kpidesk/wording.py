"""Counts in words, right for one and for many ("1 ticket", "3 tickets"), for every surface: the
windows, the command line, the PDF and the workbook."""
from __future__ import annotations

# Nouns whose plural is not the noun plus "s".
IRREGULAR = {"person": "people", "entry": "entries", "reply": "replies", "category": "categories",
             "priority": "priorities", "match": "matches", "alias": "aliases", "status": "statuses",
             "analysis": "analyses", "this": "these", "is": "are", "was": "were", "has": "have"}


def plural(n: float | int, noun: str, many: str | None = None) -> str:
    """The noun as `n` takes it: plural(1, 'ticket') == 'ticket', plural(2, 'ticket') == 'tickets'."""
    if n == 1:
        return noun
    if many is not None:
        return many
    return IRREGULAR.get(noun, noun + "s")


def count(n: float | int, noun: str, many: str | None = None) -> str:
    """'1 ticket', '0 tickets', '1,250 tickets'."""
    number = f"{n:,}" if isinstance(n, int) else f"{n:g}"
    return f"{number} {plural(n, noun, many)}"
