"""What both Amazon Orders API versions share: the provider name, marketplaces, amounts.

Amazon leaves the order total out until it has priced an order (`Pending`), and the shipping
address out unless the seller asked with a Restricted Data Token; the order's marketplace
still says which currency it is sold in and which country it ships to, so the hub can hold
it (with `total=None`) until a later sync brings the prices.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

from cbe_app.hub.providers.parsing import MappingError, field, money, text

PROVIDER: Final = "amazon"

# Marketplace id → (currency, country), from "Marketplace IDs" in the SP-API documentation
# (https://developer-docs.amazon.com/sp-api/docs/marketplace-ids). Each marketplace sells in
# its country's currency; Amazon writes the United Kingdom "UK", the table uses ISO "GB".
MARKETPLACES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        # North America
        "A2EUQ1WTGCTBG2": ("CAD", "CA"),
        "ATVPDKIKX0DER": ("USD", "US"),
        "A1AM78C64UM0Y8": ("MXN", "MX"),
        "A2Q3Y263D00KWC": ("BRL", "BR"),
        # Europe, Middle East, Africa, India
        "A28R8C7NBKEWEA": ("EUR", "IE"),
        "A1RKKUPIHCS9HS": ("EUR", "ES"),
        "A1F83G8C2ARO7P": ("GBP", "GB"),
        "A13V1IB3VIYZZH": ("EUR", "FR"),
        "AMEN7PMS3EDWL": ("EUR", "BE"),
        "A1805IZSGTT6HS": ("EUR", "NL"),
        "A1PA6795UKMFR9": ("EUR", "DE"),
        "APJ6JRA9NG5V4": ("EUR", "IT"),
        "A2NODRKZP88ZB9": ("SEK", "SE"),
        "AE08WJ6YKNBMC": ("ZAR", "ZA"),
        "A1C3SOZRARQ6R3": ("PLN", "PL"),
        "ARBP9OOSHTCHU": ("EGP", "EG"),
        "A33AVAJ2PDY3EV": ("TRY", "TR"),
        "A17E79C6D8DWNP": ("SAR", "SA"),
        "A2VIGQ35RCS4UG": ("AED", "AE"),
        "A21TJRUUN4KGV": ("INR", "IN"),
        # Far East
        "A19VAU5U5O7RUS": ("SGD", "SG"),
        "A39IBJ37TRP1C6": ("AUD", "AU"),
        "A1VC38T7YXB528": ("JPY", "JP"),
    }
)


def required_text(data: Mapping[str, Any], *path: str) -> str:
    """The trimmed text at `path`; a missing or blank value is an error naming the path."""
    value = text(field(data, *path))
    if not value:
        raise MappingError(f"{'.'.join(path)} is empty")
    return value


def order_currency(stated: Any, marketplace_id: str, what: str) -> str:
    """The currency the order states, else the one its marketplace sells in."""
    code = text(stated)
    if code:
        return code
    known = MARKETPLACES.get(marketplace_id)
    if known is None:
        raise MappingError(
            f"{what} is missing and marketplace {marketplace_id!r} is not one whose currency "
            "is known"
        )
    return known[0]


def order_country(stated: Any, marketplace_id: str) -> str | None:
    """The destination country the address states, else the marketplace's country."""
    code = text(stated)
    if code:
        return code
    known = MARKETPLACES.get(marketplace_id)
    return known[1] if known else None


def amount_in(
    value: Any, currency: str, what: str, *, amount_key: str, currency_key: str
) -> Decimal:
    """An Amazon money object's amount, checked to be in the order's currency.

    Args:
        value: the money object (`{"CurrencyCode", "Amount"}` in v0, `{"currencyCode",
            "amount"}` in 2026-01-01).
        currency: the order's currency.
        what: where the amount sits, for error messages.
        amount_key: the key of the amount.
        currency_key: the key of the currency code.

    Raises:
        MappingError: when it is not a money object, not a number, or in another currency.
    """
    if not isinstance(value, Mapping):
        raise MappingError(f"{what} is not an amount: {value!r}")
    stated = text(value.get(currency_key))
    if stated and stated.upper() != currency.upper():
        raise MappingError(f"{what} is in {stated}, the order in {currency}")
    return money(value.get(amount_key), f"{what}.{amount_key}")


def whole_quantity(value: Any, what: str) -> int:
    """A count of units (Amazon sends integers; digit strings are read too)."""
    if value is None:
        raise MappingError(f"{what} is missing")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise MappingError(f"{what} is not a whole number of units: {value!r}")


def item_list(order: Mapping[str, Any], key: str) -> list[Any]:
    """The order's item list under `key` ([] when absent)."""
    items = order.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise MappingError(f"{key} is not a list")
    return items
