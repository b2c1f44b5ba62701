"""Edges of the metrics vocabulary (kpidesk/metrics/model.py, issue 20): segments and splits in any
case, period lengths and cadences, scope keys, and the exact message of every refusal."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.errors import ValidationError
from kpidesk.metrics.model import (MetricValue, Scope, check_granularity, granularity_of, segments_of,
                                   split_of_segment)


def refusal(fn, arg):
    with pytest.raises(ValidationError) as err:
        fn(arg)
    return err.value.problems


@pytest.mark.parametrize("segment, split", [
    (None, None), ("", None),
    ("P1", "priority"), ("p1", "priority"), ("P4", "priority"), ("p4", "priority"),
    ("incident", "type"), ("INCIDENT", "type"), ("Incident", "type"), ("request", "type"), ("REQUEST", "type"),
])
def test_the_split_of_a_segment(segment, split):
    assert split_of_segment(segment) == split


@pytest.mark.parametrize("segment", ["P0", "P5", "p", "1", " P1", "incidents", "service request", " "])
def test_an_unknown_segment(segment):
    assert refusal(split_of_segment, segment) == {
        "segment": f"unknown segment {segment!r}: use P1-P4, incident or request"}


def test_the_segments_of_a_split():
    assert segments_of(None) == (None,)
    assert segments_of("priority") == ("P1", "P2", "P3", "P4")
    assert segments_of("type") == ("incident", "request")


@pytest.mark.parametrize("split", ["Priority", "TYPE", "", "tier", "segment"])
def test_an_unknown_split(split):
    assert refusal(segments_of, split) == {"split": f"unknown split {split!r}: use priority or type"}


@pytest.mark.parametrize("cadence, granularity", [
    ("daily", "week"), ("weekly", "week"), ("monthly", "month"), ("quarterly", "quarter"),
    (None, "month"), ("", "month"), ("yearly", "month"), ("Weekly", "month"), ("half-yearly", "month"),
])
def test_the_period_length_of_a_cadence(cadence, granularity):
    assert granularity_of(cadence) == granularity


@pytest.mark.parametrize("granularity", ["week", "month", "quarter", "year", "half"])
def test_the_period_lengths_accepted(granularity):
    assert check_granularity(granularity) == granularity


@pytest.mark.parametrize("granularity", ["HALF", "Half", "half-year", "Week", "day", "fortnight", ""])
def test_a_period_length_refused(granularity):
    assert refusal(check_granularity, granularity) == {
        "granularity": f"{granularity!r}: use week, month, quarter or year"}


@pytest.mark.parametrize("key, scope", [
    ("desk", Scope("desk")),
    ("team:3", Scope("team", 3)),
    ("technician:12", Scope("technician", 12)),
    ("technician:007", Scope("technician", 7)),
    ("team:0", Scope("team", 0)),
    ("group:Service Desk", Scope("group", "Service Desk")),
    ("group:12", Scope("group", "12")),  # a group named by digits keeps its name as text
    ("group:a:b", Scope("group", "a:b")),  # only the first colon separates
    ("group: Net ", Scope("group", " Net ")),  # kept as written
])
def test_a_scope_key(key, scope):
    parsed = Scope.parse(key)
    assert parsed == scope
    assert type(parsed.id) is type(scope.id)


@pytest.mark.parametrize("key", [
    "Desk", "desk:1", " desk", "", "team", "team:", "team:x", "team:-1", "team: 3", "team:3.0",
    "technician:abc", "technician:1:2", "group:", "group:  ", "group", "person:5", ":5", "Team:3",
    "team:²", "technician:¹",  # digits to str.isdigit(), not to int()
])
def test_a_key_that_is_no_scope(key):
    assert refusal(Scope.parse, key) == {
        "scope": f"{key!r} is not a ticket scope (desk, team:<id>, technician:<id> or group:<name>)"}


@pytest.mark.parametrize("scope, key", [
    (Scope("desk"), "desk"), (Scope("team", 3), "team:3"), (Scope("group", "a:b"), "group:a:b"),
])
def test_a_scope_key_round_trip(scope, key):
    assert scope.key == key
    assert Scope.parse(key) == scope


def test_a_metric_value_replaced_is_a_new_record_with_the_rest_kept():
    v = MetricValue("mttr_hours", "technician", "Ann", "2026-10", "P1", 12.5, 4, scope_id=7,
                    period_start=dt.date(2026, 10, 1), extra={"median": 10.0})
    w = v.replace(value=None, count=0)
    assert w is not v
    assert (w.kpi, w.scope, w.who, w.period, w.segment, w.value, w.count, w.scope_id, w.period_start, w.extra) == (
        "mttr_hours", "technician", "Ann", "2026-10", "P1", None, 0, 7, dt.date(2026, 10, 1), {"median": 10.0})
    assert (v.value, v.count) == (12.5, 4)  # the first one is unchanged
    assert v.replace() == v and v.replace() is not v
    assert v.replace(scope="desk").scope_key == "desk"
    assert w.scope_key == "technician:7"
