"""Edges of the status rules (kpidesk/importing/statuses.py, issue 20): which status words make a
ticket open, resolved or closed, how a status is folded, the manager's overrides and the leading
words of a longer status."""
from __future__ import annotations

import pytest

from kpidesk.importing.statuses import (CATEGORIES, DEFAULT_CATEGORIES, DONE, SERVICENOW_CODES, StatusMap,
                                        fold_status)


def test_fold_status():
    assert fold_status("En curso (Asignada)") == "en curso asignada"
    assert fold_status("  Wárten   auf—Erinnerung! ") == "warten auf erinnerung"
    assert fold_status("CLOSED") == "closed" and fold_status("Straße") == "strasse"  # casefold, not lower
    assert fold_status("a_b") == "a_b"  # \w keeps the underscore
    assert fold_status(6) == "6" and fold_status("") == "" and fold_status("--") == ""


def test_the_categories():
    assert CATEGORIES == ("open", "resolved", "closed") and DONE == {"resolved", "closed"}
    sm = StatusMap()
    for status, category in [("New", "open"), ("Pending", "open"), ("On hold", "open"), ("In Progress", "open"),
                             ("Pendente", "open"), ("En curso", "open"), ("Resolved", "resolved"),
                             ("Solved", "resolved"), ("Closed", "closed"), ("Cancelled", "closed"),
                             ("Geschlossen", "closed"), ("Résolu", "resolved"), ("Clôturé", "closed")]:
        assert sm(status) == category, status
    assert DEFAULT_CATEGORIES["en curso asignada"] == "open" and DEFAULT_CATEGORIES["fatto"] == "resolved"
    assert DEFAULT_CATEGORIES["chiusa"] == "closed" and DEFAULT_CATEGORIES["assegnata"] == "open"
    assert DEFAULT_CATEGORIES["new"] == "open" and "" not in DEFAULT_CATEGORIES


def test_unknown_and_empty_statuses():
    sm = StatusMap()
    assert sm("Frobnicated") is None and sm(None) is None  # None folds to "none", no status
    assert sm("") is None and sm("  ") is None
    assert sm.known("") and sm.known("   ") and sm.known("Closed")
    assert not sm.known("Frobnicated")


def test_the_leading_words_of_a_longer_status_decide():
    sm = StatusMap()
    assert sm("Waiting on Customer (3 days)") == "open"
    assert sm("Closed - Resolved by Caller") == "closed"  # the longest leading words first: 'closed'
    assert sm("Resolved by caller, confirmed") == "resolved"
    assert sm("Frobnicated closed") is None  # not the leading words
    assert sm("Closed") == "closed"


def test_overrides_and_numeric_codes():
    sm = StatusMap({"Frobnicated": "resolved", "New": "closed"})
    assert sm("frobnicated") == "resolved" and sm("NEW") == "closed"
    assert StatusMap()("6") is None
    codes = StatusMap(numeric_codes=SERVICENOW_CODES)
    assert [codes(c) for c in ("1", "5", "6", "7", "8", "-100")] == ["open", "open", "resolved", "closed", "closed",
                                                                      "open"]
    assert codes(6) == "resolved"
    with pytest.raises(ValueError) as e:
        StatusMap({"Done?": "finished"})
    assert str(e.value) == "status 'Done?': the category must be open, resolved or closed, not 'finished'"
    # an override wins over a numeric code
    assert StatusMap({"6": "closed"}, numeric_codes=SERVICENOW_CODES)("6") == "closed"


def test_the_cache_returns_the_same_answer():
    sm = StatusMap()
    assert sm("Frobnicated") is None and sm("Frobnicated") is None
    assert sm("Closed") == "closed" and sm("Closed") == "closed"
    assert sm._cache == {"Frobnicated": None, "Closed": "closed"}


def test_an_empty_status_is_never_looked_up():
    # even a manager's mapping of a blank status does not make blank statuses count
    assert StatusMap({"  ": "open"})("") is None


def test_the_longest_leading_words_found_decide():
    sm = StatusMap()
    assert sm("Closed today") == "closed"  # two words: the first one alone decides
    assert sm("On hold since Monday") == "open"  # only 'on hold' is a status, not 'on'
    assert sm("Waiting on Customer") == "open"


def test_the_cache_stops_at_10000_statuses():
    sm = StatusMap()
    for i in range(10_001):
        sm(f"odd status {i}")
    assert len(sm._cache) == 10_000
    assert sm("odd status 10000") is None  # still answered, just not remembered


def test_a_status_table_is_written_across_lines():
    from kpidesk.importing.statuses import _table

    # line breaks are only where the table's text wraps (even inside a status); empty entries go
    text = "New|on hold|\nEn curso (Asignada)|waiting on cus\ntomer||"
    assert _table(text, "open") == {"new": "open", "on hold": "open", "en curso asignada": "open",
                                    "waiting on customer": "open"}
