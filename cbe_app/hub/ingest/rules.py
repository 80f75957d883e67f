"""The rules an account's records are ingested with, read from the database once per page.

Status maps as the admin edited them, and the channel's SKU map (a channel's own SKU to ours),
so that a sync, a webhook, a file import and a quarantine retry all normalise alike.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from cbe_app.hub.accounts import Account
from cbe_app.hub.catalog import ChannelSku, Product
from cbe_app.hub.connect import account_ref
from cbe_app.hub.ingest.context import IngestContext
from cbe_app.hub.statusmap import StatusMaps
from cbe_app.hub.statusmaps_store import stored_status_maps


def sku_map(session: Session, channel_id: int | None) -> dict[str, str]:
    """The channel's SKUs that name one of our products under another SKU."""
    if channel_id is None:
        return {}
    rows = session.execute(
        select(col(ChannelSku.channel_sku), col(Product.sku))
        .join(Product, col(Product.id) == col(ChannelSku.product_id))
        .where(col(ChannelSku.channel_id) == channel_id)
    )
    return {channel_sku: sku for channel_sku, sku in rows if channel_sku != sku}


def ingest_context(
    session: Session,
    account: Account,
    base_currency: str,
    now: datetime,
    maps: StatusMaps | None = None,
) -> IngestContext:
    """What ingesting a page of this account's records needs."""
    return IngestContext(
        account_ref(account),
        maps or stored_status_maps(session),
        base_currency,
        now,
        skus=sku_map(session, account.channel_id),
    )
