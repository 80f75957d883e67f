"""The seller's catalogue: one SKU per product-line variant, its demand weight and its stock."""

from __future__ import annotations

import random
from collections.abc import Sequence

from cbe_app.demo import reference as ref
from cbe_app.demo.pricing import charm_price
from cbe_app.demo.records import ProductRec, StockRec, SupplierRec
from cbe_app.demo.reference_catalogue import CATEGORIES, PRODUCT_LINES, ProductLine

_CASE_PACKS = (2, 4, 6, 8, 10, 12, 20, 24, 30, 40, 50, 60, 80, 100)
# Each warehouse's share of the units sold, and the days of its demand it holds on average:
# sellers shipping by sea from China keep about two to three months of cover.
_DEMAND_SHARE = {"SZX": 0.5, "ONT": 0.3, "LEJ": 0.2}
COVER_DAYS = {"SZX": 75, "ONT": 60, "LEJ": 60}
UNITS_PER_ORDER = 1.65  # the demo's baskets: 1.35 lines of 1.22 units on average


def list_products(rng: random.Random) -> tuple[ProductRec, ...]:
    """Every SKU of `reference_catalogue.PRODUCT_LINES`, in the order the lines list them.

    Args:
        rng: The reference-data stream; its state after the call feeds the next builder.

    Returns:
        The products, SKUs numbered within each category.
    """
    suppliers = {s.code: s for s in ref.SUPPLIERS}
    serials: dict[str, int] = {}
    records = []
    for line in PRODUCT_LINES:
        for variant in line.variants.split(","):
            serial = serials[line.category] = serials.get(line.category, 0) + 1
            sku = f"CBE-{line.category}-{serial:04d}"
            records.append(_product(rng, line, variant, sku, suppliers[line.supplier]))
    return tuple(records)


def _product(
    rng: random.Random, line: ProductLine, variant: str, sku: str, supplier: SupplierRec
) -> ProductRec:
    units = int(variant[0]) if variant[1:].startswith("-Pack") else 1
    # bundles sell at a discount per unit; variants drift a little around the base
    price = charm_price(line.price_cents * units**0.85 * rng.uniform(0.92, 1.12), "USD")
    cost = price * rng.uniform(0.20, 0.40)
    if supplier.currency == "CNY":
        cost = round(cost * ref.CNY_PER_USD / 10) * 10  # quoted to the jiao
    weight = round(line.weight_g * units * rng.uniform(0.92, 1.08))
    moq = rng.choice(
        (500, 1000) if price < 1500 else (200, 300, 500) if price < 3000 else (100, 200)
    )
    return ProductRec(
        sku=sku,
        name=f"{line.name}, {variant}",
        category=CATEGORIES[line.category][0],
        hs_code=line.hs_code,
        origin_country=supplier.country,
        weight_g=weight,
        unit_cost_minor=round(cost),
        cost_currency=supplier.currency,
        list_price_minor=price,
        supplier_code=supplier.code,
        moq=moq,
        case_pack=max(p for p in _CASE_PACKS if p * weight <= 12_000 or p == 2),
    )


def demand_weights(rng: random.Random, products: Sequence[ProductRec]) -> tuple[float, ...]:
    """Unit-demand weight per product: a few hits and a long tail inside each category.

    Args:
        rng: The reference-data stream; its state after the call feeds the next builder.
        products: The catalogue, as `list_products` built it.

    Returns:
        One weight per product, in the order of `products`; each category sums to its share.
    """
    weights = [0.0] * len(products)
    for code, (_, share) in CATEGORIES.items():
        members = [i for i, p in enumerate(products) if p.sku[4:6] == code]
        rng.shuffle(members)
        tail = [1 / (rank + 2) ** 0.9 for rank in range(len(members))]
        for index, weight in zip(members, tail, strict=True):
            weights[index] = share * weight / sum(tail)
    return tuple(weights)


def stock_levels(
    rng: random.Random,
    products: Sequence[ProductRec],
    popularity: Sequence[float],
    daily_units: float,
) -> tuple[StockRec, ...]:
    """On-hand units of every product in every warehouse: weeks of its demand, give or take.

    Args:
        rng: The reference-data stream.
        products: The catalogue, as `list_products` built it.
        popularity: Demand weight per product, as `demand_weights` gave it.
        daily_units: Units the whole catalogue sells on an average day.

    Returns:
        One record per warehouse and product, warehouse by warehouse.
    """
    total = sum(popularity)
    records = []
    for warehouse in ref.WAREHOUSES:
        for product, weight in zip(products, popularity, strict=True):
            roll = rng.random()
            if roll < 0.05:
                on_hand = 0  # sold out, replenishment still at sea
            elif roll < 0.12:
                on_hand = rng.randint(1, 9)
            else:
                demand = daily_units * weight / total * _DEMAND_SHARE[warehouse.code]
                cover = COVER_DAYS[warehouse.code] * rng.uniform(0.4, 1.6)
                on_hand = max(1, round(demand * cover))
            records.append(StockRec(warehouse.code, product.sku, on_hand))
    return tuple(records)
