"""The sync's driver-level reads and writes give what SQLAlchemy's own path gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, select

from cbe_app.db import session_scope
from cbe_app.db_bulk import _MAX_VARIABLES, bulk_write, select_rows
from cbe_app.hub.catalog import Channel
from cbe_app.hub.orders import SalesOrder
from tests.conftest import Backend

ORDERS = SalesOrder.__table__  # type: ignore[attr-defined]
CHANNELS = Channel.__table__  # type: ignore[attr-defined]
NOW = datetime(2026, 12, 6, 9, 30, 15, 123456, tzinfo=UTC)

BY_IDS = select(
    ORDERS.c.external_id, ORDERS.c.id, ORDERS.c.source_updated_at, ORDERS.c.fx_date
).where(
    ORDERS.c.channel_id == bindparam("channel_id"),
    ORDERS.c.external_id.in_(bindparam("ids", expanding=True)),
)


def _order(n: int) -> dict[str, object]:
    return {
        "channel_id": 1,
        "external_id": f"E-{n}",
        "status": "pending",
        "provider_status": "",
        "payment_status": "paid",
        "placed_at": NOW - timedelta(hours=n),
        "currency": "EUR",
        "shipping_minor": 0,
        "total_minor": 100 + n,
        "refunded_minor": 0,
        "base_currency": "USD",
        "total_base_minor": 110 + n,
        "refunded_base_minor": 0,
        "fx_rate": "1.1",
        "fx_date": (NOW - timedelta(days=n)).date(),
        "fx_source": "ECB",
        "country": "DE",
        "source_updated_at": None if n % 7 == 0 else NOW - timedelta(minutes=n),
        "content_hash": "",
        "created_at": NOW,
        "updated_at": NOW,
        "version": 1,
    }


def test_select_rows_equals_sqlalchemys_rows(backend: Backend) -> None:
    with session_scope() as session:
        session.execute(
            CHANNELS.insert(), {"code": "c", "name": "C", "provider": "shopify", "created_at": NOW}
        )
        bulk_write(session, ORDERS, [_order(n) for n in range(50)])
    wanted = [f"E-{n}" for n in range(0, 60, 3)]  # ten of them are not there
    with session_scope() as session:
        params = {"channel_id": 1, "ids": wanted}
        expected = sorted(tuple(r) for r in session.execute(BY_IDS, params))
        found = sorted(select_rows(session, BY_IDS, params))
        assert found == expected and len(found) == 17
        # Times come back as aware UTC datetimes, dates as dates, whatever the database.
        assert (
            found[1][2] == NOW - timedelta(minutes=12)
            and found[1][3] == (NOW - timedelta(days=12)).date()
        )
        assert select_rows(session, BY_IDS, {"channel_id": 1, "ids": []}) == []
        many = [f"E-{n}" for n in range(_MAX_VARIABLES + 5)]  # more than one statement binds
        assert len(select_rows(session, BY_IDS, {"channel_id": 1, "ids": many})) == 50
        assert select_rows(session, BY_IDS, {"channel_id": 2, "ids": wanted}) == []
