"""The columns a file import fills, and a first guess at which of the file's columns is which.

Sellers export from many tools (Excel, ERPs, marketplaces' reports) in English or Chinese, so
the guess compares headers loosely: case, spaces, dashes and underscores do not matter, and
common spellings in both languages are known. The person confirms or changes every choice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cbe_app.core.errors import ValidationFailed
from cbe_app.core.i18n import N_


@dataclass(frozen=True, slots=True)
class ImportField:
    """One column of the hub's import format."""

    key: str
    label: str  # a message id
    required: bool
    aliases: tuple[str, ...]  # compared after `_loose`


FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "external_id",
        N_("Order number"),
        True,
        ("orderid", "ordernumber", "orderno", "order", "id", "订单号", "订单编号", "单号"),
    ),
    ImportField(
        "placed_at",
        N_("Order date"),
        True,
        (
            "placedat",
            "orderdate",
            "date",
            "createdat",
            "purchasedate",
            "paidat",
            "下单时间",
            "订单日期",
        ),
    ),
    ImportField("currency", N_("Currency"), True, ("currency", "currencycode", "币种", "货币")),
    ImportField(
        "country",
        N_("Destination country"),
        True,
        ("country", "countrycode", "shipcountry", "shippingcountry", "国家", "目的国", "收件国家"),
    ),
    ImportField(
        "customer_email",
        N_("Buyer e-mail"),
        True,
        ("customeremail", "email", "buyeremail", "邮箱", "买家邮箱", "电子邮件"),
    ),
    ImportField(
        "sku", N_("SKU"), True, ("sku", "sellersku", "itemsku", "lineitemsku", "商品编码", "货号")
    ),
    ImportField("quantity", N_("Quantity"), True, ("quantity", "qty", "lineitemquantity", "数量")),
    ImportField(
        "unit_price",
        N_("Unit price"),
        True,
        ("unitprice", "price", "itemprice", "lineitemprice", "单价", "价格"),
    ),
    ImportField(
        "status",
        N_("Order status"),
        True,
        ("status", "orderstatus", "fulfillmentstatus", "订单状态", "状态"),
    ),
    ImportField(
        "payment_status",
        N_("Payment status"),
        False,
        ("paymentstatus", "financialstatus", "付款状态", "支付状态"),
    ),
    ImportField("shipping", N_("Shipping charged"), False, ("shipping", "shippingprice", "运费")),
    ImportField(
        "customer_name",
        N_("Buyer name"),
        False,
        ("customername", "buyername", "billingname", "shippingname", "收件人", "买家姓名"),
    ),
)
REQUIRED = tuple(f.key for f in FIELDS if f.required)
_SEPARATORS = re.compile(r"[\s_\-./:()]+")


def _loose(header: str) -> str:
    return _SEPARATORS.sub("", header.strip().lower())


def guess_mapping(headers: Sequence[str]) -> dict[str, str]:
    """Our column -> the file's header, for each of ours a header plausibly names; a header is
    used once, and an exact name wins over an alias."""
    by_loose = {_loose(h): h for h in reversed(headers) if h.strip()}
    taken: set[str] = set()
    guess: dict[str, str] = {}
    for item in sorted(FIELDS, key=lambda f: _loose(f.key) not in by_loose):
        for name in (_loose(item.key), *item.aliases):
            header = by_loose.get(name)
            if header is not None and header not in taken:
                guess[item.key] = header
                taken.add(header)
                break
    return guess


def check_mapping(mapping: Mapping[str, str], headers: Sequence[str]) -> dict[str, str]:
    """The mapping without blanks, or `ValidationFailed` naming every field to fix."""
    known = set(headers)
    chosen = {k: v for k, v in mapping.items() if v}
    problems: dict[str, str] = {}
    for item in FIELDS:
        header = chosen.get(item.key)
        if header is None:
            if item.required:
                problems[item.key] = N_("Choose the column that holds this.")
        elif header not in known:
            problems[item.key] = N_("The file has no such column.")
    used = list(chosen.values())
    for key, header in chosen.items():
        if used.count(header) > 1 and key not in problems:
            problems[key] = N_("This column is chosen twice.")
    if problems:
        raise ValidationFailed(problems, N_("Match every required column before importing."))
    return chosen
