"""A name cell that names several technicians (DESIGN.md: the ticket counts for each of them).

GLPI writes 'Ana Lima<br>Bo Chen' (or a newline inside the quoted cell) when a ticket has two
technicians; other tools use ';'. Those separators always split. A comma splits only when every
part is a person KPI Desk already knows: 'Doe, Jane' is one person written surname first, while
'Ana Lima, Bo Chen' with both known is two.
"""
from __future__ import annotations

import html
import re
from typing import Callable

from kpidesk.people import alias_key

_ALWAYS = re.compile(r"<br\s*/?>|[\r\n;]+", re.I)
NAME_MAX = 200  # technician.display_name's declared length


def clean_name(text: str) -> str:
    """One name as stored: HTML entities decoded (GLPI writes &amp;), spacing folded, cut to the
    column's length."""
    return " ".join(html.unescape(text).split())[:NAME_MAX]


def split_names(cell: str, is_known: Callable[[str], bool]) -> list[str]:
    """The distinct names in a cell, first one first ([] for a blank cell)."""
    parts = [clean_name(p) for p in _ALWAYS.split(cell)]
    parts = [p for p in parts if p]
    out: list[str] = []
    for part in parts:
        pieces = [clean_name(p) for p in part.split(",")]
        pieces = [p for p in pieces if p]
        if len(pieces) > 1 and all(is_known(alias_key(p)) for p in pieces):
            out.extend(pieces)
        else:
            out.append(part)
    seen: set[str] = set()
    unique = []
    for name in out:
        key = alias_key(name)
        if key not in seen:
            seen.add(key)
            unique.append(name)
    return unique


def needs_split(cell: str) -> bool:
    """Cheap test before split_names: most cells hold one plain name."""
    return "<" in cell or "\n" in cell or "\r" in cell or ";" in cell or "," in cell or "&" in cell
