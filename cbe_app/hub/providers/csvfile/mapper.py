"""File import: one row per order line; rows of one order share its `external_id`.

Columns: external_id, placed_at, currency, country, customer_email, sku, quantity,
unit_price, status (and optionally payment_status, shipping, customer_name). A file with other
headers is first renamed through a column mapping (`apply_mapping`), built in the UI. Status
keys: `status` (and `payment_status`, empty meaning paid), through the `csv` status map.
Every problem names its row number (the header is row 1), and a bad row rejects its whole
order with all of that order's rows kept, so the file can be fixed and imported again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from cbe_app.hub.canonical import MappedLine, MappedOrder, MapResult, RecordKind, Reject
from cbe_app.hub.providers.parsing import MappingError, money, text, timestamp

PROVIDER = "csv"
COLUMNS = (
    "external_id",
    "placed_at",
    "currency",
    "country",
    "customer_email",
    "sku",
    "quantity",
    "unit_price",
    "status",
)
OPTIONAL = ("payment_status", "shipping", "customer_name")
Row = dict[str, Any]


def read_csv(content: str) -> list[Row]:
    """The rows of a CSV text (UTF-8, a byte-order mark tolerated), numbered from 2."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    return [
        {**{k.strip(): v for k, v in row.items() if k}, "_row": n}
        for n, row in enumerate(reader, start=2)
    ]


def apply_mapping(rows: Iterable[Row], mapping: Mapping[str, str]) -> list[Row]:
    """Rows with the file's columns renamed to ours (`mapping`: our column -> file column)."""
    return [
        {**{ours: row.get(theirs, "") for ours, theirs in mapping.items()}, "_row": row.get("_row")}
        for row in rows
    ]


def _quantity(value: Any, row: int) -> int:
    raw = text(value)
    if not raw.isdigit() or int(raw) <= 0:
        raise MappingError(f"row {row}: quantity must be a whole number above 0, not {raw!r}")
    return int(raw)


def _line(row: Row) -> MappedLine:
    number = row.get("_row", "?")
    sku = text(row.get("sku"))
    if not sku:
        raise MappingError(f"row {number}: sku is empty")
    try:
        price = money(row.get("unit_price"), "unit_price")
    except MappingError as exc:
        raise MappingError(f"row {number}: {exc}") from None
    return MappedLine(sku=sku, quantity=_quantity(row.get("quantity"), number), unit_price=price)


def _order(rows: list[Row]) -> MappedOrder:
    first = rows[0]
    number = first.get("_row", "?")
    missing = [c for c in COLUMNS if c not in first]
    if missing:
        raise MappingError(f"the file has no column {', '.join(missing)}")
    lines = tuple(_line(row) for row in rows)
    shipping = money(first["shipping"], "shipping") if text(first.get("shipping")) else Decimal(0)
    try:
        placed = timestamp(text(first["placed_at"]), "placed_at")
    except MappingError as exc:
        raise MappingError(f"row {number}: {exc}") from None
    return MappedOrder(
        provider=PROVIDER,
        external_id=text(first["external_id"]),
        provider_status=text(first["status"]),
        provider_payment_status=text(first.get("payment_status")),
        placed_at=placed,
        updated_at=None,
        currency=text(first["currency"]) or None,
        total=sum((ln.unit_price * ln.quantity for ln in lines), Decimal(0)) + shipping,
        country=text(first["country"]) or None,
        customer_email=text(first["customer_email"]) or None,
        customer_name=text(first.get("customer_name")),
        shipping=shipping,
        lines=lines,
    )


def map_rows(rows: Iterable[Row]) -> MapResult:
    """Group rows by order and map each order; a bad row rejects its order with all its rows."""
    result = MapResult()
    orders: dict[str, list[Row]] = {}
    for row in rows:
        key = text(row.get("external_id"))
        if not key:
            result.rejects.append(
                Reject(
                    PROVIDER,
                    RecordKind.ORDER,
                    "",
                    f"row {row.get('_row', '?')}: external_id is empty",
                    row,
                )
            )
            continue
        orders.setdefault(key, []).append(row)
    for key, group in orders.items():
        try:
            result.add(_order(group), group)
        except MappingError as exc:
            result.rejects.append(Reject(PROVIDER, RecordKind.ORDER, key, str(exc), group))
    return result


def map_payload(payload: Any) -> MapResult:
    """Map a CSV text, already-read rows (`{"column": value, "_row": n}`), or one such row (a
    quarantined row without an order number, retried on its own)."""
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8-sig")
    if isinstance(payload, str):
        return map_rows(read_csv(payload))
    if isinstance(payload, list):
        return map_rows(payload)
    if isinstance(payload, dict):
        return map_rows([payload])
    raise MappingError("a file import needs CSV text or a list of rows")
