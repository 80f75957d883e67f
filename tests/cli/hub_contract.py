"""The canonical-record contract of `normalize`, `import` and `sync`, as checks for the CLI tests.

The keys below are the issue's contract, written out independently of the code that emits
them, so that a renamed or missing field fails here and in the docs test alike.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import pycountry
from babel.numbers import get_currency_precision
from openpyxl import Workbook

from cbe_app.hub.canonical import OrderStatus, PaymentStatus, ShipmentStatus
from tests.cli.test_cli import cli

ORDER_KEYS = {
    "kind",
    "provider",
    "external_id",
    "status",
    "provider_status",
    "payment_status",
    "placed_at",
    "currency",
    "total",
    "base_currency",
    "total_base",
    "fx_rate",
    "fx_date",
    "country",
    "customer_email",
    "lines",
}
LINE_KEYS = {"sku", "quantity", "unit_price"}
SHIPMENT_KEYS = {"kind", "provider", "tracking_number", "status", "events"}
EVENT_KEYS = {"at", "status", "description", "location"}
PAYMENT_KEYS = {"kind", "provider", "external_id", "status", "currency", "amount", "order_ref"}
AD_SPEND_KEYS = {
    "kind",
    "provider",
    "day",
    "platform",
    "campaign",
    "country",
    "currency",
    "spend",
    "base_currency",
    "spend_base",
    "fx_rate",
    "fx_date",
    "impressions",
    "clicks",
}
# Every documented field per doc section, nested ones as `lines[].sku`.
DOCUMENTED = {
    "Order": ORDER_KEYS | {f"lines[].{key}" for key in LINE_KEYS},
    "Shipment": SHIPMENT_KEYS | {f"events[].{key}" for key in EVENT_KEYS},
    "Payment": PAYMENT_KEYS,
    "Ad spend": AD_SPEND_KEYS,
}
AD_SPEND_COLUMNS = ("day", "platform", "currency", "spend")  # and optional campaign, country, …
CSV_COLUMNS = (
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

# A recorded response body per provider (tests/fixtures/providers/<provider>/), how many
# records it holds, and its first record as `view` shows it.
RECORDED: dict[str, tuple[str, int, str]] = {
    "amazon": (
        "v2026_search_orders_sandbox_jp.json",
        1,
        "250-1234567-8901234 | shipped | paid | 2024-12-25T02:30:00+00:00 | JPY | 19940 | JP | "
        "buyer-email@marketplace.amazon.co.jp | ECHO-DOT-4-JP-CHARCOAL 1 5980 | "
        "FIRE-TV-4K-MAX-JP 2 6980",
    ),
    "shopify": (
        "orders.json",
        1,
        "450789469 | awaiting_fulfillment | partially_refunded | 2008-01-10T16:00:00+00:00 | "
        "USD | 598.94 | US | bob.norman@hostmail.com",
    ),
    "ebay": (
        "get_orders_page.json",
        3,
        "05-11842-63021 | awaiting_fulfillment | paid | 2024-09-03T17:42:18+00:00 | USD | 45.97 | "
        "US | 7f3c1a9be2d04c61b3a2@members.ebay.com | POLE-CRB-PAIR 2 19.99",
    ),
    "walmart": (
        "get_all_orders.json",
        4,
        "109007446257351 | awaiting_fulfillment | authorized | 2025-03-14T05:14:23.638000+00:00 | "
        "USD | 27.05 | US | 8f3c1a52b7d94e0c9a1f6b2e4d7c5a90@relay.walmart.com | "
        "LED-STRIP-5M-RGB 1 24.99",
    ),
    "woocommerce": (
        "orders_list.json",
        2,
        "727 | awaiting_fulfillment | paid | 2017-03-22T19:28:02+00:00 | USD | 29.35 | US | "
        "john.doe@example.com | 93 2 3.00 | Bar3 1 12.00",
    ),
    "fedex": (
        "track_page_customs_and_label.json",
        2,
        "771230456789 | customs | 4 events | 2024-07-01T08:20:00+00:00 | picked_up | Picked up | "
        "DONGGUAN, CN",
    ),
    "dhl": (
        "tracking_multi.json",
        3,
        "5786694471 | customs | 5 events | 2024-05-13T16:20:00+00:00 | picked_up | "
        "Shipment picked up | Hangzhou-CN",
    ),
    "4px": (
        "tracking_held_in_customs.json",
        1,
        "4PX3001502239871CN | customs | 4 events | 2024-09-29T02:11:00+00:00 | picked_up | "
        "FPX received shipment. | Shenzhen",
    ),
    "paypal": ("transactions_page.json", 6, "1FN09943JY662130R | paid | USD | 45.00 | SO-2001"),
    "stripe": (
        "charges_list.json",
        5,
        "ch_3QfA1b2eZvKYlo2C0a1b2c3d | paid | USD | 49.99 | SO-1001",
    ),
}


def view(record: dict[str, Any]) -> str:
    """A record's telling fields on one line, as RECORDED writes them."""
    if record["kind"] == "order":
        keys = ("external_id", "status", "payment_status", "placed_at", "currency", "total")
        parts = [*(record[k] for k in keys), record["country"], str(record["customer_email"])]
        parts += [f"{ln['sku']} {ln['quantity']} {ln['unit_price']}" for ln in record["lines"]]
    elif record["kind"] == "shipment":
        events = record["events"]
        parts = [record["tracking_number"], record["status"], f"{len(events)} events"]
        parts += list(events[0].values()) if events else []
    elif record["kind"] == "ad_spend":
        keys = ("day", "platform", "campaign", "country", "currency", "spend", "spend_base")
        parts = [*(record[k] for k in keys), str(record["impressions"]), str(record["clicks"])]
    else:
        parts = [record[k] for k in ("external_id", "status", "currency", "amount", "order_ref")]
    return " | ".join(parts)


_DECIMAL = re.compile(r"-?\d+(\.\d+)?")


def run_all(commands: Sequence[Sequence[str]], env: dict[str, str] | None = None) -> list[Any]:
    """Run independent CLI commands side by side (each is a process start of about a second)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda args: cli(*args, env=env), commands))


def decimal_places(value: Any, currency: str) -> Decimal:
    """A contract decimal string with exactly the currency's minor-unit places, as a Decimal."""
    assert isinstance(value, str) and _DECIMAL.fullmatch(value), value
    places = len(value.partition(".")[2])
    assert places == int(get_currency_precision(currency)), (value, currency)
    return Decimal(value)


def utc_time(value: Any) -> datetime:
    """An ISO 8601 time in UTC."""
    assert isinstance(value, str)
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() == timedelta(0), value
    return parsed


def _currency(value: Any) -> str:
    assert isinstance(value, str) and pycountry.currencies.get(alpha_3=value), value
    return value


def _base_amount(record: dict[str, Any], amount: Decimal, base: str, key: str) -> None:
    """`key` holds `amount` at `fx_rate`, in the base currency's minor units (half-even)."""
    assert record["base_currency"] == base
    rate = Decimal(record["fx_rate"])
    assert _DECIMAL.fullmatch(record["fx_rate"]) and rate > 0
    quantum = Decimal(1).scaleb(-int(get_currency_precision(base)))
    expected = (amount * rate).quantize(quantum, ROUND_HALF_EVEN)
    assert decimal_places(record[key], base) == expected, record


def assert_order(record: dict[str, Any], provider: str, base: str) -> None:
    """Every field of a canonical order has the contract's type and vocabulary."""
    assert set(record) == ORDER_KEYS, sorted(set(record) ^ ORDER_KEYS)
    assert record["kind"] == "order" and record["provider"] == provider
    assert record["base_currency"] == base
    assert isinstance(record["external_id"], str) and record["external_id"]
    assert record["status"] in set(OrderStatus)
    assert isinstance(record["provider_status"], str)
    assert record["payment_status"] in set(PaymentStatus)
    placed = utc_time(record["placed_at"])
    currency = _currency(record["currency"])
    total = decimal_places(record["total"], currency)
    _base_amount(record, total, base, "total_base")
    assert date.fromisoformat(record["fx_date"]) <= placed.date()
    assert pycountry.countries.get(alpha_2=record["country"]), record["country"]
    email = record["customer_email"]
    assert email is None or (email == email.strip().lower() and "@" in email), email
    assert isinstance(record["lines"], list)
    for line in record["lines"]:
        assert set(line) == LINE_KEYS, line
        assert isinstance(line["sku"], str) and line["sku"]
        assert type(line["quantity"]) is int and line["quantity"] > 0
        decimal_places(line["unit_price"], currency)


def assert_shipment(record: dict[str, Any], provider: str) -> None:
    """Every field of a canonical shipment has the contract's type and vocabulary."""
    assert set(record) == SHIPMENT_KEYS, sorted(set(record) ^ SHIPMENT_KEYS)
    assert (record["kind"], record["provider"]) == ("shipment", provider)
    assert isinstance(record["tracking_number"], str) and record["tracking_number"]
    assert record["status"] in set(ShipmentStatus)
    times = []
    for event in record["events"]:
        assert set(event) == EVENT_KEYS, event
        times.append(utc_time(event["at"]))
        assert event["status"] in set(ShipmentStatus)
        assert isinstance(event["description"], str) and isinstance(event["location"], str)
    assert times == sorted(times), "events are oldest first"
    if record["events"]:
        assert record["status"] == record["events"][-1]["status"], "status is the latest"


def assert_payment(record: dict[str, Any], provider: str) -> None:
    """Every field of a canonical payment has the contract's type and vocabulary."""
    assert set(record) == PAYMENT_KEYS, sorted(set(record) ^ PAYMENT_KEYS)
    assert (record["kind"], record["provider"]) == ("payment", provider)
    assert isinstance(record["external_id"], str) and record["external_id"]
    assert record["status"] in set(PaymentStatus)
    decimal_places(record["amount"], _currency(record["currency"]))
    assert isinstance(record["order_ref"], str)


def assert_ad_spend(record: dict[str, Any], provider: str, base: str) -> None:
    """Every field of a canonical day of ad spend has the contract's type."""
    assert set(record) == AD_SPEND_KEYS, sorted(set(record) ^ AD_SPEND_KEYS)
    assert (record["kind"], record["provider"]) == ("ad_spend", provider)
    day = date.fromisoformat(record["day"])
    assert isinstance(record["platform"], str) and 0 < len(record["platform"]) <= 40
    assert record["platform"] == record["platform"].strip()
    assert isinstance(record["campaign"], str) and len(record["campaign"]) <= 200
    country = record["country"]
    assert country == "" or pycountry.countries.get(alpha_2=country), country
    spend = decimal_places(record["spend"], _currency(record["currency"]))
    assert spend >= 0
    _base_amount(record, spend, base, "spend_base")
    assert date.fromisoformat(record["fx_date"]) <= day
    for key in ("impressions", "clicks"):
        assert record[key] is None or (type(record[key]) is int and record[key] >= 0), record


def assert_contract(records: Any, provider: str, base: str = "USD") -> None:
    """`normalize` output: a JSON array of canonical records, each exactly as documented."""
    assert isinstance(records, list)
    for record in records:
        kind = record.get("kind")
        if kind == "order":
            assert_order(record, provider, base)
        elif kind == "shipment":
            assert_shipment(record, provider)
        elif kind == "ad_spend":
            assert_ad_spend(record, provider, base)
        else:
            assert kind == "payment", record
            assert_payment(record, provider)


def documented_fields(markdown: str) -> dict[str, set[str]]:
    """The first-column names of each `## Section`'s table, by section title."""
    fields: dict[str, set[str]] = {}
    section = ""
    for line in markdown.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif found := re.match(r"\|\s*`([^`]+)`\s*\|", line):
            fields.setdefault(section, set()).add(found.group(1))
    return fields


# A file import: three lines of one order, a second order, and two orders that cannot be
# accepted (an unknown currency, a date that is not one), with the reasons they are held for.
SO_1 = ("SO-1", datetime(2024, 5, 2, 10, 0), "EUR", "DE", " Anna@Example.DE ")
ORDER_ROWS = [
    (*SO_1, "MUG-1", 2, Decimal("12.50"), "pending"),
    (*SO_1, "TEE-M", 1, Decimal("19.90"), "pending"),
    (*SO_1, "CAP-1", 1, Decimal("0.99"), "pending"),
    ("SO-2", date(2024, 5, 3), "JPY", "Japan", "ken@example.jp", "MUG-1", 3, 1500, "shipped"),
    ("SO-3", date(2024, 5, 3), "XYZ", "US", "x@example.com", "MUG-1", 1, Decimal(5), "pending"),
    ("SO-4", "31/12/2024", "USD", "US", "y@example.com", "MUG-1", 1, Decimal(5), "pending"),
]
BAD_ROWS = {"SO-3": "unknown currency 'XYZ'", "SO-4": "row 7: placed_at is not a date and time"}


def _csv_cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat() if isinstance(value, date) else str(value)


def write_csv(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    """A file import with the contract's columns and these rows (times in ISO 8601, UTC)."""
    lines = [",".join(CSV_COLUMNS)] + [",".join(map(_csv_cell, row)) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    """The same as an Excel workbook, cells typed as a spreadsheet types them."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(CSV_COLUMNS))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def stderr_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The non-empty lines a command wrote to stderr."""
    return [line for line in result.stderr.splitlines() if line.strip()]
