"""Formulas over a report's measures: `gross - cancelled - refunds`, `gmv / orders * 100`.

Only measure names, numbers, + - * / and parentheses are allowed; anything else is refused
with a message. Formulas are evaluated in Python on aggregated rows with exact decimals, so
they never reach SQL. Division by zero gives no value (shown empty), not an error.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any

_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_LARGEST = 10**15


class FormulaError(ValueError):
    """The formula is not one we can evaluate; the message says why."""


def _parse(expr: str) -> ast.expr:
    if not expr.strip():
        raise FormulaError("the formula is empty")
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except (SyntaxError, ValueError):  # ValueError: a NUL character
        raise FormulaError(
            f"{expr[:60]!r} is not a formula of measures, numbers and + - * /"
        ) from None
    for node in ast.walk(tree.body):
        if isinstance(node, ast.BinOp | ast.UnaryOp | ast.Name | ast.Load):
            continue
        if isinstance(node, (*_OPERATORS, ast.USub, ast.UAdd)):
            continue
        number = node.value if isinstance(node, ast.Constant) else None
        if isinstance(number, int | float) and not isinstance(number, bool):
            if not abs(number) < _LARGEST:  # also refuses inf and nan
                raise FormulaError(f"{number} is too large a number for a formula")
            continue
        raise FormulaError(f"only measures, numbers and + - * / may appear in {expr[:60]!r}")
    return tree.body


def names_in(expr: str) -> set[str]:
    """The measure names a formula reads (raises FormulaError if it is not a formula)."""
    return {node.id for node in ast.walk(_parse(expr)) if isinstance(node, ast.Name)}


def evaluate(expr: str, values: Mapping[str, Decimal | None]) -> Decimal | None:
    """The formula's value; None when a measure it reads has none or it divides by zero."""
    try:
        value = _eval(_parse(expr), values)
    except (DivisionByZero, InvalidOperation, ZeroDivisionError, _Missing):
        return None
    return value if value.is_finite() and abs(value) < _LARGEST**2 else None


class _Missing(Exception):
    pass


_APPLY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
}


def _eval(node: ast.expr, values: Mapping[str, Decimal | None]) -> Decimal:
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        if value is None:
            raise _Missing
        return value
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if not isinstance(node, ast.BinOp):  # _parse admits nothing else
        raise _Missing
    left, right = _eval(node.left, values), _eval(node.right, values)
    apply: Any = _APPLY.get(type(node.op))
    if apply is not None:
        return Decimal(apply(left, right))
    if right == 0:
        raise _Missing
    return left / right
