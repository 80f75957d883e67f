"""Customer tags: tidied as typed, once per customer, a handful at most, audited; and reports
group orders and customers by them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from cbe_app.auth.models import AuditEvent
from cbe_app.core.errors import NotFound, ValidationFailed
from cbe_app.db import session_scope
from cbe_app.hub import tags
from cbe_app.hub.tags import add_tag, remove_tag, tag_text, tags_of
from cbe_app.reports.service import run_kpi, run_spec
from cbe_app.reports.spec import DataSpec
from tests.conftest import Backend
from tests.reports.dataset import Business, build, write

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("VIP", "VIP"), ("  high value  repeat ", "high-value-repeat"), ("德国-新客", "德国-新客")],
)
def test_a_tag_is_tidied_as_typed(typed: str, stored: str) -> None:
    assert tag_text(typed) == stored


@pytest.mark.parametrize("typed", ["", "   ", "a/b", "x" * 61, "<script>", "a,b"])
def test_what_cannot_be_a_tag_is_refused_with_the_reason(typed: str) -> None:
    with pytest.raises(ValidationFailed, match="one word"):
        tag_text(typed)


@pytest.fixture
def business(backend: Backend) -> Business:
    made = build(orders=300)
    with session_scope() as session:
        write(session, made, NOW)
    return made


def test_tags_are_added_once_capped_removed_and_audited(
    business: Business, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_scope() as session:
        assert add_tag(session, 1, "vip buyer", actor_id=None, now=NOW) == "vip-buyer"
        add_tag(session, 1, "vip-buyer", actor_id=None, now=NOW)
        add_tag(session, 1, "DE", actor_id=None, now=NOW)
        assert tags_of(session, 1) == ["DE", "vip-buyer"]
        with pytest.raises(NotFound):
            add_tag(session, 99_999, "x", actor_id=None, now=NOW)
        monkeypatch.setattr(tags, "MAX_TAGS", 2)
        with pytest.raises(ValidationFailed, match="at most"):
            add_tag(session, 1, "third", actor_id=None, now=NOW)
        remove_tag(session, 1, "DE", actor_id=None, now=NOW)
        remove_tag(session, 1, "DE", actor_id=None, now=NOW)
        assert tags_of(session, 1) == ["vip-buyer"]
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["customer.tagged", "customer.tagged", "customer.untagged"]


def test_reports_group_orders_and_customers_by_tag(business: Business) -> None:
    tagged = {1: ["vip"], 2: ["vip", "wholesale"], 3: ["wholesale"]}
    with session_scope() as session:
        for customer, names in tagged.items():
            for name in names:
                add_tag(session, customer, name, actor_id=None, now=NOW)
        result = run_kpi(
            session, "orders", by="customer_tag", start=None, end=None, now=NOW, base_currency="USD"
        )
        customers = run_spec(
            session,
            DataSpec.model_validate(
                {
                    "source": "customers",
                    "measures": [{"key": "n", "agg": "count"}],
                    "dimensions": [{"field": "tag"}],
                    "filters": [{"field": "tag", "op": "not_null"}],
                }
            ),
            NOW,
            "USD",
        )
    orders_of = {c: sum(o.customer_id == c for o in business.orders) for c in tagged}
    expected = {
        "vip": orders_of[1] + orders_of[2],
        "wholesale": orders_of[2] + orders_of[3],
        None: sum(o.customer_id not in tagged for o in business.orders),
    }
    got = {row["customer_tag"]: int(row["value"]) for row in result["rows"]}
    assert got == expected  # a customer with two tags counts under each
    assert {r["tag"]: int(r["n"]) for r in customers.rows} == {"vip": 2, "wholesale": 2}
