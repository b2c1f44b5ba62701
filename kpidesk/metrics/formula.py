"""Formula KPIs: an arithmetic expression over other KPIs, e.g. "[Monthly cost] / [Resolved tickets]".

The text is parsed with `ast` and only numbers, + - * /, unary minus and [KPI name] references are
accepted; nothing is ever passed to eval(), so a formula cannot run code.
"""
from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from kpidesk.errors import ValidationError

_REF = re.compile(r"\[([^\[\]]+)\]")
_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
}
_UNARY: dict[type, Callable[[float], float]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}


@dataclass(frozen=True)
class Formula:
    text: str
    refs: tuple[str, ...]  # KPI names, in order of first use
    tree: ast.Expression

    def evaluate(self, values: Mapping[str, float | None]) -> float | None:
        """The formula's value, or None when a referenced value is missing or it divides by zero."""
        names = {f"_r{i}": values.get(name) for i, name in enumerate(self.refs)}
        try:
            return _eval(self.tree.body, names)
        except (_Missing, ZeroDivisionError):
            return None


class _Missing(Exception):
    pass


def parse_formula(text: str) -> Formula:
    """Parse and check a formula; ValidationError with a plain message when it is not one."""
    refs: list[str] = []

    def placeholder(m: re.Match[str]) -> str:
        name = m.group(1).strip()
        if name not in refs:
            refs.append(name)
        return f" _r{refs.index(name)} "

    body = _REF.sub(placeholder, text or "")
    if not body.strip():
        raise ValidationError({"formula": "the formula is empty; e.g. [Monthly cost] / [Resolved tickets]"})
    if "[" in body or "]" in body:
        raise ValidationError({"formula": "a KPI name must be written inside matching brackets: [Name]"})
    try:
        tree = ast.parse(body.strip(), mode="eval")
    except SyntaxError:
        raise ValidationError({"formula": f"{text!r} is not a formula: use numbers, + - * / and [KPI names]"}) from None
    refused = f"{text!r}: only numbers, + - * /, brackets ( ) and [KPI names] are allowed"
    for node in ast.walk(tree):
        if isinstance(node, (ast.Expression, ast.Load)) or type(node) in _BINARY or type(node) in _UNARY:
            continue
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            continue
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            continue
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            continue
        if isinstance(node, ast.Name) and re.fullmatch(r"_r\d+", node.id):
            continue
        raise ValidationError({"formula": refused})
    # A placeholder's name typed outside brackets ("[A] + _r0") would pass above and read as a reference.
    if sum(isinstance(node, ast.Name) for node in ast.walk(tree)) > len(_REF.findall(text)):
        raise ValidationError({"formula": refused})
    return Formula(text=text, refs=tuple(refs), tree=tree)


def check_formula(text: str, known_names: Iterable[str], own_name: str = "") -> str | None:
    """The problem with a formula for the KPI editor, or None when it is fine."""
    try:
        f = parse_formula(text)
    except ValidationError as exc:
        return exc.problems["formula"]
    known = set(known_names)
    missing = [r for r in f.refs if r not in known]
    if missing:
        return "no KPI named " + ", ".join(repr(m) for m in missing)
    if own_name and own_name in f.refs:
        return "a formula cannot refer to its own KPI"
    return None


def _eval(node: ast.AST, names: Mapping[str, float | None]) -> float:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        v = names.get(node.id)
        if v is None:
            raise _Missing
        return float(v)
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, names), _eval(node.right, names))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_eval(node.operand, names))
    raise _Missing  # unreachable: parse_formula accepted only the nodes above
