"""4PX connector against its sandbox over real HTTP, on real databases."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select

from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.hub.orders import OrderTracking, SalesOrder, Shipment, TrackingEvent
from cbe_app.hub.providers.base import AccountConfig, ShipmentRequest
from cbe_app.hub.providers.fourpx import client
from cbe_app.hub.providers.fourpx.client import CONNECTOR
from cbe_app.hub.providers.fourpx.render import TRACK_CODES
from cbe_app.hub.providers.fourpx.signing import sign, sign_text, signed_params
from cbe_app.hub.providers.http import ProviderClient, ProviderError
from cbe_app.hub.runs import QuarantineItem, SyncRun
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl
from cbe_app.hub.sandbox.data import SandboxData
from cbe_app.hub.sandbox.server import RunningSandbox, start_in_thread
from cbe_app.jobs.runner import JobFailed
from tests.conftest import Backend
from tests.hub.connectors import connect, seed_parcels, sync

SENDER = {"first_name": "Li", "country": "CN", "city": "Shenzhen", "street": "1 Keji Road"}
REQUEST = ShipmentRequest(
    reference="PCL-1001",
    service="A2",
    ship_to_name="Jane Doe",
    ship_to_country="US",
    ship_to_city="Los Angeles",
    ship_to_postcode="90001",
    ship_to_lines=("1 Main St", "Apt 2"),
    ship_to_phone="+1 213 555 0100",
    ship_to_email="jane@example.com",
    weight_g=480,
    declared_value="12.50",
    currency="USD",
    contents="Ceramic mug",
)


def account(sandbox: RunningSandbox, **credentials: str) -> AccountConfig:
    """A 4PX account on the sandbox, outside the database (for direct connector calls)."""
    return AccountConfig(
        account_id=1,
        provider="4px",
        base_url=f"{sandbox.url}/4px",
        credentials={**DEMO_CREDENTIALS["4px"], **credentials},
        settings={"requests_per_second": 0, "sender": SENDER},
    )


def test_the_sign_is_the_md5_of_the_documented_text() -> None:
    params = {
        "app_key": "16081f05-e8fc-4250-b9c4-0660d1ecbb28",
        "format": "json",
        "method": "ds.xms.order.create",
        "timestamp": "1532592413187",
        "v": "1.0",
        "access_token": "not-signed",
        "language": "en",
    }
    secret = "7eebf328-8e5a-4030-904d-ec6e89174fbc"
    assert sign_text(params, b'{"aa":"bb"}', secret) == (
        b"app_key16081f05-e8fc-4250-b9c4-0660d1ecbb28formatjsonmethodds.xms.order.create"
        b'timestamp1532592413187v1.0{"aa":"bb"}7eebf328-8e5a-4030-904d-ec6e89174fbc'
    )
    assert sign(params, b'{"aa":"bb"}', secret) == "ff4af77c062a9b97d98aa29777621c4a"


def test_a_sync_tracks_every_parcel_once_with_its_scans_and_a_second_finds_nothing_new(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    numbers = seed_parcels(sandbox_data, "4px")
    code = connect(sandbox, "4px")
    assert sync(code) == {
        "created": len(numbers),
        "updated": 0,
        "unchanged": 0,
        "quarantined": 0,
    }
    assert_parcels_match(sandbox_data)
    still_moving = [
        p
        for p in sandbox_data.parcel_list("4px")
        if p.steps[-1].status not in ("delivered", "returned")
    ]
    assert sync(code) == {
        "created": 0,
        "updated": 0,
        "unchanged": len(still_moving),
        "quarantined": 0,
    }


def assert_parcels_match(data: SandboxData) -> None:
    """Every demo 4PX parcel is one shipment with its status, order and scans (to the second)."""
    parcels = data.parcels("4px")
    with session_scope() as session:
        shipments = session.scalars(select(Shipment)).all()
        orders = dict(session.execute(select(SalesOrder.id, SalesOrder.external_id)).all())
        events: dict[int, list[tuple[Any, ...]]] = {}
        for event in session.scalars(select(TrackingEvent)):
            events.setdefault(event.shipment_id, []).append(
                (event.at, event.status, event.provider_status, event.location)
            )
    assert sorted(s.tracking_number for s in shipments) == sorted(parcels)
    for shipment in shipments:
        parcel = parcels[shipment.tracking_number]
        last = parcel.steps[-1]
        assert (shipment.status, shipment.provider_status) == (
            last.status,
            TRACK_CODES[last.status][0],
        )
        assert orders[shipment.order_id] == parcel.order.order.external_id
        assert sorted(events[shipment.id or 0]) == [
            (s.at.replace(microsecond=0), s.status, TRACK_CODES[s.status][0], s.location.upper())
            for s in parcel.steps
        ]


def test_numbers_are_looked_up_in_batches_of_batch_size(
    backend: Backend,
    sandbox: RunningSandbox,
    sandbox_data: SandboxData,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client.FourPxConnector, "batch_size", 7)
    numbers = seed_parcels(sandbox_data, "4px", limit=40)
    code = connect(sandbox, "4px")
    assert sync(code)["created"] == len(numbers)
    with session_scope() as session:
        assert session.scalars(select(SyncRun.pages)).one() == -(-len(numbers) // 7)


def test_failures_are_retried(backend: Backend, sandbox_data: SandboxData) -> None:
    flaky = start_in_thread(sandbox_data, SandboxControl(fail_every=3))
    try:
        numbers = seed_parcels(sandbox_data, "4px", limit=20)
        assert sync(connect(flaky, "4px"))["created"] == len(numbers)
    finally:
        flaky.stop()


def test_a_rate_limit_answer_is_waited_out(backend: Backend, sandbox_data: SandboxData) -> None:
    strict = start_in_thread(sandbox_data, SandboxControl(requests_per_second=10, burst=10))
    try:
        numbers = seed_parcels(sandbox_data, "4px", limit=20)
        started = time.monotonic()
        assert sync(connect(strict, "4px"))["created"] == len(numbers)
        assert time.monotonic() - started >= 1.0  # the 429's Retry-After: 1 was honoured
    finally:
        strict.stop()


@pytest.mark.parametrize(
    ("credentials", "code"),
    [({"app_secret": "wrong"}, "000012"), ({"app_key": "someone-else"}, "000013")],
)
def test_wrong_credentials_fail_the_sync_with_4px_reason(
    backend: Backend,
    sandbox: RunningSandbox,
    sandbox_data: SandboxData,
    credentials: dict[str, str],
    code: str,
) -> None:
    seed_parcels(sandbox_data, "4px", limit=3)
    name = connect(sandbox, "4px", credentials={**DEMO_CREDENTIALS["4px"], **credentials})
    with pytest.raises(JobFailed, match=f"4px refused the credentials \\({code}\\)"):
        sync(name)


def test_an_unknown_number_is_quarantined_and_the_others_are_tracked(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    numbers = seed_parcels(sandbox_data, "4px", limit=5)
    with session_scope() as session:
        order_id = session.scalars(select(SalesOrder.id)).first()
        assert order_id is not None
        session.add(
            OrderTracking(order_id=order_id, tracking_number="4PX0000000000000CN", carrier="4px")
        )
    result = sync(connect(sandbox, "4px"))
    assert (result["created"], result["quarantined"]) == (len(numbers), 1)
    with session_scope() as session:
        [held] = session.scalars(select(QuarantineItem)).all()
        assert (held.kind, held.external_id) == ("shipment", "4PX0000000000000CN")
        assert "No tracking information" in held.reason


def test_the_gateway_refuses_what_4px_refuses(sandbox: RunningSandbox) -> None:
    body = orjson.dumps({"deliveryOrderNo": "4PX0000000000000CN"})
    key, secret = DEMO_CREDENTIALS["4px"]["app_key"], DEMO_CREDENTIALS["4px"]["app_secret"]

    def signed(method: str, content: bytes) -> dict[str, str]:
        return signed_params(
            method, "1.0.0", app_key=key, app_secret=secret, body=content, timestamp_ms=1
        )

    good = signed("tr.order.tracking.get", body)
    cases = {
        "000012": (good, body + b" "),  # the body is not the one signed
        "000014": ({k: v for k, v in good.items() if k != "timestamp"}, body),
        "000011": (signed("no.such.method", body), body),
        "000004": (signed("ds.xms.order.get", b"{"), b"{"),
    }
    for code, (params, content) in cases.items():
        answer = httpx.post(f"{sandbox.url}/4px/router/api/service", params=params, content=content)
        assert answer.status_code == 200
        assert answer.json()["result"] == "0"
        assert answer.json()["errors"][0]["error_code"] == code


class LoseFirstCreateAnswer(httpx.BaseTransport):
    """Sends every request, but loses the answer to the first order creation (a timeout)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.creates = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.params.get("method") == "ds.xms.order.create":
            self.creates += 1
            if self.creates == 1:
                response.read()
                raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


def consignments(http: ProviderClient, config: AccountConfig, ref_no: str) -> list[Any]:
    answer = CONNECTOR.call(http, config, "ds.xms.order.get", {"request_no": ref_no})
    return list(answer["data"])


def test_creating_an_order_twice_books_one_consignment(sandbox: RunningSandbox) -> None:
    config = account(sandbox)
    lossy = LoseFirstCreateAnswer()
    with CONNECTOR.open(config, transport=lossy) as http:
        first = CONNECTOR.create_order(http, config, REQUEST)  # retried after the lost answer
        again = CONNECTOR.create_order(http, config, REQUEST)
        other = CONNECTOR.create_order(http, config, replace(REQUEST, reference="PCL-1002"))
        assert lossy.creates == 4  # lost, retried, again, another reference
        assert (again.consignment_no, again.shipment) == (first.consignment_no, first.shipment)
        assert first.consignment_no.startswith("DS")
        shipment = first.shipment
        assert (shipment.provider_status, shipment.order_ref, shipment.service) == (
            "P",
            "PCL-1001",
            "4PX Express",
        )
        assert other.shipment.tracking_number != shipment.tracking_number
        [booked] = consignments(http, config, "PCL-1001")
        assert booked["consignment_info"]["4px_tracking_no"] == shipment.tracking_number
        state: dict[str, Any] = {"numbers": [shipment.tracking_number]}
        [answer] = CONNECTOR.fetch(http, config, state, utcnow()).payload
        [event] = answer["data"]["trackingList"]
        assert event["businessLinkCode"] == "FPX_L_RPIF"  # label created, nothing scanned


def test_an_incomplete_order_is_refused_with_4px_reason(sandbox: RunningSandbox) -> None:
    config = replace(account(sandbox), settings={"requests_per_second": 0})  # no sender
    with CONNECTOR.open(config) as http, pytest.raises(ProviderError, match="sender is required"):
        CONNECTOR.create_order(http, config, REQUEST)
