"""The columns a file import fills, and a first guess at which of the file's columns is which.

Sellers export from many tools (Excel, ERPs, marketplaces' reports, ad platforms) in English or
Chinese, so the guess compares headers loosely: case, spaces, dashes and underscores do not
matter, nor a currency code in brackets ("Amount spent (USD)"), and common spellings in both
languages are known. The person confirms or changes every choice. Some columns may instead be
one value typed for the whole file (an export of one ad platform has no platform column).
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
    constant: bool = False  # may be one value typed for the whole file instead of a column


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
CURRENCY_SUFFIX = re.compile(r"\(\s*([A-Z]{3})\s*\)\s*$")  # "Amount spent (USD)"


def loose(header: str) -> str:
    """A header as the guess compares it: lower case, without spaces and punctuation."""
    return _SEPARATORS.sub("", header.strip().lower())


def _by_loose(headers: Sequence[str]) -> dict[str, str]:
    """The file's headers by their loose form; one with a currency code in brackets also by
    its loose form without it (an exact form wins)."""
    found = {loose(CURRENCY_SUFFIX.sub("", h)): h for h in reversed(headers) if h.strip()}
    return found | {loose(h): h for h in reversed(headers) if h.strip()}


def guess_mapping(headers: Sequence[str], fields: Sequence[ImportField] = FIELDS) -> dict[str, str]:
    """Our column -> the file's header, for each of ours a header plausibly names; a header is
    used once, and an exact name wins over an alias."""
    by_loose = _by_loose(headers)
    taken: set[str] = set()
    guess: dict[str, str] = {}
    for item in sorted(fields, key=lambda f: loose(f.key) not in by_loose):
        for name in (loose(item.key), *item.aliases):
            header = by_loose.get(name)
            if header is not None and header not in taken:
                guess[item.key] = header
                taken.add(header)
                break
    return guess


def check_mapping(
    mapping: Mapping[str, str],
    headers: Sequence[str],
    fields: Sequence[ImportField] = FIELDS,
    constants: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The mapping without blanks, or `ValidationFailed` naming every field to fix; a required
    field may be filled by a constant instead of a column."""
    known = set(headers)
    chosen = {k: v for k, v in mapping.items() if v}
    fixed = {k for k, v in (constants or {}).items() if v.strip()}
    problems: dict[str, str] = {}
    for item in fields:
        header = chosen.get(item.key)
        if header is None:
            if item.constant and item.required and item.key not in fixed:
                problems[item.key] = N_("Choose the column, or type one value for every row.")
            elif item.required and not item.constant:
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
