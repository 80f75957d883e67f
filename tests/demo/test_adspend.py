"""The demo's advertising: deterministic, a seller's share of GMV, small enough for a first
start, and imported through the hub's real ad-spend import."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import func, select

from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.demo import adspend
from cbe_app.demo.adspend import MAIN_COUNTRIES, PLATFORMS, ad_exports, daily_spend, load_ad_spend
from cbe_app.demo.generator import GeneratedDemo, generate
from cbe_app.demo.reference import MINOR_DIGITS, PRICE_FACTORS
from cbe_app.demo.service import DemoParams, demo_step
from cbe_app.hub.marketing import AdSpend
from cbe_app.hub.runs import QuarantineItem, SyncRun
from cbe_app.jobs.runner import run_inline
from tests.conftest import Backend

END = date(2026, 6, 30)


@pytest.fixture(scope="module")
def demo() -> GeneratedDemo:
    return generate(end=END, orders=20_000, seed=7)


@pytest.fixture(scope="module")
def spend(demo: GeneratedDemo) -> list[adspend.Spend]:
    return daily_spend(demo)


def test_the_same_demo_gives_the_same_exports(demo: GeneratedDemo) -> None:
    first, again = ad_exports(demo), ad_exports(generate(end=END, orders=20_000, seed=7))
    assert [(e.name, e.headers, e.rows, e.constants) for e in first] == [
        (e.name, e.headers, e.rows, e.constants) for e in again
    ]
    other = ad_exports(generate(end=END, orders=20_000, seed=8))
    assert [e.rows[:5] for e in other] != [e.rows[:5] for e in first]


def test_the_first_start_demo_has_at_most_twenty_thousand_rows() -> None:
    started = time.perf_counter()
    rows = sum(len(e.rows) for e in ad_exports(generate(end=END, orders=50_000, seed=7)))
    assert 12_000 <= rows <= 20_000
    assert time.perf_counter() - started < 5


def test_every_platform_in_the_main_markets_with_one_to_three_campaigns(
    spend: list[adspend.Spend],
) -> None:
    assert {s.platform for s in spend} == set(PLATFORMS)
    assert {s.country for s in spend} == set(MAIN_COUNTRIES)
    assert (min(s.day for s in spend), max(s.day for s in spend)) == (date(2025, 1, 1), END)
    running: dict[tuple[object, ...], set[str]] = defaultdict(set)
    for s in spend:
        running[s.day, s.platform, s.country].add(s.campaign)
    assert {len(campaigns) for campaigns in running.values()} == {1, 2, 3}
    assert all(s.usd > 0 and s.clicks <= s.impressions for s in spend)
    by_name = {s.campaign for s in spend}
    assert "Black Friday - US" in by_name and "SB - Prime Day - JP" in by_name


def test_spend_is_a_sellers_share_of_each_markets_gmv(
    demo: GeneratedDemo, spend: list[adspend.Spend]
) -> None:
    gmv: dict[tuple[str, int, int], float] = defaultdict(float)
    new: dict[tuple[int, int], int] = defaultdict(int)
    seen: set[str] = set()
    for o in demo.orders():
        minor = 10 ** MINOR_DIGITS.get(o.currency, 2)
        gmv[o.country, o.placed_at.year, o.placed_at.month] += (
            o.total_minor / minor / PRICE_FACTORS[o.currency]
        )
        if o.customer_key not in seen:
            seen.add(o.customer_key)
            new[o.placed_at.year, o.placed_at.month] += 1
    spent: dict[tuple[str, int, int], float] = defaultdict(float)
    for s in spend:
        spent[s.country, s.day.year, s.day.month] += s.usd
    for country in MAIN_COUNTRIES:
        share = sum(v for k, v in spent.items() if k[0] == country) / sum(
            v for k, v in gmv.items() if k[0] == country
        )
        assert 0.08 <= share <= 0.15, (country, share)
    ratios = sorted(spent[k] / gmv[k] for k in spent)
    assert 0.08 <= ratios[len(ratios) // 2] <= 0.15
    # Customer acquisition cost over the last half year: tens of dollars.
    recent = [(2026, m) for m in range(1, 7)]
    cac = sum(v for k, v in spent.items() if k[1:] in recent) / sum(new[m] for m in recent)
    assert 10 <= cac <= 100, cac


def test_the_exports_are_written_as_each_platform_writes_them(demo: GeneratedDemo) -> None:
    files = {e.name: e for e in ad_exports(demo)}
    google = files["google-ads.csv"]
    assert google.headers[:2] == ("Day", "Campaign") and "Impr." in google.headers
    assert google.rows[0]["Country/Territory"] == "United States"
    assert files["meta-ads-eur.csv"].headers[4] == "Amount spent (EUR)"
    amazon_jp = files["amazon-ads-jp.csv"]
    assert amazon_jp.constants == {"country": "JP"} and "Country" not in amazon_jp.headers
    assert amazon_jp.rows[0]["Date"] == "Jan 01, 2025" and amazon_jp.rows[0]["Currency"] == "JPY"
    assert "." not in amazon_jp.rows[0]["Spend"]  # yen have no minor unit
    assert "Impression" in files["tiktok-ads.csv"].headers


def _counts() -> tuple[int, int, int]:
    with session_scope() as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).select_from(m)) or 0)
            for m in (AdSpend, QuarantineItem, SyncRun)
        )


def test_the_import_goes_through_the_hub_and_again_changes_nothing(
    backend: Backend, demo: GeneratedDemo, spend: list[adspend.Spend]
) -> None:
    now = utcnow()
    with session_scope() as session:
        first = load_ad_spend(session, demo, "USD", now)
    assert first.as_dict() == {
        "created": len(spend),
        "updated": 0,
        "unchanged": 0,
        "quarantined": 0,
    }
    with session_scope() as session:
        again = load_ad_spend(session, demo, "USD", now)
    assert again.unchanged == len(spend) and again.created == again.updated == 0
    assert _counts() == (len(spend), 0, 2)  # two runs of the ad-spend import, nothing held
    with session_scope() as session:
        row = session.scalars(select(AdSpend).where(AdSpend.currency == "GBP")).first()
        assert row is not None and row.platform in ("Google Ads", "Meta", "Amazon Ads")
        assert (row.country, row.base_currency, row.fx_source) == ("GB", "USD", "ECB")


def test_the_demo_load_job_imports_the_ad_spend_once(backend: Backend) -> None:
    params = DemoParams(orders=300, seed=11, end=date(2026, 10, 31))
    run_inline(demo_step("USD"), params.to_json())
    days, held, _ = _counts()
    assert days > 10_000 and held == 0
    run_inline(demo_step("USD"), params.to_json())
    assert _counts()[:2] == (days, 0)
