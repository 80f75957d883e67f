"""The demo generator: determinism, exact shape of the business and internal consistency."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import phonenumbers
import pytest

from cbe_app.demo.generator import GeneratedDemo, generate
from cbe_app.demo.records import OrderRec

END = date(2025, 6, 30)
AS_OF = datetime(2025, 7, 1, tzinfo=UTC)  # statuses are as at the end of END
FIRST_DAY = date(2024, 1, 1)  # 18 months ending on END
ORDER_COUNT = 50_000
REPO = Path(__file__).resolve().parents[3]

ORDER_STATUSES = {"pending", "awaiting_fulfillment", "partially_shipped", "shipped", "delivered",
                  "cancelled", "returned"}  # fmt: skip
PAYMENT_STATUSES = {"pending", "authorized", "paid", "partially_refunded", "refunded", "voided",
                    "failed"}  # fmt: skip
SHIPMENT_STATUSES = {"label_created", "picked_up", "in_transit", "customs", "out_for_delivery",
                     "delivered", "exception", "returned"}  # fmt: skip
# Each buyer's own currency; orders use it when the seller has a price list for it, else USD.
LOCAL_CURRENCY = {
    "US": "USD", "GB": "GBP", "DE": "EUR", "CA": "CAD", "AU": "AUD", "FR": "EUR", "JP": "JPY",
    "IT": "EUR", "ES": "EUR", "NL": "EUR", "MX": "MXN", "SE": "SEK", "PL": "PLN", "BE": "EUR",
    "AT": "EUR", "IE": "EUR", "CH": "CHF", "NZ": "NZD", "SG": "SGD", "AE": "AED", "DK": "DKK",
    "NO": "NOK", "PT": "EUR", "FI": "EUR", "CZ": "CZK",
}  # fmt: skip
PRICE_LISTS = {"USD", "EUR", "GBP", "CAD", "AUD", "JPY", "SEK", "PLN"}
NORTH_AMERICA = {"US", "CA", "MX"}
EUROPE = {"GB", "DE", "FR", "IT", "ES", "NL", "SE", "PL", "BE", "AT", "IE", "CH", "DK", "NO", "PT",
          "FI", "CZ"}  # fmt: skip
EXTERNAL_ID = {
    "amazon": r"\d{3}-\d{7}-\d{7}",
    "shopify": r"\d{13}",
    "ebay": r"\d{2}-\d{5}-\d{5}",
    "walmart": r"\d{13}",
    "woocommerce": r"[1-9]\d*",
}
TRACKING_NUMBER = {
    "fedex": r"\d{12}",
    "dhl": r"\d{10}",
    "4px": r"4PX\d{13}CN",
}


@pytest.fixture(scope="module")
def demo() -> GeneratedDemo:
    return generate(end=END, orders=ORDER_COUNT, seed=7)


@pytest.fixture(scope="module")
def orders(demo: GeneratedDemo) -> list[OrderRec]:
    return list(demo.orders())


def share(orders: list[OrderRec], predicate: Callable[[OrderRec], bool]) -> float:
    return sum(1 for o in orders if predicate(o)) / len(orders)


# --- determinism -------------------------------------------------------------------------------


def test_same_arguments_give_identical_data(demo: GeneratedDemo, orders: list[OrderRec]) -> None:
    again = generate(end=END, orders=ORDER_COUNT, seed=7)
    assert again == demo
    assert list(again.orders(0, 3_000)) == orders[:3_000]


def test_another_seed_gives_other_data(orders: list[OrderRec]) -> None:
    other = generate(end=END, orders=ORDER_COUNT, seed=8)
    assert list(other.orders(0, 100)) != orders[:100]


@pytest.mark.parametrize(
    ("start", "stop"), [(0, 1), (1, 2), (1_234, 1_300), (25_000, 27_000), (49_990, 50_000)]
)
def test_any_index_range_reproduces_the_full_run(
    demo: GeneratedDemo, orders: list[OrderRec], start: int, stop: int
) -> None:
    assert list(demo.orders(start, stop)) == orders[start:stop]


def test_ranges_are_clipped_to_the_order_count(demo: GeneratedDemo, orders: list[OrderRec]) -> None:
    assert list(demo.orders(49_998)) == orders[49_998:]
    assert list(demo.orders(49_998, 60_000)) == orders[49_998:]
    assert list(demo.orders(50_000, 50_010)) == []
    with pytest.raises(ValueError, match="non-negative"):
        demo.orders(-1, 5)


def test_a_fresh_process_produces_the_same_orders() -> None:
    script = (
        "import json, datetime\n"
        "from cbe_app.demo.generator import generate\n"
        "d = generate(end=datetime.date(2025, 6, 30), orders=300, seed=7)\n"
        "o = next(d.orders(0, 1)); last = next(d.orders(299))\n"
        "print(json.dumps([o.external_id, o.total_minor, o.placed_at.isoformat(),\n"
        "                  last.external_id, d.customers[0].email]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    here = generate(end=END, orders=300, seed=7)
    first, last = next(here.orders(0, 1)), next(here.orders(299))
    expected = [first.external_id, first.total_minor, first.placed_at.isoformat(),
                last.external_id, here.customers[0].email]  # fmt: skip
    assert json.loads(result.stdout) == expected


# --- reference data ----------------------------------------------------------------------------


def test_channels(demo: GeneratedDemo) -> None:
    assert [(c.code, c.name, c.provider) for c in demo.channels] == [
        ("amazon", "Amazon", "amazon"),
        ("shopify", "Shopify store", "shopify"),
        ("ebay", "eBay", "ebay"),
        ("walmart", "Walmart Marketplace", "walmart"),
        ("woocommerce", "WooCommerce shop", "woocommerce"),
    ]


def test_warehouses_are_shenzhen_los_angeles_and_leipzig(demo: GeneratedDemo) -> None:
    assert sorted((w.country, w.city) for w in demo.warehouses) == [
        ("CN", "Shenzhen"),
        ("DE", "Leipzig"),
        ("US", "Ontario"),
    ]
    assert len({w.code for w in demo.warehouses}) == 3


def test_carriers_include_fedex_dhl_and_4px_with_services(demo: GeneratedDemo) -> None:
    providers = {c.provider: c for c in demo.carriers}
    assert {"fedex", "dhl", "4px"} <= providers.keys()
    assert providers["dhl"].name == "DHL Express"
    assert all(c.services for c in demo.carriers)


def test_catalogue_has_200_skus_in_8_categories(demo: GeneratedDemo) -> None:
    skus = [p.sku for p in demo.products]
    assert len(skus) == 200 == len(set(skus))
    assert all(re.fullmatch(r"CBE-[A-Z]{2}-\d{4}", sku) for sku in skus)
    categories = Counter(p.category for p in demo.products)
    assert len(categories) == 8
    assert min(categories.values()) >= 10
    assert all(re.fullmatch(r"\d{6}", p.hs_code) for p in demo.products)
    assert all(p.weight_g > 0 and p.moq >= 50 and p.case_pack >= 2 for p in demo.products)


def test_products_cost_20_to_40_percent_of_their_price(demo: GeneratedDemo) -> None:
    usd_per = {"CNY": 1 / 7.2, "USD": 1.0}
    for p in demo.products:
        ratio = p.unit_cost_minor * usd_per[p.cost_currency] / p.list_price_minor
        assert 0.18 <= ratio <= 0.42, p
        assert p.list_price_minor % 100 == 99  # charm price, e.g. 19.99


def test_suppliers_are_mostly_chinese(demo: GeneratedDemo) -> None:
    suppliers = {s.code: s for s in demo.suppliers}
    assert 15 <= len(suppliers) <= 25
    chinese = [s for s in suppliers.values() if s.country == "CN"]
    assert len(chinese) >= 0.75 * len(suppliers)
    assert {s.country for s in suppliers.values()} - {"CN"} <= {"VN", "IN", "TR"}
    for s in suppliers.values():
        assert s.currency == ("CNY" if s.country == "CN" else "USD")
        assert 10 <= s.lead_time_days <= 60
        assert re.fullmatch(r"[a-z]+@[a-z0-9-]+\.example\.(cn|com)", s.email), s.email
    assert {p.supplier_code for p in demo.products} <= suppliers.keys()
    assert all(p.cost_currency == suppliers[p.supplier_code].currency for p in demo.products)


def test_stock_covers_every_warehouse_and_sku(demo: GeneratedDemo) -> None:
    pairs = Counter((s.warehouse_code, s.sku) for s in demo.stock)
    assert len(pairs) == 3 * 200 and max(pairs.values()) == 1
    assert {w for w, _ in pairs} == {w.code for w in demo.warehouses}
    on_hand = [s.on_hand for s in demo.stock]
    assert min(on_hand) == 0
    assert any(0 < n < 10 for n in on_hand)
    # About two months of the catalogue's sales on the shelves (sea freight from China).
    daily_units = sum(line.quantity for o in demo.orders() for line in o.lines) / len(
        demo.expected_orders()
    )
    assert 40 <= sum(on_hand) / daily_units <= 100


def test_customers(demo: GeneratedDemo) -> None:
    customers = demo.customers
    assert len(customers) == round(0.45 * ORDER_COUNT)
    assert len({c.key for c in customers}) == len(customers)
    assert len({c.email for c in customers}) == len(customers)
    for c in customers:
        assert re.fullmatch(r"C\d{6}", c.key)
        assert c.email == c.email.lower()
        assert re.fullmatch(r"[a-z0-9._]+@[a-z]+\.example\.(com|net|org)", c.email), c.email
        assert c.name.strip() and c.country in LOCAL_CURRENCY


def test_every_phone_number_is_valid_for_its_country(demo: GeneratedDemo) -> None:
    for c in demo.customers:
        number = phonenumbers.parse(c.phone)
        assert c.phone == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        assert phonenumbers.is_valid_number(number), c
        assert phonenumbers.region_code_for_number(number) == c.country, c


# --- orders ------------------------------------------------------------------------------------


def test_all_25_countries_and_8_currencies_occur(orders: list[OrderRec]) -> None:
    assert {o.country for o in orders} == set(LOCAL_CURRENCY)
    assert {o.currency for o in orders} == PRICE_LISTS
    for o in orders:
        local = LOCAL_CURRENCY[o.country]
        assert o.currency == (local if local in PRICE_LISTS else "USD"), o


def test_volume_is_weighted_like_a_real_seller(orders: list[OrderRec]) -> None:
    by_country = Counter(o.country for o in orders)
    top = [country for country, _ in by_country.most_common(4)]
    assert top[0] == "US" and set(top[1:]) == {"GB", "DE", "CA"}
    channels = Counter(o.channel_code for o in orders)
    expected = {"amazon": 0.45, "shopify": 0.22, "ebay": 0.13, "walmart": 0.10,
                "woocommerce": 0.10}  # fmt: skip
    for code, target in expected.items():
        assert abs(channels[code] / len(orders) - target) < 0.02, code


def test_channels_sell_only_in_their_markets(orders: list[OrderRec]) -> None:
    markets: dict[str, set[str]] = {}
    for o in orders:
        markets.setdefault(o.channel_code, set()).add(o.country)
    assert markets["walmart"] == NORTH_AMERICA
    assert not markets["amazon"] & {"SG", "AE", "NZ", "CH", "NO"}
    assert {"US", "GB", "DE", "AU"} <= markets["ebay"] and "JP" not in markets["ebay"]
    assert markets["shopify"] == markets["woocommerce"] == set(LOCAL_CURRENCY)


def test_external_ids_have_each_providers_format_and_are_unique(orders: list[OrderRec]) -> None:
    by_channel: dict[str, list[str]] = {}
    for o in orders:
        assert re.fullmatch(EXTERNAL_ID[o.channel_code], o.external_id), o.external_id
        by_channel.setdefault(o.channel_code, []).append(o.external_id)
    for ids in by_channel.values():
        assert len(set(ids)) == len(ids)
    for ascending in ("shopify", "woocommerce"):
        numbers = [int(i) for i in by_channel[ascending]]
        assert numbers == sorted(numbers)


def test_tracking_numbers_have_each_carriers_format_and_are_unique(
    orders: list[OrderRec],
) -> None:
    shipments = [o.shipment for o in orders if o.shipment is not None]
    for s in shipments:
        assert re.fullmatch(TRACKING_NUMBER[s.carrier_code], s.tracking_number), s
    assert len({s.tracking_number for s in shipments}) == len(shipments)
    assert {s.carrier_code for s in shipments} == set(TRACKING_NUMBER)


def test_placed_at_is_utc_within_the_period_and_sorted(orders: list[OrderRec]) -> None:
    assert all(o.placed_at.utcoffset() == timedelta(0) for o in orders)
    placed = [o.placed_at for o in orders]
    assert placed == sorted(placed)
    assert FIRST_DAY <= placed[0].date() <= FIRST_DAY + timedelta(days=2)
    assert END - timedelta(days=1) <= placed[-1].date() <= END


def test_volume_grows_peaks_at_black_friday_and_dips_on_sundays(orders: list[OrderRec]) -> None:
    per_day = Counter(o.placed_at.date() for o in orders)
    spring = [sum(v for d, v in per_day.items() if d.year == y and 3 <= d.month <= 5)
              for y in (2024, 2025)]  # fmt: skip
    assert 1.15 < spring[1] / spring[0] < 1.5
    median = sorted(per_day.values())[len(per_day) // 2]
    assert per_day[date(2024, 11, 29)] > 2.5 * median  # Black Friday
    assert per_day[date(2024, 12, 2)] > 2 * median  # Cyber Monday
    weekday = Counter[int]()
    for day, count in per_day.items():
        weekday[day.weekday()] += count
    assert weekday[6] < 0.9 * weekday[0]


def test_totals_add_up_in_integer_minor_units(orders: list[OrderRec]) -> None:
    for o in orders:
        assert 1 <= len(o.lines) <= 4
        assert len({line.sku for line in o.lines}) == len(o.lines)
        lines_total = sum(line.quantity * line.unit_price_minor for line in o.lines)
        assert o.total_minor == lines_total + o.shipping_minor
        assert all(1 <= line.quantity <= 3 for line in o.lines)
        assert all(isinstance(v, int) for v in (o.total_minor, o.shipping_minor, o.refunded_minor))
    assert 0.4 < share(orders, lambda o: o.shipping_minor == 0) < 0.9
    assert share(orders, lambda o: len(o.lines) == 1) > 0.6


def test_local_prices_come_from_charm_price_lists(
    demo: GeneratedDemo, orders: list[OrderRec]
) -> None:
    usd = {p.sku: p.list_price_minor for p in demo.products}
    endings = {"JPY": (100, 80), "SEK": (1_000, 900)}  # 2,980 yen; 199 kr
    for o in orders[:5_000]:
        modulus, ending = endings.get(o.currency, (100, 99))
        for line in o.lines:
            assert line.unit_price_minor % modulus == ending, o
            if o.currency == "JPY":  # whole yen, not hundredths: about 150 yen per dollar
                assert 110 < line.unit_price_minor / (usd[line.sku] / 100) < 190


def test_vocabularies_are_respected_and_fully_used(orders: list[OrderRec]) -> None:
    assert {o.status for o in orders} == ORDER_STATUSES
    assert {o.payment_status for o in orders} == PAYMENT_STATUSES
    assert {o.shipment.status for o in orders if o.shipment} == SHIPMENT_STATUSES


def test_statuses_agree_with_shipments(orders: list[OrderRec]) -> None:
    for o in orders:
        s = o.shipment
        if o.status in {"pending", "awaiting_fulfillment", "cancelled"}:
            assert s is None, o
            continue
        assert s is not None, o
        assert o.placed_at < s.shipped_at <= o.placed_at + timedelta(days=3), o
        assert s.shipped_at < AS_OF
        assert (s.delivered_at is not None) == (s.status == "delivered"), o
        if s.delivered_at is not None:
            assert s.shipped_at < s.delivered_at <= AS_OF
        if o.status == "delivered":
            assert s.status == "delivered"
        if o.status in {"shipped", "partially_shipped"}:
            assert s.status not in {"delivered", "returned"}


def test_statuses_follow_the_age_of_the_order(orders: list[OrderRec]) -> None:
    recent = AS_OF - timedelta(days=4)
    for o in orders:
        if o.status in {"pending", "awaiting_fulfillment"}:
            assert o.placed_at > recent, o
        if o.placed_at < AS_OF - timedelta(days=60):
            assert o.status in {"delivered", "returned", "cancelled", "shipped"}, o
            if o.status == "shipped":  # only a parcel lost in transit stays "shipped" this long
                assert o.shipment is not None and o.shipment.status == "exception", o
    old = [o for o in orders if o.placed_at < AS_OF - timedelta(days=60)]
    assert share(old, lambda o: o.status == "delivered") > 0.9


def test_cancellation_return_and_delivery_rates(orders: list[OrderRec]) -> None:
    assert 0.015 < share(orders, lambda o: o.status == "cancelled") < 0.025
    assert 0.02 < share(orders, lambda o: o.status == "returned") < 0.032
    shipments = [o.shipment for o in orders if o.shipment is not None]
    delivered = [s for s in shipments if s.delivered_at is not None]
    on_time = sum(s.delivered_at.date() <= s.promised_on for s in delivered if s.delivered_at)
    assert 0.86 < on_time / len(delivered) < 0.94
    troubled = sum(s.status in {"exception", "returned"} for s in shipments) / len(shipments)
    assert 0.005 < troubled < 0.015


def test_refunds(orders: list[OrderRec]) -> None:
    for o in orders:
        if o.payment_status == "refunded":
            assert o.refunded_minor == o.total_minor, o
        elif o.payment_status == "partially_refunded":
            assert 0 < o.refunded_minor < o.total_minor, o
        else:
            assert o.refunded_minor == 0, o
        if o.status == "cancelled":
            assert o.payment_status in {"voided", "refunded", "failed"}, o
        if o.status == "returned":
            assert o.payment_status in {"refunded", "partially_refunded"}, o


def test_warehouses_serve_their_regions_with_shenzhen_as_overflow(orders: list[OrderRec]) -> None:
    codes = {"ONT": NORTH_AMERICA, "LEJ": EUROPE}
    for o in orders:
        if o.warehouse_code in codes:
            assert o.country in codes[o.warehouse_code], o
        elif o.country in NORTH_AMERICA | EUROPE:
            assert o.warehouse_code == "SZX"
    overflow = [o for o in orders if o.country in NORTH_AMERICA | EUROPE]
    assert 0.12 < share(overflow, lambda o: o.warehouse_code == "SZX") < 0.18


def test_only_cross_border_parcels_go_through_customs(orders: list[OrderRec]) -> None:
    customs = [o for o in orders if o.shipment and o.shipment.status == "customs"]
    assert customs
    for o in customs:
        assert not (o.warehouse_code == "ONT" and o.country == "US"), o
        assert not (o.warehouse_code == "LEJ" and o.country not in {"GB", "CH", "NO"}), o
    assert any(o.warehouse_code == "SZX" for o in customs)


def test_customers_repeat_and_order_from_home(demo: GeneratedDemo, orders: list[OrderRec]) -> None:
    homes = {c.key: c.country for c in demo.customers}
    assert all(homes[o.customer_key] == o.country for o in orders)
    per_customer = Counter(o.customer_key for o in orders)
    repeaters = sum(1 for n in per_customer.values() if n > 1)
    assert 0.2 < repeaters / len(per_customer) < 0.9
    assert max(per_customer.values()) < 60


# --- edge cases --------------------------------------------------------------------------------


def test_a_tiny_dataset_works() -> None:
    tiny = generate(end=END, orders=10, seed=3)
    batch = list(tiny.orders())
    assert len(batch) == tiny.order_count == 10
    assert len(tiny.customers) == 50 and len(tiny.products) == 200
    keys = {c.key for c in tiny.customers}
    assert all(o.customer_key in keys for o in batch)
    assert [o.placed_at for o in batch] == sorted(o.placed_at for o in batch)
    assert batch == list(tiny.orders(0, 5)) + list(tiny.orders(5, 10))
    assert list(generate(end=END, orders=0).orders()) == []


def test_the_period_follows_months_and_end() -> None:
    short = list(generate(end=date(2024, 3, 15), orders=500, months=1).orders())
    assert short[0].placed_at.date() >= date(2024, 2, 16)
    assert short[-1].placed_at.date() <= date(2024, 3, 15)


def test_invalid_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="orders"):
        generate(end=END, orders=-1)
    with pytest.raises(ValueError, match="months"):
        generate(end=END, months=0)
