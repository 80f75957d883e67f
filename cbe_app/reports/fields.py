"""What a report source is: its fields, their types and SQL, its joins, and its parts.

A source is a table (or a union of tables, then with its parts: see `reports.parts`), the
fields a spec may name, and the joins those fields need. Field expressions take the compile
context, since some depend on it (a region by the admin's region map, "late" by today).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import case, literal
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from cbe_app.reports.regions import OTHER

FieldType = Literal["text", "number", "money", "date", "time", "bool", "id"]


@dataclass(frozen=True, slots=True)
class CompileContext:
    """What field expressions depend on besides the tables: the region map and the day."""

    region_of: Mapping[str, str] = field(default_factory=dict)
    today: date = date(1970, 1, 1)  # the UTC day of the run's `now` (for "late")

    @property
    def key(self) -> tuple[Any, ...]:
        """Equal for contexts that make the same statements."""
        return (tuple(sorted(self.region_of.items())), self.today)


Expr = Callable[[CompileContext], ColumnElement[Any]]


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One field a spec may use."""

    label: str  # message id
    type: FieldType
    expr: Expr
    joins: tuple[str, ...] = ()  # in the order they must be joined

    @property
    def numeric(self) -> bool:
        """Whether sums and averages apply."""
        return self.type in ("number", "money")


@dataclass(frozen=True, slots=True)
class Source:
    """A table (with optional joins) reports can read."""

    label: str
    table: FromClause
    time_field: str  # what a period filters by default
    fields: Mapping[str, FieldInfo]
    joins: Mapping[str, tuple[FromClause, ColumnElement[bool]]] = field(default_factory=dict)
    # What orders its rows the same way every time (listings page by it): the table's primary
    # key, or these columns of a source that is a union of tables.
    row_key: tuple[str, ...] = ()
    # A union's tables as sources of their own, with the same fields: a summary sums each
    # table on its own and adds the sums up, instead of passing every row through the union.
    parts: tuple[Source, ...] = ()
    # Fields that have one value in every row of this source (a part): a condition on one
    # is decided before the query runs, so a part that cannot match is left out.
    constants: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ordering(self) -> list[ColumnElement[Any]]:
        """The columns that break ties between rows, always in the same way."""
        if self.row_key:
            return [self.table.c[name] for name in self.row_key]
        return list(self.table.primary_key)


def column_expr(column: ColumnElement[Any]) -> Expr:
    """A field that is a plain column (the same in every context)."""
    return lambda _ctx: column


def region_expr(country: ColumnElement[Any], ctx: CompileContext) -> ColumnElement[Any]:
    """The region of a country column, by the admin's region map."""
    if not ctx.region_of:
        return literal(OTHER)
    # One IN list per region (SQLite looks each up in a small index, not one WHEN per
    # country); codes and names are bound as parameters like any other value.
    regions: dict[str, list[str]] = {}
    for code, region in sorted(ctx.region_of.items()):
        regions.setdefault(region, []).append(code)
    whens = [(country.in_(codes), literal(region)) for region, codes in regions.items()]
    return case(*whens, else_=literal(OTHER))


def region_field(country: ColumnElement[Any], label: str, joins: tuple[str, ...] = ()) -> FieldInfo:
    """A text field: the region of a country column."""
    return FieldInfo(label, "text", lambda ctx: region_expr(country, ctx), joins)


def text_field(label: str, column: ColumnElement[Any], *joins: str) -> FieldInfo:
    """A text field that is a column (of a joined table, when `joins` are named)."""
    return FieldInfo(label, "text", column_expr(column), joins)
