"""Every provider the hub speaks to: its kind, its name for people, and its mapper module."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from cbe_app.hub.accounts import AccountKind
from cbe_app.hub.canonical import MapResult
from cbe_app.hub.providers.base import Connector


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    """What the hub knows of a provider before any account exists."""

    name: str
    title: str
    kind: AccountKind
    package: str
    credentials: tuple[str, ...] = ()  # the secrets the connect form asks for
    address: str = ""  # the production API address, suggested in the connect form
    pulls: bool = True  # synced from an API; False for files people upload

    def mapper(self) -> Callable[[Any], MapResult]:
        """The provider's `map_payload`."""
        module = importlib.import_module(f"cbe_app.hub.providers.{self.package}.mapper")
        return module.map_payload  # type: ignore[no-any-return]

    def retry_payload(self, raw: Any) -> Any:
        """A quarantined raw record in the shape the mapper reads (a page of one, where needed)."""
        wrap = _RETRY_SHAPES.get(self.name)
        return wrap(raw) if wrap is not None and isinstance(raw, Mapping) else raw

    def connector(self) -> Connector:
        """The provider's HTTP connector (`CONNECTOR` in its `client.py`)."""
        module = importlib.import_module(f"cbe_app.hub.providers.{self.package}.client")
        return module.CONNECTOR  # type: ignore[no-any-return]


def _amazon_body(raw: Any) -> Any:
    # v0 orders carry AmazonOrderId and come back as getOrder's `payload`; 2026-01-01 orders
    # come back as getOrder's `order`.
    return {"payload": raw} if "AmazonOrderId" in raw else {"order": raw}


def _fourpx_body(raw: Any) -> Any:
    # Consignments and public tracks sit in a list under `data`; the rest is `data` itself.
    listed = "consignment_info" in raw or "tracks" in raw
    return {"result": "1", "msg": "", "data": [raw] if listed else raw}


# Mappers that only read whole response bodies get a quarantined record back in the body of
# the single-record call that would have returned it (tests/hub/providers/test_retry_shapes.py).
_RETRY_SHAPES: dict[str, Callable[[Any], Any]] = {
    "amazon": _amazon_body,
    "walmart": lambda raw: {"order": raw},
    "4px": _fourpx_body,
}

_S, _C, _P, _M = AccountKind.SALES, AccountKind.CARRIER, AccountKind.PAYMENT, AccountKind.MARKETING
PROVIDERS = MappingProxyType(
    {
        p.name: p
        for p in (
            ProviderInfo(
                "amazon",
                "Amazon",
                _S,
                "amazon",
                ("client_id", "client_secret", "refresh_token", "marketplace_id"),
                "https://sellingpartnerapi-na.amazon.com",
            ),
            ProviderInfo(
                "shopify",
                "Shopify",
                _S,
                "shopify",
                ("access_token", "webhook_secret"),
                "https://your-shop.myshopify.com",
            ),
            ProviderInfo(
                "ebay",
                "eBay",
                _S,
                "ebay",
                ("client_id", "client_secret", "refresh_token"),
                "https://api.ebay.com",
            ),
            ProviderInfo(
                "walmart",
                "Walmart Marketplace",
                _S,
                "walmart",
                ("client_id", "client_secret"),
                "https://marketplace.walmartapis.com",
            ),
            ProviderInfo(
                "woocommerce",
                "WooCommerce",
                _S,
                "woocommerce",
                ("consumer_key", "consumer_secret"),
                "https://your-shop.example",
            ),
            ProviderInfo(
                "fedex",
                "FedEx",
                _C,
                "fedex",
                ("client_id", "client_secret", "webhook_secret"),
                "https://apis.fedex.com",
            ),
            ProviderInfo(
                "dhl",
                "DHL Express",
                _C,
                "dhl",
                ("username", "password", "account_number", "webhook_secret"),
                "https://express.api.dhl.com/mydhlapi",
            ),
            ProviderInfo(
                "4px",
                "4PX",
                _C,
                "fourpx",
                ("app_key", "app_secret", "webhook_secret"),
                "https://open.4px.com",
            ),
            ProviderInfo(
                "paypal",
                "PayPal",
                _P,
                "paypal",
                ("client_id", "client_secret"),
                "https://api-m.paypal.com",
            ),
            ProviderInfo(
                "stripe",
                "Stripe",
                _P,
                "stripe",
                ("secret_key", "webhook_secret"),
                "https://api.stripe.com",
            ),
            ProviderInfo("csv", "Spreadsheet import (CSV/XLSX)", _S, "csvfile", pulls=False),
            ProviderInfo("adspend", "Ad spend import (CSV/XLSX)", _M, "adspend", pulls=False),
        )
    }
)


def provider(name: str) -> ProviderInfo:
    """The provider called `name`; raises ValueError listing the known ones."""
    found = PROVIDERS.get(name.strip().lower())
    if found is None:
        raise ValueError(f"Unknown provider {name!r}; choose from {', '.join(PROVIDERS)}")
    return found
