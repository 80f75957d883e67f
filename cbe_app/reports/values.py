"""Filter values as typed Python values, checked against the field they filter.

Whatever a builder typed arrives here as JSON (text, number, true/false, a list of them) and
leaves as the Python value the column's type binds as a parameter, or as a message saying
what is wrong with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import not_
from sqlalchemy.sql.elements import ColumnElement

from cbe_app.core.money import to_minor
from cbe_app.reports.catalog import FieldType
from cbe_app.reports.spec import Op

TEXT_OPS = frozenset({Op.EQ, Op.NE, Op.IN, Op.NOT_IN, Op.CONTAINS, Op.STARTS_WITH})
ORDERED_OPS = frozenset({Op.EQ, Op.NE, Op.IN, Op.NOT_IN, Op.GT, Op.GTE, Op.LT, Op.LTE, Op.BETWEEN})
NULL_OPS = frozenset({Op.IS_NULL, Op.NOT_NULL})
OPS_BY_TYPE: dict[FieldType, frozenset[Op]] = {
    "text": TEXT_OPS | NULL_OPS,
    "number": ORDERED_OPS | NULL_OPS,
    "money": ORDERED_OPS | NULL_OPS,
    "id": ORDERED_OPS | NULL_OPS,
    "date": ORDERED_OPS | NULL_OPS,
    "time": ORDERED_OPS | NULL_OPS,
    "bool": frozenset({Op.EQ, Op.NE}) | NULL_OPS,
}
_LISTS = frozenset({Op.IN, Op.NOT_IN, Op.BETWEEN})
_LARGEST = Decimal(10) ** 15  # beyond any amount or count, and within a 64-bit integer in cents


class BadValue(ValueError):
    """A filter value that does not fit its field; the message is for the builder."""


def filter_value(field_type: FieldType, op: Op, raw: Any, base_currency: str) -> Any:
    """The bound value(s) of a filter, or BadValue saying why not."""
    if op in NULL_OPS:
        if raw not in (None, [], ""):
            raise BadValue("takes no value")
        return None
    if op in _LISTS:
        if not isinstance(raw, list) or not raw:
            raise BadValue("needs a list of values")
        if op is Op.BETWEEN and len(raw) != 2:
            raise BadValue("needs exactly two values: from and to")
        return [_one(field_type, item, base_currency) for item in raw]
    if isinstance(raw, list):
        raise BadValue("takes one value, not a list")
    if raw is None:
        raise BadValue("needs a value")
    return _one(field_type, raw, base_currency)


def _one(field_type: FieldType, raw: Any, base_currency: str) -> Any:
    if field_type == "money":  # typed in the base currency's units, stored in its minor units
        return to_minor(_number(raw), base_currency)
    return _READERS[field_type](raw)


def _text(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise BadValue("needs text")
    text = str(raw)
    # SQLite's LIKE stops at a NUL (so '%\0%' would match everything) and PostgreSQL refuses
    # one; no stored text holds control characters, so none can match anyway.
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        raise BadValue("contains a control character")
    return text


def _count(raw: Any) -> int | float:
    number = _number(raw)  # drivers bind int and float, not Decimal
    return int(number) if number == number.to_integral_value() else float(number)


def _id(raw: Any) -> int:
    number = _number(raw)
    if number != number.to_integral_value():
        raise BadValue("needs a whole number")
    return int(number)


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false", "yes", "no"):
        return raw.strip().lower() in ("true", "yes")
    raise BadValue("needs true or false")


def _number(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise BadValue("needs a number")
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise BadValue(f"{str(raw)[:40]!r} is not a number") from None
    if not number.is_finite() or abs(number) >= _LARGEST:
        raise BadValue("needs a number below a million billion")
    return number


def _date(raw: Any) -> date:
    if not isinstance(raw, str):
        raise BadValue("needs a date like 2026-03-31")
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise BadValue(f"{raw[:40]!r} is not a date like 2026-03-31") from None


def _time(raw: Any) -> datetime:
    if not isinstance(raw, str):
        raise BadValue("needs a date or time like 2026-03-31 or 2026-03-31T12:00:00Z")
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(f"{text[:40]!r} is not a date or time") from None
    if len(text) == 10:  # a bare date: its start, in UTC
        return datetime.combine(moment.date(), time(), UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_READERS: dict[str, Any] = {
    "text": _text,
    "bool": _bool,
    "number": _count,
    "id": _id,
    "date": _date,
    "time": _time,
}


_OPERATIONS: dict[Op, Callable[[ColumnElement[Any], Any], ColumnElement[bool]]] = {
    Op.EQ: lambda c, v: c == v,
    Op.NE: lambda c, v: c != v,
    Op.IN: lambda c, v: c.in_(v),
    Op.NOT_IN: lambda c, v: not_(c.in_(v)),
    Op.BETWEEN: lambda c, v: c.between(v[0], v[1]),
    Op.CONTAINS: lambda c, v: c.contains(v, autoescape=True),  # % and _ match themselves
    Op.STARTS_WITH: lambda c, v: c.startswith(v, autoescape=True),
    Op.IS_NULL: lambda c, _: c.is_(None),
    Op.NOT_NULL: lambda c, _: c.is_not(None),
    Op.GT: lambda c, v: c > v,
    Op.GTE: lambda c, v: c >= v,
    Op.LT: lambda c, v: c < v,
    Op.LTE: lambda c, v: c <= v,
}


def apply_filter(column: ColumnElement[Any], op: Op, value: Any) -> ColumnElement[bool]:
    """`column op value`, the value a bound parameter (see `filter_value`)."""
    return _OPERATIONS[op](column, value)
