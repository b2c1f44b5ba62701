"""One source for each default and rule (issue 20): a default defined twice drifts (the P1 SLA target
changed in one copy and the demo and the import judged by different clocks, with every test green).
The test reads the kpidesk package's source and fails when two modules define the same table."""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path
from typing import Any

import kpidesk
from kpidesk.settings import DEFAULTS, SETTINGS

PACKAGE = Path(kpidesk.__file__).resolve().parent

# Tables defined twice today, each with why it is left so; anything new fails the test.
KNOWN = {
    # the columns a row cannot do without: the import's mapping check and the chunk reader
    frozenset({"kpidesk/importing/presets.py:REQUIRED", "kpidesk/importing/ticket_rows.py:KEY_FIELDS"}),
    # the three statuses a value is judged into, and the signals' list of them
    frozenset({"kpidesk/metrics/status.py:STATUSES", "kpidesk/signals.py:JUDGED"}),
}


def _key(value: Any) -> Any:
    """A hashable, order-insensitive form of a literal (dicts and sets), order-sensitive for sequences."""
    if isinstance(value, dict):
        return ("dict", frozenset((repr(k), _key(v)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return ("set", frozenset(repr(v) for v in value))
    if isinstance(value, (list, tuple)):
        return ("seq", tuple(_key(v) for v in value))
    return repr(value)


def defined_tables() -> dict[Any, set[str]]:
    """{literal: {'module path:NAME', ...}} for every module-level constant of the package that is a
    table (a dict, list, tuple or set of two or more entries written as a literal), and every
    setting's default (settings.SETTINGS)."""
    found: dict[Any, set[str]] = defaultdict(set)
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign):
                names, value = [t.id for t in node.targets if isinstance(t, ast.Name)], node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                names, value = [node.target.id], node.value
            else:
                continue
            try:
                literal = ast.literal_eval(value)
            except (ValueError, SyntaxError, TypeError):
                continue
            if isinstance(literal, (dict, list, tuple, set, frozenset)) and len(literal) >= 2:
                for name in names:
                    found[_key(literal)].add(f"{rel}:{name}")
    for key, spec in SETTINGS.items():
        if isinstance(spec.default, (dict, list, tuple)) and len(spec.default) >= 2:
            found[_key(spec.default)].add(f"setting {key}")
    return found


def test_no_two_modules_define_the_same_table():
    twice = []
    for where in defined_tables().values():
        modules = {w.split(":")[0] for w in where if not w.startswith("setting ")}
        settings = {w for w in where if w.startswith("setting ")}
        # a setting's default written out again anywhere, or one table in two modules
        if (settings and modules - {"kpidesk/settings.py"}) or len(modules) > 1:
            if frozenset(where) not in KNOWN:
                twice.append(sorted(where))
    assert twice == [], f"defined twice (keep one and import it): {twice}"


def test_the_known_duplicates_are_still_there():
    # when one of them is merged, take it off KNOWN so it cannot come back
    tables = [frozenset(w) for w in defined_tables().values()]
    assert [k for k in KNOWN if k not in tables] == []


def test_the_sla_targets_have_one_source():
    assert DEFAULTS["sla_hours"] == {"P1": 4, "P2": 8, "P3": 24, "P4": 72}  # DESIGN.md
    where = defined_tables()[_key(DEFAULTS["sla_hours"])]
    assert where == {"setting sla_hours"}
    import kpidesk.tickets as tickets

    assert not hasattr(tickets, "DEFAULT_SLA_HOURS")


def test_the_scan_finds_a_table_defined_twice(tmp_path, monkeypatch):
    # the test can fail: a second copy of the SLA table in a module of its own is found
    fake = tmp_path / "kpidesk"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "a.py").write_text('SLA = {"P1": 4, "P2": 8, "P3": 24, "P4": 72}\nONE = (1,)\nNOT = f(1, 2)\n')
    (fake / "b.py").write_text('HOURS: dict = {"P4": 72, "P3": 24, "P2": 8, "P1": 4}\nX = "P1"\n')
    monkeypatch.setitem(globals(), "PACKAGE", fake)
    where = defined_tables()[_key(DEFAULTS["sla_hours"])]
    assert where == {"kpidesk/a.py:SLA", "kpidesk/b.py:HOURS", "setting sla_hours"}
    assert all("ONE" not in w and "NOT" not in w for ws in defined_tables().values() for w in ws)
