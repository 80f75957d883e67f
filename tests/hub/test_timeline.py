"""Order 360 and Customer 360 from hand-built rows: every source merged into one timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from cbe_app.core.errors import NotFound
from cbe_app.db import session_scope
from cbe_app.hub.connect import connect_account
from cbe_app.hub.orders import OrderEvent, OrderLine, OrderTracking
from cbe_app.hub.search import PAGE_SIZE
from cbe_app.hub.timeline import Moment, customer_view, order_view
from tests.conftest import Backend
from tests.hub.rows import NOW, carrier, channel, customer, order, parcel, payment

T0 = NOW - timedelta(days=10)


@dataclass(frozen=True)
class Shop:
    """Ids of the hand-built business."""

    first: int  # Shopify #1001 by Anna: scans, a status change, a charge and a refund
    second: int  # WooCommerce W-7 by Anna
    namesake: int  # WooCommerce #1001 by Bo: same number as Anna's, another order
    anna: int
    bo: int


@pytest.fixture
def shop(backend: Backend) -> Shop:
    with session_scope() as session:
        stripe = connect_account(
            session,
            code="stripe",
            name="Stripe",
            provider_name="stripe",
            base_url="https://api.stripe.com",
            credentials={},
            now=NOW,
        )
        pay = stripe.id or 0
        shopify, woo = channel(session, "shopify"), channel(session, "woo", "woocommerce")
        anna = customer(session, "anna@example.com", "Anna Berg", "DE")
        bo = customer(session, "bo@example.com", "Bo Chen", "CN")
        first = order(session, shopify, "1001", T0, buyer=anna, total_minor=3498, base_minor=3200)
        second = order(session, woo, "W-7", T0 + timedelta(days=8), buyer=anna, base_minor=900)
        namesake = order(session, woo, "1001", T0 + timedelta(days=1), buyer=bo)
        session.add_all(
            [
                OrderLine(
                    order_id=first.id or 0, line_no=2, sku="CBE-B", quantity=1, unit_price_minor=999
                ),
                OrderLine(
                    order_id=first.id or 0,
                    line_no=1,
                    sku="CBE-A",
                    quantity=2,
                    unit_price_minor=1250,
                ),
                OrderEvent(
                    order_id=first.id or 0,
                    at=T0 + timedelta(days=2),
                    kind="status",
                    status="shipped",
                    source="shopify",
                    detail="fulfilled",
                ),
                # Reported by the channel; the carrier's parcel was never linked by order id.
                OrderTracking(order_id=first.id or 0, tracking_number="TRK-ONLY", carrier="fedex"),
            ]
        )
        fedex = carrier(session)
        day1 = T0 + timedelta(days=1)
        parcel(
            session,
            fedex,
            "TRK-LINKED",
            [
                (day1, "label_created", "", "Shenzhen CN"),
                (day1 + timedelta(hours=6), "picked_up", "Picked up", "Shenzhen CN"),
            ],
            order_id=first.id,
        )
        parcel(
            session,
            fedex,
            "TRK-ONLY",
            [(T0 + timedelta(days=3), "delivered", "Left at door", "Berlin DE")],
        )
        parcel(session, fedex, "TRK-OTHER", [(T0 + timedelta(days=3), "in_transit", "", "")])
        payment(
            session,
            pay,
            "ch_1",
            T0 + timedelta(seconds=20),
            order_id=first.id,
            order_ref="1001",
            amount_minor=3498,
        )
        payment(
            session,
            pay,
            "re_1",
            T0 + timedelta(days=4),
            order_ref="1001",
            amount_minor=500,
            kind="refund",
            status="refunded",
        )
        payment(session, pay, "ch_w7", T0 + timedelta(days=8, seconds=20), order_id=second.id)
        # Bo's #1001 was paid too: its charge is linked to his order, not to Anna's namesake.
        payment(
            session,
            pay,
            "ch_bo",
            T0 + timedelta(days=1, seconds=9),
            order_id=namesake.id,
            order_ref="1001",
        )
        payment(session, pay, "ch_stray", T0 + timedelta(days=5), order_ref="9999")
        return Shop(first.id or 0, second.id or 0, namesake.id or 0, anna.id or 0, bo.id or 0)


def seq(timeline: list[Moment]) -> list[tuple[timedelta, str, str, str]]:
    """Each moment as (time after T0, kind, what it belongs to, status)."""
    return [(m.at - T0, m.kind, m.ref, m.status) for m in timeline]


FIRST_TIMELINE = [
    (timedelta(0), "order", "1001", "placed"),
    (timedelta(seconds=20), "payment", "ch_1", "paid"),
    (timedelta(days=1), "shipment", "TRK-LINKED", "label_created"),
    (timedelta(days=1, hours=6), "shipment", "TRK-LINKED", "picked_up"),
    (timedelta(days=2), "order", "1001", "shipped"),
    (timedelta(days=3), "shipment", "TRK-ONLY", "delivered"),  # linked by number only
    (timedelta(days=4), "payment", "re_1", "refunded"),  # linked by order_ref only
]


def test_order_360_merges_order_parcel_and_payment_moments_in_time_order(shop: Shop) -> None:
    with session_scope() as session:
        timeline = order_view(session, shop.first).timeline
    assert seq(timeline) == FIRST_TIMELINE
    placed, charge, label, pickup, status, delivered, refund = timeline
    assert placed == Moment(T0, "shopify", "order", "placed", "placed", "", "1001", "34.98 USD")
    assert (charge.source, charge.title, charge.detail, charge.amount) == (
        "stripe",
        "charge",
        "charge:succeeded",
        "34.98 USD",
    )
    assert (refund.title, refund.amount) == ("refund", "5.00 USD")
    # A scan without the carrier's words is titled by its status; the place is the detail.
    assert (label.source, label.title, label.detail) == ("fedex", "label_created", "Shenzhen CN")
    assert (pickup.title, delivered.title, delivered.detail) == (
        "Picked up",
        "Left at door",
        "Berlin DE",
    )
    assert (status.source, status.title, status.detail, status.amount) == (
        "shopify",
        "status",
        "fulfilled",
        "",
    )


def test_order_360_header_and_lines(shop: Shop) -> None:
    with session_scope() as session:
        view = order_view(session, shop.first)
    assert (view.id, view.channel, view.provider, view.external_id) == (
        shop.first,
        "Shopify store",
        "shopify",
        "1001",
    )
    assert (view.status, view.payment_status, view.placed_at, view.country) == (
        "shipped",
        "paid",
        T0,
        "US",
    )
    assert (view.currency, view.total, view.base_currency, view.total_base) == (
        "USD",
        Decimal("34.98"),
        "USD",
        Decimal("32.00"),
    )
    assert (view.fx_rate, view.fx_date, view.fx_source) == (
        Decimal(1),
        T0.date().isoformat(),
        "ECB",
    )
    assert (view.customer_id, view.customer_email) == (shop.anna, "anna@example.com")
    assert view.lines == [("CBE-A", 2, Decimal("12.50")), ("CBE-B", 1, Decimal("9.99"))]


def test_a_namesake_order_on_another_channel_keeps_its_own_payments(shop: Shop) -> None:
    with session_scope() as session:
        bo = order_view(session, shop.namesake)
    assert bo.customer_email == "bo@example.com" and bo.provider == "woocommerce"
    # Linked by id: only his charge. The refund names "1001" but no order: both may own it.
    assert [(m.kind, m.ref) for m in bo.timeline] == [
        ("order", "1001"),
        ("payment", "ch_bo"),
        ("payment", "re_1"),
    ]


def test_an_unknown_order_or_customer_is_not_found(shop: Shop) -> None:
    with session_scope() as session, pytest.raises(NotFound) as caught:
        order_view(session, shop.first + shop.second + shop.namesake)
    assert caught.value.text == "Order was not found."
    with session_scope() as session, pytest.raises(NotFound) as caught:
        customer_view(session, shop.anna + shop.bo, "USD")
    assert caught.value.text == "Customer was not found."


def test_customer_360_covers_every_order_of_the_buyer_across_channels(shop: Shop) -> None:
    with session_scope() as session:
        view = customer_view(session, shop.anna, "EUR")
    assert (view.id, view.email, view.name, view.country) == (
        shop.anna,
        "anna@example.com",
        "Anna Berg",
        "DE",
    )
    assert [o.external_id for o in view.orders] == ["W-7", "1001"] and view.order_count == 2
    assert view.lifetime_base == "41.00 EUR"  # the base totals, 32.00 + 9.00
    assert seq(view.timeline) == [
        *FIRST_TIMELINE,
        (timedelta(days=8), "order", "W-7", "placed"),
        (timedelta(days=8, seconds=20), "payment", "ch_w7", "paid"),
    ]
    assert (view.timeline[-2].source, view.timeline[-2].amount) == ("woocommerce", "10.00 USD")


def test_customer_360_of_a_buyer_without_orders(shop: Shop) -> None:
    with session_scope() as session:
        lone = customer(session, None, "Walk-in")
    with session_scope() as session:
        view = customer_view(session, lone.id or 0, "USD")
    assert (view.email, view.orders, view.order_count, view.timeline) == ("", [], 0, [])
    assert view.lifetime_base == "0.00 USD"


def test_a_loyal_customer_lists_one_page_but_counts_and_tells_everything(backend: Backend) -> None:
    with session_scope() as session:
        shop, buyer = channel(session, "shop"), customer(session, "fan@example.com")
        for n in range(PAGE_SIZE + 5):
            order(session, shop, f"F-{n}", T0 + timedelta(hours=n), buyer=buyer, total_minor=100)
    with session_scope() as session:
        view = customer_view(session, buyer.id or 0, "USD")
    assert (len(view.orders), view.order_count, view.lifetime_base) == (PAGE_SIZE, 55, "55.00 USD")
    assert view.orders[0].external_id == "F-54"
    assert [m.ref for m in view.timeline] == [f"F-{n}" for n in range(PAGE_SIZE + 5)]
