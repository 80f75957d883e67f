"""Shared checks for connector tests: connect an account to the sandbox, sync, compare."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.demo.records import OrderRec
from cbe_app.hub.accounts import Account
from cbe_app.hub.catalog import Channel
from cbe_app.hub.connect import connect_account
from cbe_app.hub.orders import OrderLine, OrderTracking, SalesOrder, Shipment, TrackingEvent
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS
from cbe_app.hub.sandbox.data import SandboxData
from cbe_app.hub.sandbox.server import RunningSandbox
from cbe_app.hub.sync import sync_now


def connect(
    sandbox: RunningSandbox,
    provider: str,
    *,
    code: str | None = None,
    credentials: Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> str:
    """An account of `provider` pointing at the sandbox; returns its code."""
    code = code or f"{provider}-sandbox"
    with session_scope() as session:
        connect_account(
            session,
            code=code,
            name=f"{provider} (sandbox)",
            provider_name=provider,
            base_url=f"{sandbox.url}/{provider}",
            now=utcnow(),
            credentials=dict(credentials or DEMO_CREDENTIALS[provider]),
            settings={"requests_per_second": 0, **(settings or {})},
        )
    return code


def sync(code: str) -> dict[str, int]:
    """One whole sync of the account, as `python -m cbe_app sync` runs it."""
    return sync_now(code, "USD", utcnow)


def assert_orders_match(
    data: SandboxData,
    channel: str,
    account_code: str,
    status_of: Callable[[OrderRec], str] | None = None,
) -> int:
    """Every demo order of the channel is in the hub exactly once, with the same content.

    `status_of` gives, for a demo order, the status the provider can express of it (Shopify,
    say, has no "pending" order status: an unpaid order is awaiting fulfilment there).
    """
    expected = {item.order.external_id: item.order for item in data.orders(channel)}
    with session_scope() as session:
        channel_id = session.scalar(select(Channel.id).where(Channel.code == account_code))
        rows = session.scalars(select(SalesOrder).where(SalesOrder.channel_id == channel_id)).all()
        lines: dict[int, list[tuple[str, int, int]]] = {}
        for line in session.scalars(
            select(OrderLine).where(OrderLine.order_id.in_([r.id for r in rows]))
        ):
            lines.setdefault(line.order_id, []).append(
                (line.sku, line.quantity, line.unit_price_minor)
            )
    assert len(rows) == len(expected) == len({r.external_id for r in rows})
    for row in rows:
        demo = expected[row.external_id]
        want = status_of(demo) if status_of else demo.status
        assert (row.status, row.currency, row.total_minor, row.country) == (
            want,
            demo.currency,
            demo.total_minor,
            demo.country,
        ), (row.external_id, row.status, row.total_minor, demo)
        assert sorted(lines[row.id]) == sorted(
            (ln.sku, ln.quantity, ln.unit_price_minor) for ln in demo.lines
        )
        assert row.placed_at == demo.placed_at.replace(microsecond=0)
    return len(rows)


def seed_parcels(data: SandboxData, carrier: str, limit: int | None = None) -> list[str]:
    """Tell the hub about a carrier's demo parcels, as channels would (orders with tracking
    numbers for that carrier); returns the tracking numbers, sorted.

    Through the ORM, so that every column gets the model's default."""
    parcels = data.parcel_list(carrier)[:limit]
    now = utcnow()
    with session_scope() as session:
        channel = session.scalar(select(Channel).where(Channel.code == "seed"))
        if channel is None:
            channel = Channel(code="seed", name="Seeded orders", provider="csv")
            session.add(channel)
            session.flush()
        known = set(
            session.scalars(
                select(SalesOrder.external_id).where(SalesOrder.channel_id == channel.id)
            )
        )
        fresh = [p for p in parcels if p.order.order.external_id not in known]
        orders = [
            SalesOrder(
                channel_id=channel.id or 0,
                external_id=p.order.order.external_id,
                status="shipped",
                payment_status="paid",
                placed_at=p.order.order.placed_at,
                currency=p.order.order.currency,
                total_minor=p.order.order.total_minor,
                base_currency="USD",
                total_base_minor=0,
                fx_rate=Decimal(1),
                fx_date=now.date(),
                country=p.order.order.country,
            )
            for p in fresh
        ]
        session.add_all(orders)
        session.flush()
        session.add_all(
            OrderTracking(
                order_id=o.id or 0, tracking_number=p.shipment.tracking_number, carrier=carrier
            )
            for o, p in zip(orders, fresh, strict=True)
        )
    return sorted(p.shipment.tracking_number for p in parcels)


def assert_parcels_match(
    data: SandboxData, carrier: str, account_code: str, location_of: Callable[[str], str]
) -> int:
    """Every demo parcel of the carrier is in the hub once, with its status and every scan.

    Carriers print scan times to the second, so the demo's times are compared so too; they
    list scans in time order (a quick parcel's customs scan can come before the demo's
    "in transit" step), and the newest scan is the parcel's status.
    """
    parcels = {p.shipment.tracking_number: p for p in data.parcel_list(carrier)}
    with session_scope() as session:
        account = session.scalars(select(Account).where(Account.code == account_code)).one()
        rows = session.scalars(
            select(Shipment).where(Shipment.carrier_id == account.carrier_id)
        ).all()
        events: dict[int, list[TrackingEvent]] = {}
        for event in session.scalars(
            select(TrackingEvent)
            .where(TrackingEvent.shipment_id.in_([r.id for r in rows]))
            .order_by(TrackingEvent.at)
        ):
            events.setdefault(event.shipment_id, []).append(event)
        orders = dict(session.execute(select(SalesOrder.id, SalesOrder.external_id)).all())
    assert len(rows) == len(parcels) == len({r.tracking_number for r in rows})
    for row in rows:
        parcel = parcels[row.tracking_number]
        steps = sorted((s.at.replace(microsecond=0), s.status, s.location) for s in parcel.steps)
        delivered = next((at for at, status, _ in steps if status == "delivered"), None)
        assert (row.status, row.promised_on, row.delivered_at, row.shipped_at) == (
            steps[-1][1],
            parcel.shipment.promised_on,
            delivered,
            steps[0][0],
        ), row.tracking_number
        assert [(e.at, e.status, e.location) for e in events[row.id or 0]] == [
            (at, status, location_of(where)) for at, status, where in steps
        ], row.tracking_number
        assert orders[row.order_id] == parcel.order.order.external_id
    return len(rows)


def report_number(number: str, carrier: str) -> None:
    """A channel reported `number` for `carrier` on an already seeded order."""
    with session_scope() as session:
        order_id = session.scalars(select(SalesOrder.id)).first()
        session.add(OrderTracking(order_id=order_id, tracking_number=number, carrier=carrier))


class Recording(httpx.HTTPTransport):
    """A transport that remembers each request, and its path, status and Authorization."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, int, str]] = []
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.requests.append(request)
        auth = request.headers.get("authorization", "")
        self.seen.append((request.url.path, response.status_code, auth))
        return response
