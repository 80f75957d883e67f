"""4PX open platform responses as shipments.

Every open-platform answer is an envelope ``{"result": "0"|"1"|"2", "msg", "errors", "data"}``
(``1`` success, ``0`` failure, ``2`` partial success). Accepted, by what ``data`` holds:

- ``tr.order.tracking.get`` (logistics tracking): ``data = {"deliveryOrderNo", "trackingList":
  [{"businessLinkCode", "occurDatetime", "occurLocation", "trackingContent"}]}``: one shipment.
- ``ds.xms.order.create`` (create a direct-shipment consignment): ``data = {"ds_consignment_no",
  "4px_tracking_no", "ref_no", "logistics_channel_no", "logistics_channel_name"}``: one shipment
  in consignment status ``P`` (forecast: label created, nothing handed over yet).
- ``ds.xms.order.get`` (query consignments): ``data = [{"consignment_info": {...}}]``: one
  shipment per consignment, keyed by ``consignment_status``; its latest date
  (``4px_outbound_date``, ``4px_inbound_date``, ``consignment_create_date``) is ``updated_at``.
- the public tracking of track.4px.com (``{"result": 1, "data": [{"queryCode", "tracks":
  [{"tkCode", "tkDesc", "tkLocation", "tkDate"}]}]}``): one shipment per queried number.
- ``errors`` (failures and partial successes): one reject per error, named by its
  ``reference_code``, so a refused number or order is quarantined rather than lost.
- a list of such answers: a connector's batch (``tr.order.tracking.get`` takes one number per
  call, so one sync page holds one answer per number); each answer maps as above.

Status keys (the ``fourpx`` status map, provider ``4px``):

- a tracking event: its 4PX track code, ``businessLinkCode`` / ``tkCode`` (``FPX_C_SPLS``,
  ``FPX_M_HA``, ``FPX_I_HC``, ``FPX_S_OK``…).
- a tracked shipment: the code of its newest event (4PX lists newest first).
- a consignment: ``consignment_status`` (``P`` forecast, ``V`` handed over, ``H`` in warehouse,
  ``C`` outbound, ``F`` completed, ``R`` returned, ``X`` closed); a created order: ``P``.

Times: 4PX writes wall-clock times of its platform, UTC+08:00 (its own doc gives
"2018-07-26 16:06:53:187" as 1532592413187 ms), so a time without an offset is read as
UTC+08:00; epoch milliseconds and times with an offset are taken as they are. The tracking
number is the 4PX one (``deliveryOrderNo``, ``4px_tracking_no``, ``queryCode``); the last-mile
carrier's number (``logistics_channel_no``) is not a separate record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from cbe_app.hub.canonical import (
    MappedShipment,
    MappedTrackingEvent,
    MapResult,
    RecordKind,
    Reject,
)
from cbe_app.hub.providers.parsing import (
    MappingError,
    field,
    map_each,
    text,
    timestamp,
)

PROVIDER = "4px"
FORECAST = "P"  # consignment status of a just-created order
_PLATFORM_TIME = timezone(timedelta(hours=8), "UTC+08:00")
_CONSIGNMENT_DATES = ("4px_outbound_date", "4px_inbound_date", "consignment_create_date")


def map_payload(payload: Any) -> MapResult:
    """Map a 4PX open-platform (or track.4px.com) response into shipments and rejects.

    Args:
        payload: The decoded JSON body 4PX returned, or a list of them (a batch).

    Returns:
        The shipments in ``data``; the ``errors`` as rejects.

    Raises:
        MappingError: The payload is not a 4PX envelope, or its data is no shipment data.
    """
    if isinstance(payload, list) and all(isinstance(p, Mapping) for p in payload):
        return _map_batch(payload)
    if not isinstance(payload, Mapping) or "result" not in payload:
        raise MappingError("not a 4PX response: expected an object with result, msg and data")
    data = payload.get("data")
    result = MapResult(rejects=_error_rejects(payload))
    if data is not None:
        result.extend(_map_data(data))
    elif not result.rejects and text(payload.get("result")) != "1":
        reason = f"4PX answered result {text(payload.get('result'))}: {text(payload.get('msg'))}"
        result.rejects.append(Reject(PROVIDER, RecordKind.SHIPMENT, "", reason, payload))
    return result


def _map_batch(answers: list[Mapping[str, Any]]) -> MapResult:
    result = MapResult()
    for answer in answers:
        result.extend(map_payload(answer))
    return result


def _map_data(data: Any) -> MapResult:
    if isinstance(data, Mapping) and "trackingList" in data:
        return map_each([data], PROVIDER, RecordKind.SHIPMENT, _delivery_order_no, _tracked)
    if isinstance(data, Mapping) and ("4px_tracking_no" in data or "ds_consignment_no" in data):
        return map_each([data], PROVIDER, RecordKind.SHIPMENT, _created_number, _created)
    if isinstance(data, list) and all(isinstance(d, Mapping) for d in data):
        if all("consignment_info" in d for d in data):
            return map_each(data, PROVIDER, RecordKind.SHIPMENT, _consignment_no, _consignment)
        if all("tracks" in d for d in data):
            return map_each(data, PROVIDER, RecordKind.SHIPMENT, _query_code, _public_track)
    raise MappingError(
        "4PX data is not shipment data: expected trackingList (tr.order.tracking.get), "
        "4px_tracking_no (ds.xms.order.create), consignment_info (ds.xms.order.get) or tracks"
    )


def _delivery_order_no(data: Any) -> str:
    return text(field(data, "deliveryOrderNo"))


def _tracked(data: Mapping[str, Any]) -> MappedShipment:
    number = _delivery_order_no(data)
    events = tuple(
        _event(t, "businessLinkCode", "occurDatetime", "trackingContent", "occurLocation")
        for t in data.get("trackingList") or ()
    )
    return _shipment(number, events)


def _query_code(data: Any) -> str:
    return text(field(data, "queryCode"))


def _public_track(data: Mapping[str, Any]) -> MappedShipment:
    events = tuple(
        _event(t, "tkCode", "tkDate", "tkDesc", "tkLocation") for t in data.get("tracks") or ()
    )
    return _shipment(_query_code(data), events)


def _shipment(number: str, events: tuple[MappedTrackingEvent, ...]) -> MappedShipment:
    if not number:
        raise MappingError("the tracking number is missing")
    if not events:
        raise MappingError(f"4PX has no tracking events for {number} yet")
    # 4PX lists the newest event first: max() keeps the first of equal times.
    latest = max(events, key=lambda e: e.at)
    return MappedShipment(PROVIDER, number, latest.provider_status, events)


def _event(
    track: Mapping[str, Any], code_key: str, time_key: str, text_key: str, place_key: str
) -> MappedTrackingEvent:
    code = text(track.get(code_key))
    if not code:
        raise MappingError(f"{code_key} is missing")
    return MappedTrackingEvent(
        at=platform_time(track.get(time_key), f"{code} {time_key}"),
        provider_status=code,
        description=text(track.get(text_key)),
        location=text(track.get(place_key)),
    )


def platform_time(value: Any, what: str) -> datetime:
    """A 4PX time in UTC: text without an offset is 4PX platform time (UTC+08:00).

    Args:
        value: Text ("2021-04-07 10:00:00", ISO 8601 with or without offset) or epoch ms.
        what: What the value is, for the error message.

    Returns:
        The time, timezone-aware in UTC.

    Raises:
        MappingError: The value is missing or not a time.
    """
    if not isinstance(value, str):
        return timestamp(value, what)
    raw = value.strip()
    if not raw:
        raise MappingError(f"{what} is missing")
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise MappingError(f"{what} is not a date and time: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_PLATFORM_TIME)
    return parsed.astimezone(UTC)


def _created_number(data: Any) -> str:
    return text(field(data, "4px_tracking_no"))


def _created(data: Mapping[str, Any]) -> MappedShipment:
    number = text(data.get("4px_tracking_no"))
    if not number:
        raise MappingError("4px_tracking_no is missing: 4PX has not assigned a number yet")
    return MappedShipment(
        provider=PROVIDER,
        tracking_number=number,
        provider_status=FORECAST,
        order_ref=text(data.get("ref_no")),
        service=text(data.get("logistics_channel_name")),
    )


def _consignment_no(item: Any) -> str:
    return text(field(item, "consignment_info", "4px_tracking_no"))


def _consignment(item: Mapping[str, Any]) -> MappedShipment:
    info = field(item, "consignment_info")
    number = text(info.get("4px_tracking_no"))
    if not number:
        raise MappingError("consignment_info.4px_tracking_no is missing")
    status = text(info.get("consignment_status"))
    if not status:
        raise MappingError("consignment_info.consignment_status is missing")
    dates = [
        platform_time(info[key], f"consignment_info.{key}")
        for key in _CONSIGNMENT_DATES
        if info.get(key) not in (None, "")
    ]
    return MappedShipment(
        provider=PROVIDER,
        tracking_number=number,
        provider_status=status,
        order_ref=text(info.get("ref_no")),
        service=text(info.get("logistics_product_name"))
        or text(info.get("logistics_product_code")),
        updated_at=max(dates) if dates else None,
    )


def _error_rejects(payload: Mapping[str, Any]) -> list[Reject]:
    """One reject per entry of ``errors`` (snake_case, or the camelCase some answers add)."""
    rejects = []
    for error in payload.get("errors") or ():
        if not isinstance(error, Mapping):
            continue
        code = text(error.get("error_code")) or text(error.get("errorCode"))
        message = text(error.get("error_msg")) or text(error.get("errorMsg"))
        ref = text(error.get("reference_code")) or text(error.get("referenceCode"))
        reason = f"4PX refused {ref or 'the request'} ({code or 'no code'}): {message}"
        rejects.append(Reject(PROVIDER, RecordKind.SHIPMENT, ref, reason, payload))
    return rejects
