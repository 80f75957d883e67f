"""Order 360 of a synced order: Shopify's order, Stripe's charge and FedEx's scans, in order."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from cbe_app.db import session_scope
from cbe_app.hub.catalog import Channel
from cbe_app.hub.orders import SalesOrder
from cbe_app.hub.sandbox.data import SandboxData, SandboxParcel, SandboxPayment
from cbe_app.hub.sandbox.server import RunningSandbox
from cbe_app.hub.timeline import order_view
from tests.conftest import Backend
from tests.hub.connectors import connect, sync


def paid_and_tracked(data: SandboxData) -> tuple[SandboxPayment, SandboxParcel]:
    """A Shopify order the sandbox has a Stripe charge and a delivered FedEx parcel for."""
    parcels = data.parcels("fedex")
    for charge in data.payments("stripe"):
        order = charge.order.order
        found = parcels.get(order.shipment.tracking_number) if order.shipment else None
        if (
            order.channel_code == "shopify"
            and charge.kind == "charge"
            and found is not None
            and found.steps[-1].status == "delivered"
        ):
            return charge, found
    raise AssertionError("the demo business has no paid, delivered FedEx parcel from Shopify")


def test_order_360_of_a_synced_order_tells_its_whole_story(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    shop = connect(sandbox, "shopify")
    for code in (shop, connect(sandbox, "stripe"), connect(sandbox, "fedex")):
        assert sync(code)["quarantined"] == 0
    charge, shipped = paid_and_tracked(sandbox_data)
    demo = charge.order.order
    with session_scope() as session:
        order_id = session.scalar(
            select(col(SalesOrder.id))
            .join(Channel, col(Channel.id) == col(SalesOrder.channel_id))
            .where(col(Channel.code) == shop, col(SalesOrder.external_id) == demo.external_id)
        )
        assert order_id is not None
        view = order_view(session, order_id)
    timeline = view.timeline
    assert [m.at for m in timeline] == sorted(m.at for m in timeline)
    placed, paid = timeline[0], timeline[1]
    amount = f"{view.total} {view.currency}"
    assert (placed.kind, placed.status, placed.source, placed.ref, placed.amount) == (
        "order",
        "placed",
        "shopify",
        demo.external_id,
        amount,
    )
    assert placed.at == demo.placed_at.replace(microsecond=0)
    assert (paid.kind, paid.source, paid.status, paid.ref, paid.amount) == (
        "payment",
        "stripe",
        "paid",
        charge.external_id,
        amount,
    )
    scans = [(m.status, m.ref) for m in timeline if m.kind == "shipment"]
    number = shipped.shipment.tracking_number
    assert scans == [(step.status, number) for step in shipped.steps]
    assert len(timeline) == 2 + len(scans) + (demo.refunded_minor > 0)  # a refund, if any
    assert sorted((sku, qty) for sku, qty, _ in view.lines) == sorted(
        (line.sku, line.quantity) for line in demo.lines
    )
    assert view.customer_email == charge.order.customer.email
