"""The demo business's advertising: the ad platforms' exports, imported as the marketing team would.

Daily spend on Google Ads, Meta, Amazon Ads and TikTok Ads in the demo's main markets, one to
three campaigns each (an evergreen campaign, a second one in the biggest markets, and seasonal
ones: the holiday season, Black Friday, Prime Day), over the demo's period. A country's spend
is 9-14 % of the GMV its orders are expected to bring that month, spread over the days like
the orders, so that customer acquisition cost comes out as a seller's would.

The figures are written as each platform exports them (Google Ads' headers and country names,
one Meta export per ad-account currency, one Amazon Ads export per marketplace with the
country typed for the whole file, TikTok's singular "Impression"), and imported through the
hub's file import: the column guess, the ad-spend mapper, the normaliser and the ingest.
Deterministic: one random stream seeded by the demo's seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from cbe_app.demo import reference as ref
from cbe_app.demo.customers import channel_market
from cbe_app.demo.records import DemoDataset
from cbe_app.demo.timeline import order_timeline
from cbe_app.hub.connect import file_import_account
from cbe_app.hub.fileimport.columns import guess_mapping
from cbe_app.hub.fileimport.formats import AD_SPEND, rename, usable_constants
from cbe_app.hub.ingest.context import IngestSummary
from cbe_app.hub.ingest.page import ingest_page
from cbe_app.hub.ingest.rules import ingest_context
from cbe_app.hub.sync import complete_run, count_page, new_run

MAIN_COUNTRIES = ("US", "GB", "DE", "CA", "AU", "FR", "JP")
_BIG = ("US", "DE")  # markets with a second evergreen campaign on every platform
_SHARE_OF_GMV = (0.09, 0.14)
_AOV_SAMPLES = 400
_ACCOUNT_CURRENCY = {"GB": "GBP", "DE": "EUR", "FR": "EUR"}  # Google and Meta; USD elsewhere
_COUNTRY_NAMES = {
    "US": "United States",
    "GB": "United Kingdom",
    "DE": "Germany",
    "CA": "Canada",
    "AU": "Australia",
    "FR": "France",
    "JP": "Japan",
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# platform: (share of a market's budget, its markets, cost per click in USD, click-through rate)
PLATFORMS: dict[str, tuple[float, tuple[str, ...], float, float]] = {
    "Google Ads": (0.36, MAIN_COUNTRIES, 0.90, 0.035),
    "Meta": (0.30, MAIN_COUNTRIES, 0.70, 0.012),
    "Amazon Ads": (0.24, MAIN_COUNTRIES, 0.85, 0.0045),
    "TikTok Ads": (0.10, ("US", "GB", "DE", "FR"), 0.45, 0.010),
}
# platform: (campaign name, weight, where it runs: "all" or "big", its season or "")
CAMPAIGNS: dict[str, tuple[tuple[str, float, str, str], ...]] = {
    "Google Ads": (
        ("Search - Brand - {cc}", 1.0, "all", ""),
        ("Shopping - All Products - {cc}", 1.2, "big", ""),
        ("Performance Max - Holiday - {cc}", 0.8, "all", "holiday"),
    ),
    "Meta": (
        ("Prospecting - Broad - {cc}", 1.0, "all", ""),
        ("Retargeting - 30d Visitors - {cc}", 0.6, "big", ""),
        ("Black Friday - {cc}", 1.0, "all", "black_friday"),
    ),
    "Amazon Ads": (
        ("SP - Auto - {cc}", 1.0, "all", ""),
        ("SP - Manual - Top Sellers - {cc}", 0.9, "big", ""),
        ("SB - Prime Day - {cc}", 1.2, "all", "prime_day"),
    ),
    "TikTok Ads": (("Spark Ads - Always On - {cc}", 1.0, "all", ""),),
}


@dataclass(frozen=True, slots=True)
class Spend:
    """What one campaign cost on one day in one market, in US dollars."""

    day: date
    platform: str
    campaign: str
    country: str
    usd: float
    impressions: int
    clicks: int


@dataclass(slots=True)
class AdExport:
    """One export file as a platform writes it: its headers, its rows (numbered like the
    sheet), and the values the person types for the whole file."""

    name: str
    headers: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    constants: dict[str, str] = field(default_factory=dict)


def _thanksgiving(year: int) -> date:
    november = date(year, 11, 1)
    return november + timedelta(days=(3 - november.weekday()) % 7 + 21)


def _prime_day(year: int) -> date:
    july = date(year, 7, 1)
    return july + timedelta(days=(1 - july.weekday()) % 7 + 7)


def in_season(season: str, day: date) -> bool:
    """Whether a seasonal campaign runs on `day` ("" runs all year)."""
    if season == "holiday":
        return date(day.year, 11, 1) <= day <= date(day.year, 12, 24)
    if season == "black_friday":
        return -7 <= (day - _thanksgiving(day.year)).days <= 4
    if season == "prime_day":
        return -5 <= (day - _prime_day(day.year)).days <= 1
    return True


def _campaigns(platform: str, country: str, day: date) -> list[tuple[str, float]]:
    return [
        (name.format(cc=country), weight)
        for name, weight, where, season in CAMPAIGNS[platform]
        if (where == "all" or country in _BIG) and in_season(season, day)
    ]


def country_shares() -> dict[str, float]:
    """Each country's expected share of the demo's orders, from the channels' markets."""
    shares = dict.fromkeys(ref.COUNTRIES, 0.0)
    for channel, channel_share in ref.CHANNEL_SHARES.items():
        countries, cum = channel_market(channel)
        for country in countries:
            shares[country] += channel_share * ref.COUNTRIES[country].weight / cum[-1]
    total = sum(shares.values())
    return {country: share / total for country, share in shares.items()}


def _usd(minor: int, currency: str) -> float:
    return minor / (100 if ref.MINOR_DIGITS.get(currency, 2) else 1) / ref.PRICE_FACTORS[currency]


def average_order_usd(data: DemoDataset) -> float:
    """The demo's average order value in US dollars, from orders spread over the period."""
    count = data.order_count
    picks = sorted({count * n // _AOV_SAMPLES for n in range(min(count, _AOV_SAMPLES))})
    orders = [next(data.orders(i, i + 1)) for i in picks]
    return sum(_usd(o.total_minor, o.currency) for o in orders) / max(len(orders), 1)


def _days(data: DemoDataset, months: int) -> Iterator[tuple[date, float]]:
    """Each day of the period with the orders expected on it."""
    timeline = order_timeline(end=data.end, months=months, count=data.order_count)
    day_cum = timeline.day_cum
    per_volume = data.order_count / day_cum[-1]
    first = timeline.first_day.date()
    for n, volume in enumerate(b - a for a, b in zip((0.0, *day_cum), day_cum, strict=False)):
        yield first + timedelta(days=n), volume * per_volume


def daily_spend(data: DemoDataset, months: int = 18) -> list[Spend]:
    """Every day's spend per platform, country and campaign, in US dollars (deterministic)."""
    if data.order_count == 0:
        return []
    rng = random.Random(f"cbe-demo-adspend/{data.seed}")  # noqa: S311 - demo data
    shares, aov = country_shares(), average_order_usd(data)
    ratios: dict[tuple[str, int, int], float] = {}
    out: list[Spend] = []
    for day, orders in _days(data, months):
        for country in MAIN_COUNTRIES:
            month = (country, day.year, day.month)
            ratio = ratios.setdefault(month, rng.uniform(*_SHARE_OF_GMV))
            budget = ratio * orders * shares[country] * aov
            out += _split(rng, day, country, budget)
    return out


def _split(rng: random.Random, day: date, country: str, budget: float) -> list[Spend]:
    """A market's budget of the day over its platforms and their running campaigns."""
    present = [p for p, (_, markets, *_) in PLATFORMS.items() if country in markets]
    shares = sum(PLATFORMS[p][0] for p in present)
    out = []
    for platform in present:
        share, _, cpc, ctr = PLATFORMS[platform]
        running = _campaigns(platform, country, day)
        total_weight = sum(weight for _, weight in running)
        for campaign, weight in running:
            usd = budget * share / shares * weight / total_weight * rng.uniform(0.8, 1.2)
            clicks = round(usd / (cpc * rng.uniform(0.85, 1.15)))
            impressions = round(max(clicks, usd / cpc) / (ctr * rng.uniform(0.8, 1.2)))
            out.append(Spend(day, platform, campaign, country, usd, impressions, clicks))
    return out


def _currency(platform: str, country: str) -> str:
    if platform == "Amazon Ads":
        return ref.COUNTRIES[country].currency  # billed in the marketplace's currency
    return "USD" if platform == "TikTok Ads" else _ACCOUNT_CURRENCY.get(country, "USD")


Layout = Callable[[Spend, str, str], tuple[str, tuple[str, ...], tuple[Any, ...]]]


def _google(s: Spend, currency: str, amount: str) -> tuple[str, tuple[str, ...], tuple[Any, ...]]:
    headers = ("Day", "Campaign", "Country/Territory", "Currency code", "Cost", "Impr.", "Clicks")
    country = _COUNTRY_NAMES[s.country]
    values = (s.day.isoformat(), s.campaign, country, currency, amount, f"{s.impressions:,}")
    return "google-ads", headers, (*values, s.clicks)


def _meta(s: Spend, currency: str, amount: str) -> tuple[str, tuple[str, ...], tuple[Any, ...]]:
    spent = f"Amount spent ({currency})"
    headers = ("Reporting starts", "Reporting ends", "Campaign name", "Country", spent)
    day = s.day.isoformat()
    values = (day, day, s.campaign, s.country, amount.replace(",", ""), s.impressions, s.clicks)
    return f"meta-ads-{currency.lower()}", (*headers, "Impressions", "Link clicks"), values


def _amazon(s: Spend, currency: str, amount: str) -> tuple[str, tuple[str, ...], tuple[Any, ...]]:
    headers = ("Date", "Campaign Name", "Impressions", "Clicks", "Spend", "Currency")
    day = f"{_MONTHS[s.day.month - 1]} {s.day.day:02d}, {s.day.year}"
    values = (day, s.campaign, s.impressions, s.clicks, amount.replace(",", ""), currency)
    return f"amazon-ads-{s.country.lower()}", headers, values


def _tiktok(s: Spend, currency: str, amount: str) -> tuple[str, tuple[str, ...], tuple[Any, ...]]:
    headers = ("Date", "Campaign name", "Country/Region", "Cost", "Impression", "Clicks")
    values = (s.day.isoformat(), s.campaign, s.country, amount.replace(",", ""), s.impressions)
    return "tiktok-ads", (*headers, "Currency"), (*values, s.clicks, currency)


_LAYOUTS: dict[str, Layout] = {
    "Google Ads": _google,
    "Meta": _meta,
    "Amazon Ads": _amazon,
    "TikTok Ads": _tiktok,
}


def exports(spend: list[Spend]) -> list[AdExport]:
    """The spend as the platforms export it: Google Ads one file (country names, thousands
    separators), Meta one per ad-account currency, Amazon Ads one per marketplace (no country
    column: the person types it), TikTok Ads one file."""
    files: dict[str, AdExport] = {}
    for s in spend:
        currency = _currency(s.platform, s.country)
        digits = ref.MINOR_DIGITS.get(currency, 2)
        amount = f"{s.usd * ref.PRICE_FACTORS[currency]:,.{digits}f}"
        name, headers, values = _LAYOUTS[s.platform](s, currency, amount)
        export = files.get(name)
        if export is None:
            typed = {"country": s.country} if s.platform == "Amazon Ads" else {}
            export = files[name] = AdExport(f"{name}.csv", headers, constants=typed)
        export.rows.append(
            {**dict(zip(headers, values, strict=True)), "_row": len(export.rows) + 2}
        )
    return list(files.values())


def ad_exports(data: DemoDataset, months: int = 18) -> list[AdExport]:
    """The demo's ad spend as the platforms export it."""
    return exports(daily_spend(data, months))


def import_exports(
    session: Session, files: list[AdExport], base_currency: str, now: datetime
) -> IngestSummary:
    """Import exports through the file import's path, as one run of the ad-spend account."""
    account = file_import_account(session, AD_SPEND.provider, now)
    run = new_run(session, account, "file", now)
    ctx = ingest_context(session, account, base_currency, now)
    summary = IngestSummary()
    for export in files:
        mapping = guess_mapping(export.headers, AD_SPEND.fields)
        typed = AD_SPEND.guess_constants(export.headers) | export.constants
        rows = rename(export.rows, mapping, usable_constants(AD_SPEND, mapping, typed))
        written = ingest_page(session, AD_SPEND.map_rows(rows), ctx)
        count_page(run, written)
        summary.add(written)
    complete_run(account, run, None, now)
    return summary


def load_ad_spend(
    session: Session, data: DemoDataset, base_currency: str, now: datetime, months: int = 18
) -> IngestSummary:
    """Generate the demo's ad platform exports and import them (again: nothing changes)."""
    return import_exports(session, ad_exports(data, months), base_currency, now)
