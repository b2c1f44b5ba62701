"""Edges of formula KPIs (kpidesk/metrics/formula.py, issue 20): every message parse_formula and
check_formula give, word for word, what the checker lets through and what it refuses, operator
precedence, whitespace and names. Values worked out by hand."""
from __future__ import annotations

import pytest

from kpidesk.errors import ValidationError
from kpidesk.metrics.formula import check_formula, parse_formula

EMPTY = "the formula is empty; e.g. [Monthly cost] / [Resolved tickets]"
BRACKETS = "a KPI name must be written inside matching brackets: [Name]"


def not_a_formula(text: str) -> str:
    return f"{text!r} is not a formula: use numbers, + - * / and [KPI names]"


def not_allowed(text: str) -> str:
    return f"{text!r}: only numbers, + - * /, brackets ( ) and [KPI names] are allowed"


def problems(text):
    with pytest.raises(ValidationError) as err:
        parse_formula(text)
    return err.value.problems


@pytest.mark.parametrize("text", ["", "   ", "\t\n", None])
def test_an_empty_formula(text):
    assert problems(text) == {"formula": EMPTY}


@pytest.mark.parametrize("text", [
    "[A",  # an opening bracket alone
    "A]",  # a closing one alone
    "[A] + B]",
    "[]",  # no name inside: the brackets stay
    "[[A]]",  # the inner [A] is a name, the outer brackets stay
    "[A] / [B",
])
def test_brackets_that_do_not_match(text):
    assert problems(text) == {"formula": BRACKETS}


@pytest.mark.parametrize("text", ["[A] +", "* 2", "([A] + 1", "[A] [B]", "1 2", "[A] +* 2", "[A] = 1"])
def test_what_python_cannot_parse(text):
    assert problems(text) == {"formula": not_a_formula(text)}


@pytest.mark.parametrize("text", [
    "1 + foo",  # a bare word after an accepted number and operator
    "-foo",  # a bare word under an accepted unary minus
    "[A] + foo",  # a bare word after an accepted KPI reference
    "1 + 'x'",  # text after an accepted number and operator
    "-'x'",  # text under an accepted unary minus
    "[A] + 'x'",  # text after an accepted KPI reference
    "-[A] ** 2",  # a power under an accepted unary minus
    "[A] ** 2",
    "[A] // 2",
    "[A] % 2",
    "True + 1",  # a bool is not a number here
    "'x'",
    "2j",
    "[A].real",
    "abs([A])",
    "not [A]",
    "~[A]",
    "[A] < 1",
    "[A], [B]",  # a tuple
    "{[A]: 1}",
])
def test_what_the_checker_refuses(text):
    assert problems(text) == {"formula": not_allowed(text)}


@pytest.mark.parametrize("text", ["_r0", "(_r0) + 1", "[A] + _r0", "[A] * [B] - _r1", "_r1 + [A] + [B]"])
def test_a_placeholder_typed_by_hand_is_refused(text):
    """Names in brackets become _r0, _r1... before Python parses the text: one typed by hand would
    pass for a reference ("[A] + _r0" read as 2 * A) or, with no reference, for nothing at all."""
    assert problems(text) == {"formula": not_allowed(text)}
    assert check_formula(text, ["A", "B"]) == not_allowed(text)


@pytest.mark.parametrize("text, value", [
    ("[A] + [B] * 2", 7.0),  # 1 + 3*2
    ("([A] + [B]) * 2", 8.0),
    ("[A] - [B] - 1", -3.0),  # left to right: (1 - 3) - 1
    ("[A] - ([B] - 1)", -1.0),
    ("12 / [B] / 2", 2.0),  # (12 / 3) / 2
    ("12 / ([B] / 2)", 8.0),
    ("-[A] * [B]", -3.0),
    ("- -[A]", 1.0),
    ("+[B]", 3.0),
    ("-[B] + 10", 7.0),
    ("2 * -[B]", -6.0),
    ("[A]", 1.0),
    ("7", 7.0),
    ("0.5 * [B]", 1.5),
    (".5 + 1e1", 10.5),
    ("1_000 / 1000", 1.0),
    ("1e-3 * 1000", 1.0),
    ("  [A]  +  [B]  ", 4.0),
    ("[A]+[B]", 4.0),
    ("([A])", 1.0),
])
def test_precedence_and_numbers(text, value):
    assert parse_formula(text).evaluate({"A": 1.0, "B": 3.0}) == value


def test_names_are_stripped_kept_in_order_of_first_use_and_the_text_is_kept_as_written():
    text = " [ Monthly cost ] / [Resolved tickets] + [Monthly cost] "
    f = parse_formula(text)
    assert f.text == text
    assert f.refs == ("Monthly cost", "Resolved tickets")
    assert f.evaluate({"Monthly cost": 100.0, "Resolved tickets": 4.0}) == 125.0  # 100 / 4 + 100
    g = parse_formula("[B]*[A]-[B]")
    assert g.refs == ("B", "A")
    assert g.evaluate({"A": 2.0, "B": 5.0}) == 5.0  # 5*2 - 5


def test_names_may_hold_what_would_be_operators():
    f = parse_formula("[Cost (EUR)] / [a+b] - [x/y]")
    assert f.refs == ("Cost (EUR)", "a+b", "x/y")
    assert f.evaluate({"Cost (EUR)": 10.0, "a+b": 4.0, "x/y": 0.5}) == 2.0  # 10/4 - 0.5


def test_missing_values_and_division_by_zero_give_nothing():
    f = parse_formula("[A] / ([B] - 3)")
    assert f.evaluate({"A": 1.0, "B": 3.0}) is None  # divides by zero
    assert f.evaluate({"A": 1.0, "B": None}) is None
    assert f.evaluate({"B": 4.0}) is None
    assert f.evaluate({"A": 6.0, "B": 5.0}) == 3.0
    assert parse_formula("0 * [A]").evaluate({"A": None}) is None  # missing even where it would not matter


def test_check_formula_messages():
    known = ["A", "B", "Cost"]
    assert check_formula("[A] + [B]", known) is None
    assert check_formula("", known) == EMPTY
    assert check_formula("[A", known) == BRACKETS
    assert check_formula("[A] +", known) == not_a_formula("[A] +")
    assert check_formula("[A] ** 2", known) == not_allowed("[A] ** 2")
    assert check_formula("[X] + [A] + [Y] + [X]", known) == "no KPI named 'X', 'Y'"
    assert check_formula("[a]", known) == "no KPI named 'a'"  # names are matched exactly
    assert check_formula("[Cost] + 1", known, own_name="Cost") == "a formula cannot refer to its own KPI"
    assert check_formula("[A] + 1", known, own_name="Cost") is None
    assert check_formula("[A] + 1", known, own_name="") is None


def test_check_formula_names_the_missing_before_the_own_kpi():
    assert check_formula("[Cost] + [Z]", ["Cost"], own_name="Cost") == "no KPI named 'Z'"


def test_check_formula_without_an_own_name_refuses_no_name():
    assert check_formula("[XXXX] + 1", ["XXXX"]) is None
    assert check_formula("[ ]", [" "]) == "no KPI named ''"  # the name is stripped: a name of blanks is ''
