"""A seeded cross-border business of any size for bench/dashboard.py, generated with numpy.

Orders over the last two years on ten channels in thirty countries, a quarter as many
customers, a parcel for every order that left the warehouse. Beside them, for every day of
the same two years: three warehouses' end-of-day stock of 200 products in eight categories
(weeks of each product's demand, refilled in cycles, valued at a USD unit cost), each
product's sales (units in proportion to the day's sold orders, at cost and at price) and ad
spend on four platforms in the ten biggest countries (plus brand campaigns without a
country), about what each new customer of the country costs. The same arrays feed SQLite (as
the text SQLite stores) and DuckDB (typed columns).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

_COUNTRY_CODES = "US GB DE FR CA AU JP IT ES NL SE PL BE AT CH IE DK NO FI PT MX BR SG KR AE SA IL"
COUNTRIES = np.array((_COUNTRY_CODES + " NZ CN IN").split(" "))
STATUSES = np.array(
    [
        "pending",
        "awaiting_fulfillment",
        "partially_shipped",
        "shipped",
        "delivered",
        "cancelled",
        "returned",
    ]
)
STATUS_WEIGHTS = [0.03, 0.07, 0.02, 0.30, 0.50, 0.05, 0.03]
CHANNELS = [(n, f"ch{n}", f"Channel {n}", "shopify") for n in range(1, 11)]
CARRIERS = [
    (1, "fedex", "FedEx", "fedex", "[]"),
    (2, "dhl", "DHL Express", "dhl", "[]"),
    (3, "4px", "4PX", "4px", "[]"),
]
DAYS = 730
WAREHOUSES = [
    (1, "us-nj", "Edison, NJ", "US", "Edison"),
    (2, "de-ham", "Hamburg", "DE", "Hamburg"),
    (3, "cn-szx", "Shenzhen", "CN", "Shenzhen"),
]
WAREHOUSE_SHARES = np.array([0.5, 0.3, 0.2])  # of each product's stock
# Category, and its typical unit price in USD.
CATEGORIES = [
    ("Apparel", 28),
    ("Beauty", 18),
    ("Electronics", 65),
    ("Home", 36),
    ("Kitchen", 30),
    ("Outdoor", 48),
    ("Pets", 22),
    ("Toys", 24),
]
PRODUCTS = 200
UNITS_PER_ORDER = 1.5
SOLD = ("awaiting_fulfillment", "partially_shipped", "shipped", "delivered")  # not pending etc.
# Platform, its share of the spend, cost per thousand impressions (USD) and click-through rate.
PLATFORMS = [
    ("google", 0.40, 9.0, 0.020),
    ("meta", 0.35, 11.0, 0.012),
    ("tiktok", 0.15, 6.0, 0.015),
    ("amazon", 0.10, 13.0, 0.008),
]
CAMPAIGNS = [("Prospecting", 0.7), ("Retargeting", 0.3)]
AD_COUNTRIES = COUNTRIES[:10]
BRAND_SHARE = 0.05  # of the spend, on brand campaigns that name no country


@dataclass
class Generated:
    """The business as typed frames (DuckDB) and as SQLite rows (`tables`)."""

    orders: pd.DataFrame
    shipments: pd.DataFrame
    customers: pd.DataFrame
    products: pd.DataFrame  # id, sku, name, category, unit_cost_minor, list_price_minor
    stock_days: pd.DataFrame  # day, warehouse_id, product_id, on_hand, value_base_minor
    sales_days: pd.DataFrame  # day, product_id, units, cogs_base_minor, revenue_base_minor
    ad_spend: pd.DataFrame  # id, day, platform, campaign, country, spend_base_minor, …
    now: datetime

    def tables(self) -> dict[str, pd.DataFrame]:
        """Each table as SQLite stores it (times as naive UTC text), in insert order."""
        stamp = self.now.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        channels = pd.DataFrame(CHANNELS, columns=["id", "code", "name", "provider"])
        channels["created_at"] = stamp
        carriers = pd.DataFrame(CARRIERS, columns=["id", "code", "name", "provider", "services"])
        customers = self.customers.assign(
            email=[f"c{n}@example.com" for n in self.customers.id],
            name="",
            phone="",
            created_at=stamp,
        )
        o = self.orders
        orders = pd.DataFrame(
            {
                "id": o.id,
                "channel_id": o.channel_id,
                "external_id": ["B" + str(n) for n in o.id],
                "status": o.status,
                "provider_status": "",
                "payment_status": "paid",
                "placed_at": _text(o.placed_at),
                "currency": "USD",
                "shipping_minor": 0,
                "total_minor": o.total_base_minor,
                "refunded_minor": o.refunded_base_minor,
                "base_currency": "USD",
                "total_base_minor": o.total_base_minor,
                "refunded_base_minor": o.refunded_base_minor,
                "fx_rate": "1",
                "fx_date": o.placed_at.dt.strftime("%Y-%m-%d"),
                "fx_source": "ECB",
                "country": o.country,
                "customer_id": o.customer_id,
                "content_hash": "",
                "created_at": stamp,
                "updated_at": stamp,
                "version": 1,
            }
        )
        s = self.shipments
        shipments = pd.DataFrame(
            {
                "id": s.id,
                "order_id": s.order_id,
                "carrier_id": s.carrier_id,
                "service": "",
                "tracking_number": ["T" + str(n) for n in s.id],
                "status": np.where(s.delivered_at.isna(), "in_transit", "delivered"),
                "provider_status": "",
                "order_ref": "",
                "shipped_at": _text(s.shipped_at),
                "promised_on": s.promised_on.dt.strftime("%Y-%m-%d")
                .astype(object)
                .where(s.promised_on.notna(), None),
                "delivered_at": _text(s.delivered_at),
                "updated_at": stamp,
            }
        )
        return {
            "channels": channels,
            "carriers": carriers,
            "customers": customers[["id", "email", "name", "phone", "country", "created_at"]],
            "orders": orders,
            "shipments": shipments,
            **self._stock_tables(stamp),
        }

    def _stock_tables(self, stamp: str) -> dict[str, pd.DataFrame]:
        """Warehouses, products, their stock and sales days, and ad spend (parents first)."""
        warehouses = pd.DataFrame(WAREHOUSES, columns=["id", "code", "name", "country", "city"])
        p = self.products
        products = p.assign(
            hs_code="",
            origin_country="CN",
            cost_currency="USD",
            list_currency="USD",
            supplier_id=None,
            moq=1,
        )[
            [
                "id",
                "sku",
                "name",
                "category",
                "hs_code",
                "origin_country",
                "weight_g",
                "unit_cost_minor",
                "cost_currency",
                "list_price_minor",
                "list_currency",
                "supplier_id",
                "moq",
                "case_pack",
            ]
        ]
        stock = self.stock_days.assign(day=_day_text(self.stock_days.day), recorded_at=stamp)
        sales = self.sales_days.assign(day=_day_text(self.sales_days.day), recorded_at=stamp)
        a = self.ad_spend
        day = _day_text(a.day)
        ad_spend = pd.DataFrame(
            {
                "id": a.id,
                "account_id": None,
                "day": day,
                "platform": a.platform,
                "campaign": a.campaign,
                "country": a.country,
                "currency": "USD",
                "spend_minor": a.spend_base_minor,
                "base_currency": "USD",
                "spend_base_minor": a.spend_base_minor,
                "fx_rate": "1",
                "fx_date": day,
                "fx_source": "ECB",
                "impressions": a.impressions,
                "clicks": a.clicks,
                "content_hash": "",
                "updated_at": stamp,
            }
        )
        return {
            "warehouses": warehouses,
            "products": products,
            "stock_days": stock,
            "product_sales_days": sales,
            "ad_spend": ad_spend,
        }


def _day_text(days: pd.Series) -> pd.Series:
    return days.dt.strftime("%Y-%m-%d").astype(object)


def _text(times: pd.Series) -> pd.Series:
    text = times.dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    return text.astype(object).where(times.notna(), None)


def generate(size: int, now: datetime, seed: int = 42) -> Generated:
    """`size` orders ending at `now`."""
    rng = np.random.default_rng(seed)
    customers_n = max(1, size // 4)
    country_weights = 1 / np.arange(1, len(COUNTRIES) + 1)
    country_weights /= country_weights.sum()
    customer_country = rng.choice(COUNTRIES, customers_n, p=country_weights)
    customer_id = rng.integers(1, customers_n + 1, size)
    start = np.datetime64(now.replace(tzinfo=None), "us") - np.timedelta64(DAYS, "D")
    placed = start + rng.integers(0, DAYS * 86_400_000_000, size).astype("timedelta64[us]")
    status = rng.choice(STATUSES, size, p=STATUS_WEIGHTS)
    total = np.maximum(100, rng.lognormal(8.3, 0.7, size).astype(np.int64))
    refund_share = rng.choice([0.0, 0.25, 1.0], size, p=[0.93, 0.04, 0.03])
    refunded = np.where(status == "pending", 0, (total * refund_share).astype(np.int64))
    orders = pd.DataFrame(
        {
            "id": np.arange(1, size + 1),
            "channel_id": rng.integers(1, 11, size),
            "status": status,
            "placed_at": pd.to_datetime(placed),
            "country": customer_country[customer_id - 1],
            "customer_id": customer_id,
            "total_base_minor": total,
            "refunded_base_minor": refunded,
        }
    )
    sent = orders[orders.status.isin(["partially_shipped", "shipped", "delivered", "returned"])]
    n = len(sent)
    shipped = sent.placed_at.to_numpy() + np.timedelta64(1, "D")
    arrived = shipped + rng.integers(2 * 86_400, 10 * 86_400, n).astype("timedelta64[s]")
    arrived = np.where(
        sent.status.isin(["delivered", "returned"]).to_numpy(), arrived, np.datetime64("NaT")
    )
    promised = (shipped + np.timedelta64(6, "D")).astype("datetime64[D]")
    promised = np.where(rng.random(n) < 0.9, promised, np.datetime64("NaT"))
    shipments = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "order_id": sent.id.to_numpy(),
            "carrier_id": rng.integers(1, 4, n),
            "shipped_at": pd.to_datetime(shipped),
            "promised_on": pd.to_datetime(promised),
            "delivered_at": pd.to_datetime(arrived),
            "country": sent.country.to_numpy(),
        }
    )
    customers = pd.DataFrame({"id": np.arange(1, customers_n + 1), "country": customer_country})
    # A generator of its own, so that orders and parcels stay what they were before stock.
    more = np.random.default_rng([seed, 1])
    days = _days(now)
    products = _products(more)
    stock, sales = _stock_and_sales(more, orders, products, days)
    ad_spend = _ad_spend(more, orders, customers, days)
    return Generated(orders, shipments, customers, products, stock, sales, ad_spend, now)


def _days(now: datetime) -> np.ndarray:
    """Every UTC day from the first order's to today's, both included."""
    today = np.datetime64(now.replace(tzinfo=None), "D")
    return np.arange(today - np.timedelta64(DAYS, "D"), today + np.timedelta64(1, "D"))


def _day_index(placed: pd.Series, days: np.ndarray) -> np.ndarray:
    index: np.ndarray = (placed.to_numpy().astype("datetime64[D]") - days[0]).astype(np.int64)
    return index


def _products(rng: np.random.Generator) -> pd.DataFrame:
    """Products in eight categories; popularity a few hits and a long tail, cost 30–50 %."""
    category = rng.integers(0, len(CATEGORIES), PRODUCTS)
    popularity = 1 / rng.permutation(np.arange(1, PRODUCTS + 1)) ** 0.8
    price = np.array([CATEGORIES[c][1] for c in category]) * rng.lognormal(0, 0.3, PRODUCTS)
    price_minor = np.maximum(299, (price * 100).astype(np.int64) // 100 * 100 - 1)  # x.99
    cost_minor = (price_minor * rng.uniform(0.3, 0.5, PRODUCTS)).astype(np.int64)
    names = [CATEGORIES[c][0] for c in category]
    ids = np.arange(1, PRODUCTS + 1)
    return pd.DataFrame(
        {
            "id": ids,
            "sku": [f"BX-{n[:3].upper()}-{i:04d}" for n, i in zip(names, ids, strict=True)],
            "name": [f"{n} item {i}" for n, i in zip(names, ids, strict=True)],
            "category": names,
            "unit_cost_minor": cost_minor,
            "list_price_minor": price_minor,
            "weight_g": rng.integers(80, 2500, PRODUCTS),
            "case_pack": rng.choice([1, 6, 12, 24], PRODUCTS),
            "popularity": popularity / popularity.sum(),
        }
    )


def _stock_and_sales(
    rng: np.random.Generator, orders: pd.DataFrame, products: pd.DataFrame, days: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each day's sales of each product, and each warehouse's stock of it at the day's end.

    Units sold follow the day's sold orders and the product's popularity. Stock is weeks of
    the product's average demand: it runs down to 2–5 weeks' cover and is refilled with 4–14
    weeks' worth, in a cycle of its own per warehouse and product (about 8 weeks of cover on
    average: 0.5–0.6 turns in 30 days, 6–7 a year).
    """
    n_days = len(days)
    sold = orders[orders.status.isin(SOLD)]
    per_day = np.bincount(_day_index(sold.placed_at, days), minlength=n_days)
    popularity = products.popularity.to_numpy()
    cost = products.unit_cost_minor.to_numpy()
    units = rng.poisson(np.outer(per_day * UNITS_PER_ORDER, popularity))  # day × product
    day_i, product_i = np.nonzero(units)
    n = units[day_i, product_i]
    discount = rng.uniform(0.8, 1.0, len(n))  # coupons, bundles, marketplace promotions
    sales = pd.DataFrame(
        {
            "day": pd.to_datetime(days[day_i]),
            "product_id": product_i + 1,
            "units": n,
            "cogs_base_minor": n * cost[product_i],
            "revenue_base_minor": (
                n * products.list_price_minor.to_numpy()[product_i] * discount
            ).astype(np.int64),
        }
    )
    demand = per_day.mean() * UNITS_PER_ORDER * popularity  # units a day, per product
    shape = (len(WAREHOUSES), PRODUCTS)
    cycle = rng.integers(28, 98, shape)  # days from one delivery to the next
    low = rng.integers(14, 35, shape)  # days of cover left when a delivery arrives
    phase = rng.integers(0, 98, shape)
    t = np.arange(n_days)[:, None, None]
    cover = low + cycle * (1 - ((t + phase) % cycle) / cycle)  # day × warehouse × product
    expected = cover * WAREHOUSE_SHARES[:, None] * demand * rng.lognormal(0, 0.1, cover.shape)
    on_hand = np.maximum(np.rint(expected).astype(np.int64), 1)  # a listed item: one at least
    d, w, p = np.indices(on_hand.shape).reshape(3, -1)
    flat = on_hand.reshape(-1)
    stock = pd.DataFrame(
        {
            "day": pd.to_datetime(days[d]),
            "warehouse_id": w + 1,
            "product_id": p + 1,
            "on_hand": flat,
            "value_base_minor": flat * cost[p],
        }
    )
    return stock, sales


def _ad_spend(
    rng: np.random.Generator, orders: pd.DataFrame, customers: pd.DataFrame, days: np.ndarray
) -> pd.DataFrame:
    """Each day's spend per platform, campaign and country: about what the country's new
    customers of the week around it cost (USD 18–45 each), and a brand campaign per platform
    that names no country."""
    n_days, n_countries = len(days), len(AD_COUNTRIES)
    first = orders.groupby("customer_id").placed_at.min()
    country = customers.set_index("id").country.reindex(first.index)
    column = pd.Index(AD_COUNTRIES).get_indexer(country)  # -1: a country without ads
    known = column >= 0
    new = np.zeros((n_days, n_countries))
    np.add.at(new, (_day_index(first, days)[known], column[known]), 1)
    week = np.ones(7) / 7
    smooth = np.stack([np.convolve(new[:, c], week, "same") for c in range(n_countries)], 1)
    cac = rng.uniform(18, 45, n_countries)
    budget = np.maximum(smooth * cac, 2) * rng.lognormal(0, 0.2, smooth.shape)  # USD
    frames = []
    for platform, share, cpm, ctr in PLATFORMS:
        for campaign, part in CAMPAIGNS:
            frames.append(
                _campaigns(rng, days, budget * share * part, platform, campaign, cpm, ctr)
            )
        brand = budget.sum(1, keepdims=True) * BRAND_SHARE * share
        frames.append(_campaigns(rng, days, brand, platform, "Brand", cpm, ctr, brand=True))
    found = pd.concat(frames, ignore_index=True).sort_values(["day", "platform", "campaign"])
    found.insert(0, "id", np.arange(1, len(found) + 1))
    return found.reset_index(drop=True)


def _campaigns(
    rng: np.random.Generator,
    days: np.ndarray,
    budget: np.ndarray,
    platform: str,
    campaign: str,
    cpm: float,
    ctr: float,
    *,
    brand: bool = False,
) -> pd.DataFrame:
    """One campaign of a platform on every day, per country (day × country budgets in USD)."""
    countries = np.array([""]) if brand else AD_COUNTRIES
    spend = np.rint(budget * rng.lognormal(0, 0.3, budget.shape) * 100).astype(np.int64)
    impressions = np.rint(spend / 100 / cpm * 1000 * rng.lognormal(0, 0.2, spend.shape))
    impressions = impressions.astype(np.int64)
    d, c = np.indices(spend.shape).reshape(2, -1)
    name = platform.capitalize() + " " + campaign
    return pd.DataFrame(
        {
            "day": pd.to_datetime(days[d]),
            "platform": platform,
            "campaign": [name if brand else f"{name} {k}" for k in countries[c]],
            "country": countries[c],
            "spend_base_minor": spend.reshape(-1),
            "impressions": impressions.reshape(-1),
            "clicks": rng.binomial(impressions.reshape(-1), ctr),
        }
    )
