"""The customer pool: buyers spread over the channels' markets, with local names and contacts."""

from __future__ import annotations

import random
import unicodedata
from itertools import accumulate

from cbe_app.demo import reference as ref
from cbe_app.demo.records import CustomerRec
from cbe_app.demo.reference_names import EMAIL_DOMAINS, NAMES

_NAME_LISTS = {k: tuple(tuple(p.split(",")) for p in v) for k, v in NAMES.items()}
_ASCII_FOLD = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "ł": "l", "'": "", " ": "", "-": ""})


def channel_market(channel: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The countries a channel sells to and their cumulative order weights.

    Args:
        channel: A channel code, a key of `reference.CHANNEL_MARKETS`.

    Returns:
        The countries in `reference.COUNTRIES` order, and their weights accumulated.
    """
    markets = ref.CHANNEL_MARKETS[channel]
    countries = tuple(c for c in ref.COUNTRIES if markets is None or c in markets)
    return countries, tuple(accumulate(ref.COUNTRIES[c].weight for c in countries))


def customer_pool(rng: random.Random, size: int) -> tuple[CustomerRec, ...]:
    """Buyers spread over countries like orders are, with at least one in every country.

    Args:
        rng: The reference-data stream; its state after the call feeds the next builder.
        size: Number of customers; at least the number of countries.

    Returns:
        The customers, keyed C000001 onwards, with unique e-mail addresses.
    """
    # shuffled so customer numbers interleave countries, as sign-ups do
    homes = [c for c, n in _country_counts(size).items() for _ in range(n)]
    rng.shuffle(homes)
    taken: set[str] = set()
    return tuple(_customer(rng, f"C{n:06d}", c, taken) for n, c in enumerate(homes, 1))


def _country_counts(size: int) -> dict[str, int]:
    """Customers per country in proportion to its expected orders, by largest remainder."""
    shares = dict.fromkeys(ref.COUNTRIES, 0.0)
    for channel, channel_share in ref.CHANNEL_SHARES.items():
        countries, cum = channel_market(channel)
        for country in countries:
            shares[country] += channel_share * ref.COUNTRIES[country].weight / cum[-1]
    spare = size - len(shares)
    exact = {c: spare * s / sum(shares.values()) for c, s in shares.items()}
    counts = {c: 1 + int(x) for c, x in exact.items()}
    by_remainder = sorted(exact, key=lambda c: exact[c] - int(exact[c]), reverse=True)
    for country in by_remainder[: size - sum(counts.values())]:
        counts[country] += 1
    return counts


def _customer(rng: random.Random, key: str, country: str, taken: set[str]) -> CustomerRec:
    info = ref.COUNTRIES[country]
    given, family = _name(rng, info.names)
    phone = _mobile_number(rng, info)
    return CustomerRec(key, _email(rng, given, family, taken), f"{given} {family}", phone, country)


def _name(rng: random.Random, names: str) -> tuple[str, str]:
    """Given name and family name from one country's name lists."""
    male, female, surnames = _NAME_LISTS[names]
    is_female = rng.random() < 0.5
    given = rng.choice(female if is_female else male)
    forms = rng.choice(surnames).split("/")  # "Kowalski/Kowalska": pick the gendered form
    return given, forms[-1] if is_female else forms[0]


def _mobile_number(rng: random.Random, info: ref.Country) -> str:
    """A mobile number in E.164 form on one of the country's mobile prefixes."""
    digits = info.subscriber_digits
    subscriber = rng.randrange(2 * 10 ** (digits - 1), 10**digits)
    return f"+{info.calling_code}{rng.choice(info.mobile_prefixes.split())}{subscriber}"


def _email(rng: random.Random, given: str, family: str, taken: set[str]) -> str:
    """An address built the way people build theirs, unique among `taken`, which it extends."""
    first, last = (
        unicodedata.normalize("NFKD", s.lower().translate(_ASCII_FOLD))
        .encode("ascii", "ignore")
        .decode()
        for s in (given, family)
    )
    local = rng.choice(
        (
            f"{first}.{last}",
            f"{first}{last}",
            f"{first[0]}.{last}",
            f"{first}_{last}",
            f"{last}.{first}",
        )
    )
    domain = rng.choice(EMAIL_DOMAINS)
    email = f"{local}@{domain}"
    while email in taken:  # common names collide; people then add digits
        email = f"{local}{rng.randrange(1, 1000)}@{domain}"
    taken.add(email)
    return email
