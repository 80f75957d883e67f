"""The demo's connector accounts: one per provider, pointed at the local sandboxes.

Codes of the sales accounts are the demo's channel codes, so the channels the connectors
fill are the ones the demo's reference data knows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from cbe_app.db import upsert
from cbe_app.demo.records import DemoDataset
from cbe_app.hub.accounts import Account
from cbe_app.hub.catalog import Channel
from cbe_app.hub.connect import connect_account
from cbe_app.hub.orders import OrderTracking, SalesOrder
from cbe_app.hub.providers.amazon.render import DEMO_MARKETPLACES
from cbe_app.hub.providers.registry import PROVIDERS
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS
from cbe_app.hub.sandbox.data import carrier_knows

DEMO_ACCOUNTS = (
    ("amazon", "Amazon", "amazon"),
    ("shopify", "Shopify store", "shopify"),
    ("ebay", "eBay", "ebay"),
    ("walmart", "Walmart Marketplace", "walmart"),
    ("woocommerce", "WooCommerce shop", "woocommerce"),
    ("fedex", "FedEx", "fedex"),
    ("dhl", "DHL Express", "dhl"),
    ("4px", "4PX", "4px"),
    ("paypal", "PayPal", "paypal"),
    ("stripe", "Stripe", "stripe"),
)

# The demo seller sells on every Amazon marketplace the demo has, from one account.
_DEMO_SETTINGS: dict[str, dict[str, object]] = {
    "amazon": {"marketplace_ids": list(DEMO_MARKETPLACES)}
}


def connect_demo_accounts(session: Session, sandbox_url: str, now: datetime) -> list[str]:
    """Create the demo accounts that do not exist yet; returns the codes created."""
    existing = set(session.scalars(select(col(Account.code))))
    created = []
    for code, name, provider in DEMO_ACCOUNTS:
        if code in existing or provider not in PROVIDERS:
            continue
        connect_account(
            session,
            code=code,
            name=name,
            provider_name=provider,
            base_url=f"{sandbox_url.rstrip('/')}/{provider}",
            credentials=dict(DEMO_CREDENTIALS[provider]),
            now=now,
            settings={"requests_per_second": 0, **_DEMO_SETTINGS.get(provider, {})},
        )
        created.append(code)
    return created


def record_demo_labels(session: Session, data: DemoDataset, channel: str, now: datetime) -> int:
    """The tracking numbers of a channel's demo parcels, as labels bought through the hub.

    Marketplaces such as Amazon do not return the seller's tracking numbers in their order
    API: the seller tells them. In the demo, the hub "bought" those labels, so it knows them
    (only those bought by `now`: the carrier has not heard of a later one yet).
    """
    channel_id = session.scalar(select(col(Channel.id)).where(col(Channel.code) == channel))
    if channel_id is None:
        return 0
    ids = dict(
        session.execute(
            select(col(SalesOrder.external_id), col(SalesOrder.id)).where(
                col(SalesOrder.channel_id) == channel_id
            )
        ).all()
    )
    rows = [
        {
            "order_id": ids[o.external_id],
            "tracking_number": o.shipment.tracking_number,
            "carrier": o.shipment.carrier_code,
        }
        for o in data.orders()
        if o.channel_code == channel
        and o.shipment
        and carrier_knows(o.shipment, now)
        and o.external_id in ids
    ]
    upsert(session, OrderTracking.__table__, rows, keys=["order_id", "tracking_number"], update=())  # type: ignore[attr-defined]
    return len(rows)
