"""Prices in the seller's local price lists and the shipping fees channels charge buyers."""

from __future__ import annotations

import random

from cbe_app.demo import reference as ref


def charm_price(usd_cents: float, currency: str) -> int:
    """Local list price in minor units: the seller's price-list factor, then charm rounding.

    Args:
        usd_cents: Price in US cents; fractions come from variant and bundle adjustments.
        currency: A price-list currency, a key of `reference.PRICE_FACTORS`.

    Returns:
        The price in minor units of `currency`, ending the way shoppers there expect.
    """
    local = usd_cents / 100 * ref.PRICE_FACTORS[currency]
    if currency == "JPY":
        return max(3, round(local / 100)) * 100 - 20  # 2,980 yen
    if currency == "SEK":
        return (max(3, round(local / 10)) * 10 - 1) * 100  # 199 kr, no öre
    return max(1, round(local)) * 100 - 1  # 19.99


def local_minor(usd_cents: int, currency: str) -> int:
    """Convert US cents to minor units of a price-list currency at the list factor, unrounded.

    Args:
        usd_cents: Amount in US cents.
        currency: A price-list currency, a key of `reference.PRICE_FACTORS`.

    Returns:
        The amount in minor units of `currency`.
    """
    minor_per_major = 1 if ref.MINOR_DIGITS.get(currency, 2) == 0 else 100
    return round(usd_cents / 100 * ref.PRICE_FACTORS[currency] * minor_per_major)


def shipping_fee(rng: random.Random, channel: str, currency: str, subtotal: int) -> int:
    """Shipping the buyer pays on an order, under the channel's shipping policy.

    Args:
        rng: The order's random stream; exactly one value is consumed.
        channel: Code of the channel the order came from.
        currency: The order's currency.
        subtotal: Sum of the order's lines in minor units of `currency`.

    Returns:
        The fee in minor units of `currency`; 0 when shipping is free.
    """
    free_share, free_over, fee = ref.SHIPPING_POLICIES[channel]
    if rng.random() < free_share:
        return 0
    if free_over is not None and subtotal >= local_minor(free_over, currency):
        return 0
    return charm_price(fee, currency)
