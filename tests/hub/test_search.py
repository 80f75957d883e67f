"""Finding orders and customers: fragments of ids, names and e-mails, newest first, by page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from cbe_app.db import session_scope
from cbe_app.hub.search import PAGE_SIZE, CustomerRow, OrderRow, find_customers, find_orders
from tests.conftest import Backend
from tests.hub.rows import NOW, channel, customer, order


@pytest.fixture
def shop(backend: Backend) -> dict[str, int]:
    """Five orders on two channels by two buyers and one guest; returns customer ids."""
    with session_scope() as session:
        shopify, ebay = channel(session, "shopify"), channel(session, "ebay", "ebay")
        anna = customer(session, "anna.berg@example.com", "Anna Berg")
        bo = customer(session, "bo@shop.example", "Bo Chen", "CN")
        order(session, shopify, "SH-1001", NOW - timedelta(days=5), buyer=anna, currency="EUR")
        order(session, shopify, "SH-1002", NOW - timedelta(days=4), buyer=bo, total_minor=2599)
        order(session, ebay, "12-3456_78", NOW - timedelta(days=3), buyer=anna)
        order(session, ebay, "99-0000-11", NOW - timedelta(days=2), currency="JPY")
        order(session, shopify, "SH-1003", NOW - timedelta(days=1), buyer=anna, status="pending")
        return {"anna": anna.id or 0, "bo": bo.id or 0}


def ids(
    session: Session, text: str = "", page: int = 0, customer_id: int | None = None
) -> list[str]:
    rows, _ = find_orders(session, text, page, customer_id)
    return [r.external_id for r in rows]


def test_every_order_newest_first_with_its_channel_buyer_and_total(shop: dict[str, int]) -> None:
    with session_scope() as session:
        rows, count = find_orders(session)
    assert count == 5
    assert [r.external_id for r in rows] == [
        "SH-1003",
        "99-0000-11",
        "12-3456_78",
        "SH-1002",
        "SH-1001",
    ]
    newest, guest = rows[0], rows[1]
    assert newest == OrderRow(
        newest.id,
        "SH-1003",
        "Shopify store",
        NOW - timedelta(days=1),
        "pending",
        "paid",
        "10.00 USD",
        "US",
        "anna.berg@example.com",
    )
    assert (guest.channel, guest.email, guest.total) == ("Ebay store", "", "1000 JPY")
    assert [r.total for r in rows[3:]] == ["25.99 USD", "10.00 EUR"]


def test_text_matches_an_id_or_email_fragment(shop: dict[str, int]) -> None:
    expected = {
        "1002": ["SH-1002"],
        "sh-100": ["SH-1003", "SH-1002", "SH-1001"],  # ids match whatever their case
        "  SH-1001  ": ["SH-1001"],
        "ANNA.BERG": ["SH-1003", "12-3456_78", "SH-1001"],  # and so do e-mails
        "@shop.example": ["SH-1002"],
        "0000": ["99-0000-11"],
        "_": ["12-3456_78"],  # typed text is text, not a LIKE pattern
        "%": [],
        "\\": [],
        "nobody": [],
    }
    found = {}
    with session_scope() as session:
        for text in expected:
            rows, count = find_orders(session, text)
            assert count == len(rows), text
            found[text] = [r.external_id for r in rows]
    assert found == expected


def test_a_customers_orders_and_a_search_within_them(shop: dict[str, int]) -> None:
    with session_scope() as session:
        assert ids(session, customer_id=shop["anna"]) == ["SH-1003", "12-3456_78", "SH-1001"]
        assert ids(session, "sh-", customer_id=shop["anna"]) == ["SH-1003", "SH-1001"]
        assert ids(session, customer_id=shop["bo"]) == ["SH-1002"]
        assert find_orders(session, "12-", customer_id=shop["bo"]) == ([], 0)


def test_pages_split_the_list_and_the_count_covers_every_page(backend: Backend) -> None:
    with session_scope() as session:
        shop = channel(session, "big")
        for n in range(2 * PAGE_SIZE + 20):
            order(session, shop, f"B-{n:04d}", NOW - timedelta(minutes=n))
    pages = []
    with session_scope() as session:
        for page in range(4):
            rows, count = find_orders(session, "b-", page)
            assert count == 2 * PAGE_SIZE + 20
            pages.append([r.external_id for r in rows])
    assert [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 20, 0]
    everything = [i for p in pages for i in p]
    assert everything == [f"B-{n:04d}" for n in range(2 * PAGE_SIZE + 20)]  # newest first


def test_customers_by_name_or_email_with_their_order_counts(shop: dict[str, int]) -> None:
    with session_scope() as session:
        customer(session, None, "Anna Guest", "FR")
    with session_scope() as session:
        everyone = find_customers(session)
        annas = find_customers(session, "  ANNA ")
        by_mail = find_customers(session, "shop.EXAMPLE")
        nobody = find_customers(session, "zed")
    assert [(c.name, c.email, c.country, c.orders) for c in everyone] == [
        ("Anna Guest", "", "FR", 0),  # newest first
        ("Bo Chen", "bo@shop.example", "CN", 1),
        ("Anna Berg", "anna.berg@example.com", "DE", 3),
    ]
    assert [c.name for c in annas] == ["Anna Guest", "Anna Berg"]
    assert by_mail == [CustomerRow(shop["bo"], "Bo Chen", "bo@shop.example", "CN", 1)]
    assert nobody == []


def test_the_customer_list_is_one_page_of_the_newest(backend: Backend) -> None:
    with session_scope() as session:
        shop = channel(session, "shop")
        buyers = [customer(session, f"c{n:02d}@example.com", f"Buyer {n:02d}") for n in range(55)]
        for n, buyer in enumerate(buyers):
            for k in range(n % 3):
                order(session, shop, f"C-{n}-{k}", NOW, buyer=buyer)
    with session_scope() as session:
        rows = find_customers(session, "buyer")
    assert len(rows) == PAGE_SIZE
    assert [r.name for r in rows[:2]] == ["Buyer 54", "Buyer 53"] and rows[-1].name == "Buyer 05"
    assert [r.orders for r in rows[:4]] == [0, 2, 1, 0]  # 54 % 3, 53 % 3, …
