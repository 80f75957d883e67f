"""Channel order ids and carrier tracking numbers, in each provider's real format.

Both are derived from the order's index, so they are unique without a registry of the ids
already issued and identical whichever process builds the order.
"""

from __future__ import annotations

import random

_MIX = 6_364_136_223_846_793_007  # ends in 7, so coprime with 10 and a bijection modulo 10**k


def external_id(rng: random.Random, seed: int, channel: str, index: int) -> str:
    """The id the sales channel gave the order, shaped like that channel's ids.

    Args:
        rng: The order's random stream; drawn from for Amazon, Shopify and eBay ids.
        seed: Seed of the dataset, so different datasets do not share ids.
        channel: Code of the channel the order came from.
        index: Index of the order in the dataset.

    Returns:
        The channel's order id, distinct for distinct indexes of one channel.
    """
    if channel == "amazon":
        body = _scramble(index, seed, 14)
        return f"{rng.choice(('111', '112', '113', '114'))}-{body[:7]}-{body[7:]}"
    if channel == "shopify":  # ids grow with time, in uneven steps
        return str(5_410_000_000_000 + index * 7_919 + rng.randrange(7_919))
    if channel == "ebay":
        body = _scramble(index, seed + 1, 10)
        return f"{rng.randint(1, 27):02d}-{body[:5]}-{body[5:]}"
    if channel == "walmart":
        return "1" + _scramble(index, seed + 2, 12)
    return str(21_407 + index)  # WooCommerce order ids are WordPress post ids, shared with pages


def tracking_number(seed: int, carrier: str, service: str, index: int) -> str:
    """A number in the carrier's real format, with its check digit where it has one.

    Args:
        seed: Seed of the dataset, so different datasets do not share numbers.
        carrier: Carrier code, a `CarrierRec.code` of `reference.CARRIERS`.
        service: The carrier's service (kept for formats that encode it).
        index: Index of the order in the dataset.

    Returns:
        The tracking number, distinct for distinct indexes of one carrier.
    """
    salt = seed * 1_000_003  # formats differ by carrier, so one salt per seed suffices
    if carrier == "fedex":
        body = "7" + _scramble(index, salt, 10)
        return f"{body}{_fedex_check_digit(body)}"
    if carrier == "dhl":
        body = "1" + _scramble(index, salt, 8)
        return f"{body}{int(body) % 7}"
    if carrier == "4px":
        return f"4PX30{_scramble(index, salt, 11)}CN"
    raise ValueError(f"no tracking number format for carrier {carrier!r}")


def _fedex_check_digit(body: str) -> int:
    """FedEx 12-digit numbers: weights 1, 3, 7 from the right, modulo 11, then modulo 10."""
    weighted = sum(int(d) * (1, 3, 7)[i % 3] for i, d in enumerate(reversed(body)))
    return weighted % 11 % 10


def _scramble(index: int, salt: int, digits: int) -> str:
    """`digits` digits that look random yet are distinct for distinct indexes below 10**digits."""
    # Two affine maps modulo 10**digits around a digit reversal: each step is a bijection, and
    # the reversal carries the low digits' regularity up to where the second map mixes it in.
    modulus = 10**digits
    reversed_digits = f"{(index * _MIX + salt) % modulus:0{digits}d}"[::-1]
    return f"{(int(reversed_digits) * _MIX + salt) % modulus:0{digits}d}"
