"""Sources made of two tables side by side: inventory, and marketing.

Inventory turnover sets the cost of goods sold (product sales days) against the stock it
came from (stock days); CAC sets ad spend against the customers won (the cohorts). Each is
one source whose rows are both tables' rows, so that one spec computes the figure; fields a
table has no column for are constants in its rows (a sales day holds no stock: 0; a stock
day is a stock record: true).

Each table is also a source of its own (the union's `parts`), with the same fields: a
summary sums each table on its own and adds the sums (`reports.parts`), which reads each
table through its index instead of passing every row through the union. Listings and
drill-downs read the union.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Integer,
    String,
    Table,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from cbe_app.core.i18n import N_
from cbe_app.hub.catalog import Product, Warehouse
from cbe_app.hub.inventory import StockDay
from cbe_app.hub.marketing import AdSpend
from cbe_app.reports.fields import (
    FieldInfo,
    FieldType,
    Source,
    column_expr,
    region_field,
)
from cbe_app.reports.models import COHORTS, ProductSalesDay

WAREHOUSES: Table = Warehouse.__table__  # type: ignore[attr-defined]
PRODUCTS: Table = Product.__table__  # type: ignore[attr-defined]
STOCK_DAYS: Table = StockDay.__table__  # type: ignore[attr-defined]
SALES_DAYS: Table = ProductSalesDay.__table__  # type: ignore[attr-defined]
AD_SPEND: Table = AdSpend.__table__  # type: ignore[attr-defined]

Columns = Mapping[str, Any]  # a table's column for each name, or its constant value
_SQL_TYPES = {"bool": Boolean, "text": String, "date": Date, "id": Integer}


@dataclass(frozen=True, slots=True)
class Part:
    """One table of a combined source: its column for each name, constants where it has none."""

    table: FromClause
    columns: Columns


@dataclass(frozen=True, slots=True)
class Spec:
    """A field of a combined source: its label and type, and how it reads the named columns
    (joins named by key, each a table and its condition over the columns)."""

    label: str
    type: FieldType
    read: Callable[[Columns], Any]
    joins: tuple[str, ...] = ()


Joins = Mapping[str, Callable[[Columns], tuple[FromClause, ColumnElement[bool]]]]


def _sql(value: Any, kind: str) -> ColumnElement[Any]:
    """A column, or a constant as a typed literal (NULL typed too, for the union)."""
    if isinstance(value, ColumnElement):
        return value
    sql_type = _SQL_TYPES.get(kind, BigInteger)
    return cast(null(), sql_type) if value is None else literal(value, sql_type())


def _field(spec: Spec, columns: Columns, kinds: Mapping[str, str]) -> FieldInfo:
    value = spec.read({k: _sql(v, kinds.get(k, "number")) for k, v in columns.items()})
    if isinstance(value, FieldInfo):  # a field built by a helper (a region)
        return FieldInfo(spec.label, spec.type, value.expr, spec.joins)
    return FieldInfo(spec.label, spec.type, column_expr(value), spec.joins)


def _constants(specs: Mapping[str, Spec], columns: Columns) -> dict[str, Any]:
    """Fields that read a constant in this table (for now: the plain constant columns)."""
    found = {}
    for name, spec in specs.items():
        if not spec.joins and name in columns and not isinstance(columns[name], ColumnElement):
            found[name] = columns[name]
        elif spec.joins and any(columns.get(k, 0) is None for k in _KEYS.get(name, ())):
            found[name] = None  # joined through a key this table does not have
    return found


_KEYS = {"warehouse": ("warehouse_id",), "warehouse_country": ("warehouse_id",)}


def combined(
    label: str,
    time_field: str,
    specs: Mapping[str, Spec],
    *,
    joins: Joins,
    parts: list[Part],
    kinds: Mapping[str, str],
    row_key: tuple[str, ...],
) -> Source:
    """The union of the parts as one source, with each part as a source of its own."""
    names = list(parts[0].columns)
    union = union_all(
        *(
            select(*(_sql(part.columns[n], kinds.get(n, "number")).label(n) for n in names))
            for part in parts
        )
    ).subquery(label.lower())
    whole = {n: union.c[n] for n in names}

    def source(table: FromClause, columns: Columns, constants: Mapping[str, Any]) -> Source:
        sql = {k: _sql(v, kinds.get(k, "number")) for k, v in columns.items()}
        return Source(
            label,
            table,
            time_field,
            {name: _field(spec, columns, kinds) for name, spec in specs.items()},
            {key: make(sql) for key, make in joins.items()},
            row_key=row_key if table is union else (),
            constants=constants,
        )

    tables = tuple(source(p.table, p.columns, _constants(specs, p.columns)) for p in parts)
    return replace(source(union, whole, {}), parts=tables)


_PRODUCT = ("product",)
_INVENTORY_SPECS: dict[str, Spec] = {
    "day": Spec(N_("Day"), "date", lambda c: c["day"]),
    "warehouse": Spec(N_("Warehouse"), "text", lambda c: WAREHOUSES.c.code, ("warehouse",)),
    "warehouse_country": Spec(
        N_("Warehouse country"), "text", lambda c: WAREHOUSES.c.country, ("warehouse",)
    ),
    "sku": Spec(N_("SKU"), "text", lambda c: PRODUCTS.c.sku, _PRODUCT),
    "product": Spec(N_("Product"), "text", lambda c: PRODUCTS.c.name, _PRODUCT),
    "category": Spec(N_("Category"), "text", lambda c: PRODUCTS.c.category, _PRODUCT),
    "on_hand": Spec(N_("Units on hand"), "number", lambda c: c["on_hand"]),
    "stock_value_base": Spec(N_("Stock value at cost"), "money", lambda c: c["stock_value_base"]),
    "units_sold": Spec(N_("Units sold"), "number", lambda c: c["units_sold"]),
    "cogs_base": Spec(N_("Cost of goods sold"), "money", lambda c: c["cogs_base"]),
    "revenue_base": Spec(N_("Sales of the products"), "money", lambda c: c["revenue_base"]),
    "snapshot": Spec(N_("Stock record"), "bool", lambda c: c["snapshot"]),
}
_INVENTORY_JOINS: Joins = {
    "warehouse": lambda c: (WAREHOUSES, WAREHOUSES.c.id == c["warehouse_id"]),
    "product": lambda c: (PRODUCTS, PRODUCTS.c.id == c["product_id"]),
}
_S, _D = STOCK_DAYS.c, SALES_DAYS.c
INVENTORY = combined(
    N_("Inventory"),
    "day",
    _INVENTORY_SPECS,
    joins=_INVENTORY_JOINS,
    parts=[
        Part(
            STOCK_DAYS,
            {
                "day": _S.day,
                "warehouse_id": _S.warehouse_id,
                "product_id": _S.product_id,
                "on_hand": cast(_S.on_hand, BigInteger),
                "stock_value_base": _S.value_base_minor,
                "units_sold": 0,
                "cogs_base": 0,
                "revenue_base": 0,
                "snapshot": True,
            },
        ),
        Part(
            SALES_DAYS,
            {
                "day": _D.day,
                "warehouse_id": None,
                "product_id": _D.product_id,
                "on_hand": 0,
                "stock_value_base": 0,
                "units_sold": cast(_D.units, BigInteger),
                "cogs_base": _D.cogs_base_minor,
                "revenue_base": _D.revenue_base_minor,
                "snapshot": False,
            },
        ),
    ],
    kinds={"snapshot": "bool", "day": "date", "warehouse_id": "id", "product_id": "id"},
    row_key=("day", "product_id", "snapshot", "warehouse_id"),
)

_MARKETING_SPECS: dict[str, Spec] = {
    "day": Spec(N_("Day"), "date", lambda c: c["day"]),
    "country": Spec(N_("Country"), "text", lambda c: c["country"]),
    "region": Spec(N_("Region"), "text", lambda c: region_field(c["country"], N_("Region"))),
    "platform": Spec(N_("Ad platform"), "text", lambda c: c["platform"]),
    "campaign": Spec(N_("Campaign"), "text", lambda c: c["campaign"]),
    "spend_base": Spec(N_("Ad spend"), "money", lambda c: c["spend_base"]),
    "impressions": Spec(N_("Impressions"), "number", lambda c: c["impressions"]),
    "clicks": Spec(N_("Clicks"), "number", lambda c: c["clicks"]),
    "new_customers": Spec(N_("New customers"), "number", lambda c: c["new_customers"]),
    "repeat_customers": Spec(
        N_("New customers who ordered again"), "number", lambda c: c["repeat_customers"]
    ),
    "cohort_revenue_base": Spec(
        N_("Revenue from new customers to date"), "money", lambda c: c["cohort_revenue_base"]
    ),
}
_A, _C = AD_SPEND.c, COHORTS.c
MARKETING = combined(
    N_("Marketing"),
    "day",
    _MARKETING_SPECS,
    joins={},
    parts=[
        Part(
            AD_SPEND,
            {
                "day": _A.day,
                "country": _A.country,
                "platform": _A.platform,
                "campaign": _A.campaign,
                "spend_base": _A.spend_base_minor,
                "impressions": func.coalesce(_A.impressions, 0),
                "clicks": func.coalesce(_A.clicks, 0),
                "new_customers": 0,
                "repeat_customers": 0,
                "cohort_revenue_base": 0,
                "row_id": _A.id,
            },
        ),
        Part(
            COHORTS,
            {
                "day": _C.day,
                "country": _C.country,
                "platform": None,
                "campaign": None,
                "spend_base": 0,
                "impressions": 0,
                "clicks": 0,
                "new_customers": _C.buyers,
                "repeat_customers": _C.repeat_buyers,
                "cohort_revenue_base": _C.revenue_minor,
                "row_id": 0,
            },
        ),
    ],
    kinds={
        "day": "date",
        "country": "text",
        "platform": "text",
        "campaign": "text",
        "row_id": "id",
    },
    row_key=("day", "country", "row_id"),
)
