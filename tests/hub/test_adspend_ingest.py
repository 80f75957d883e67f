"""Ad spend into the hub on real databases: idempotent by its natural key, changes counted by
content, nothing dropped (quarantine with the reason, released once a good copy comes), and
a quarantined row retried from the Quarantine screen."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from cbe_app.core.fx import reference_rate
from cbe_app.db import session_scope
from cbe_app.hub.connect import file_import_account
from cbe_app.hub.ingest.page import ingest_page
from cbe_app.hub.ingest.rules import ingest_context
from cbe_app.hub.manage import retry_held
from cbe_app.hub.marketing import AdSpend
from cbe_app.hub.providers.adspend.mapper import map_payload
from cbe_app.hub.runs import QuarantineItem
from tests.conftest import Backend

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
HEADER = "day,platform,campaign,country,currency,spend,impressions,clicks\n"
GOOD = (
    '2026-02-27,Google Ads,Brand - US,US,USD,"1,234.50","12,345",321\n'
    "2026-02-28,Google Ads,Brand - US,US,USD,10.00,1000,30\n"
    "2026-03-01,Meta,Prospecting - DE,Germany,EUR,20.00,2000,\n"
    "2026-03-01,Amazon Ads,SP - Auto - JP,JP,JPY,¥1500,900,12\n"
    "2026-03-01,TikTok Ads,,,USD,5,,\n"
)
BAD = "2026-03-02,Meta,Prospecting - FR,FR,EURO,7.00,700,7\n"


def load(csv: str, now: datetime = NOW) -> dict[str, int]:
    with session_scope() as session:
        account = file_import_account(session, "adspend", now)
        ctx = ingest_context(session, account, "USD", now)
        return ingest_page(session, map_payload(HEADER + csv), ctx).as_dict()


def stored() -> dict[tuple[Any, ...], AdSpend]:
    with session_scope() as session:
        rows = session.scalars(select(AdSpend)).all()
        for row in rows:
            session.expunge(row)
    return {(r.day, r.platform, r.campaign, r.country): r for r in rows}


def held() -> list[QuarantineItem]:
    with session_scope() as session:
        items = session.scalars(select(QuarantineItem).order_by(col(QuarantineItem.id))).all()
        for item in items:
            session.expunge(item)
    return list(items)


def test_importing_twice_changes_nothing_and_a_changed_day_is_updated(backend: Backend) -> None:
    assert load(GOOD) == {"created": 5, "updated": 0, "unchanged": 0, "quarantined": 0}
    assert load(GOOD) == {"created": 0, "updated": 0, "unchanged": 5, "quarantined": 0}
    rows = stored()
    de = rows[date(2026, 3, 1), "Meta", "Prospecting - DE", "DE"]
    rate = reference_rate("EUR", "USD", date(2026, 3, 1))  # a Sunday: Friday's rate
    assert (de.currency, de.spend_minor, de.base_currency) == ("EUR", 2000, "USD")
    assert (de.fx_rate, de.fx_date, de.fx_source) == (rate.rate, date(2026, 2, 27), "ECB")
    assert de.spend_base_minor == int((Decimal(20) * rate.rate * 100).quantize(Decimal(1)))
    assert (de.impressions, de.clicks) == (2000, None)
    jp = rows[date(2026, 3, 1), "Amazon Ads", "SP - Auto - JP", "JP"]
    assert (jp.currency, jp.spend_minor) == ("JPY", 1500)
    assert rows[date(2026, 3, 1), "TikTok Ads", "", ""].spend_minor == 500
    assert {r.account_id for r in rows.values()} == {de.account_id} and de.account_id

    # The platform revised a day after the fact: the new figure replaces it, nothing doubles.
    revised = GOOD.replace("10.00,1000,30", "11.00,1000,31")
    later = NOW + timedelta(days=1)
    assert load(revised, later) == {"created": 0, "updated": 1, "unchanged": 4, "quarantined": 0}
    day = stored()[date(2026, 2, 28), "Google Ads", "Brand - US", "US"]
    assert (day.spend_minor, day.clicks, day.updated_at) == (1100, 31, later)
    assert len(stored()) == 5


def test_a_bad_row_is_held_once_and_released_when_the_fixed_export_comes(backend: Backend) -> None:
    assert load(GOOD + BAD)["quarantined"] == 1
    assert load(GOOD + BAD) == {"created": 0, "updated": 0, "unchanged": 5, "quarantined": 1}
    [item] = held()
    assert (item.kind, item.provider, item.status, item.attempts) == (
        "ad_spend",
        "adspend",
        "open",
        2,
    )
    assert item.external_id == "2026-03-02|Meta|Prospecting - FR|FR"
    assert item.reason == "row 7: unknown currency 'EURO'"
    assert item.raw["currency"] == "EURO" and item.raw["_row"] == 7  # the row, to fix
    assert load(GOOD + BAD.replace("EURO", "EUR"))["created"] == 1
    [item] = held()
    assert item.status == "resolved"
    assert stored()[date(2026, 3, 2), "Meta", "Prospecting - FR", "FR"].currency == "EUR"


def test_a_quarantined_row_is_retried_and_accepted_once_fixed(backend: Backend) -> None:
    load(BAD + "not a day,Meta,X,FR,EUR,1,1,1\n")
    items = {item.external_id: item.id or 0 for item in held()}
    bad_currency = items["2026-03-02|Meta|Prospecting - FR|FR"]
    with session_scope() as session:  # nothing fixed yet: held again, and says why
        again = retry_held(session, bad_currency, "USD", NOW + timedelta(hours=1))
        assert (again.status, again.attempts) == ("open", 2)
        assert again.reason == "row 2: unknown currency 'EURO'"
    with session_scope() as session:  # the fix: the row as it should have been exported
        item = session.get(QuarantineItem, bad_currency)
        assert item is not None
        item.raw = {**item.raw, "currency": "EUR"}
    with session_scope() as session:
        done = retry_held(session, bad_currency, "USD", NOW + timedelta(hours=2))
        assert done.status == "resolved"
    assert stored()[date(2026, 3, 2), "Meta", "Prospecting - FR", "FR"].spend_minor == 700
    with session_scope() as session:  # a row that never had a readable key is retried too
        unreadable = items["not a day|Meta|X|FR"]
        kept = retry_held(session, unreadable, "USD", NOW + timedelta(hours=3))
        assert kept.status == "open" and "day 'not a day' is not a date" in kept.reason
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(AdSpend)) == 1
