"""FedEx Track API responses as shipments.

Accepted payloads (each exactly as FedEx returns it):

- the body of ``POST /track/v1/trackingnumbers``: ``{"transactionId", "output":
  {"completeTrackResults": [{"trackingNumber", "trackResults": [...]}]}}``. Every entry of
  every ``trackResults`` list becomes one shipment; an entry carrying an ``error`` object
  (``TRACKING.TRACKINGNUMBER.NOTFOUND`` for a number FedEx does not know, or any other code)
  becomes a reject that names the number and FedEx's message. Successful entries carry an
  empty ``error: {}``, which is ignored.
- the ``output`` object alone, or one ``trackResults`` entry alone (a connector that splits a
  page hands these on).
- FedEx's error body (HTTP 4xx/5xx: ``{"transactionId", "errors": [{"code", "message"}]}``):
  one reject per error, so a refused request is quarantined rather than lost.

FedEx's tracking webhooks (Advanced Integrated Visibility) are not accepted: their payloads
are not public; polling the Track API covers the same data.

Status keys (the ``fedex`` status map):

- a tracking event: ``scanEvents[].eventType``, FedEx's scan code (``PU``, ``AR``, ``OD``,
  ``DL``, ``CD``…), because it is more precise than ``derivedStatusCode`` (FedEx derives
  ``IT`` for an ``OD`` scan); ``derivedStatusCode`` only when the scan has no event type.
- the shipment: ``latestStatusDetail.code``, else ``latestStatusDetail.derivedCode``, else
  the key of the newest scan.

Other fields: ``order_ref`` is the first ``additionalTrackingInfo.packageIdentifiers`` value of
type CUSTOMER_REFERENCE, PURCHASE_ORDER, INVOICE or SHIPPER_REFERENCE (in that order);
``service`` is ``serviceDetail.description``; ``delivered_at`` is the ``dateAndTimes`` entry
ACTUAL_DELIVERY; ``promised_at`` is ESTIMATED_DELIVERY, else COMMITMENT, else the end of
``estimatedDeliveryTimeWindow``. Scan times carry their offset; a ``dateAndTimes`` value
without one is read as UTC.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
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
    optional_timestamp,
    text,
    timestamp,
)

PROVIDER = "fedex"
NOT_FOUND = "TRACKING.TRACKINGNUMBER.NOTFOUND"
_REFERENCE_TYPES = ("CUSTOMER_REFERENCE", "PURCHASE_ORDER", "INVOICE", "SHIPPER_REFERENCE")
_PROMISE_TYPES = ("ESTIMATED_DELIVERY", "COMMITMENT")


def map_payload(payload: Any) -> MapResult:
    """Map a FedEx Track response (or a part of one) into shipments and rejects.

    Args:
        payload: The decoded JSON body FedEx returned.

    Returns:
        One shipment per track result; unknown or failed numbers as rejects.

    Raises:
        MappingError: The payload is not a FedEx Track response.
    """
    if not isinstance(payload, Mapping):
        raise MappingError(f"a FedEx Track payload is a JSON object, not {type(payload).__name__}")
    if "output" in payload:
        result = _map_output(payload["output"])
        result.rejects.extend(_request_rejects(payload))
        return result
    if "completeTrackResults" in payload:
        return _map_output(payload)
    if "trackingNumberInfo" in payload:
        return _map_results([payload])
    if payload.get("errors"):
        return MapResult(rejects=_request_rejects(payload))
    raise MappingError(
        "not a FedEx Track response: expected output.completeTrackResults, a track result "
        "or an errors list"
    )


def _map_output(output: Any) -> MapResult:
    complete = field(output, "completeTrackResults") if isinstance(output, Mapping) else None
    if not isinstance(complete, list):
        raise MappingError("output.completeTrackResults is not a list")
    return _map_results(list(_track_results(complete)))


def _track_results(complete: list[Any]) -> Iterator[Any]:
    for entry in complete:
        results = entry.get("trackResults") if isinstance(entry, Mapping) else None
        if isinstance(results, list):
            yield from results
        else:  # keep a broken entry visible as a reject instead of dropping it
            yield entry


def _map_results(results: list[Any]) -> MapResult:
    return map_each(results, PROVIDER, RecordKind.SHIPMENT, _tracking_number, _shipment)


def _tracking_number(result: Any) -> str:
    return text(field(result, "trackingNumberInfo", "trackingNumber"))


def _shipment(result: Mapping[str, Any]) -> MappedShipment:
    number = text(field(result, "trackingNumberInfo", "trackingNumber", default=""))
    error = result.get("error")
    if error:  # successful results carry an empty object
        raise MappingError(_error_reason(error, number))
    if not number:
        raise MappingError("trackingNumberInfo.trackingNumber is missing")
    events = tuple(_event(scan) for scan in result.get("scanEvents") or ())
    dates = _dates(result)
    return MappedShipment(
        provider=PROVIDER,
        tracking_number=number,
        provider_status=_status(result, events),
        events=events,
        order_ref=_order_ref(result),
        service=text(field(result, "serviceDetail", "description", default="")),
        delivered_at=dates.get("ACTUAL_DELIVERY"),
        promised_at=_promised_at(result, dates),
    )


def _error_reason(error: Any, number: str) -> str:
    code = text(error.get("code")) if isinstance(error, Mapping) else ""
    message = text(error.get("message")) if isinstance(error, Mapping) else text(error)
    if code == NOT_FOUND:
        return f"FedEx does not know tracking number {number!r} ({code}): {message}"
    return f"FedEx could not track {number!r} ({code or 'no code'}): {message}"


def _event(scan: Mapping[str, Any]) -> MappedTrackingEvent:
    code = text(scan.get("eventType")) or text(scan.get("derivedStatusCode"))
    if not code:
        raise MappingError("scanEvents[].eventType is missing")
    description = text(scan.get("eventDescription"))
    exception = text(scan.get("exceptionDescription"))
    if exception and exception != description:
        description = f"{description}: {exception}" if description else exception
    return MappedTrackingEvent(
        at=_scan_time(scan.get("date")),
        provider_status=code,
        description=description,
        location=_location(scan.get("scanLocation")),
    )


def _scan_time(value: Any) -> datetime:
    if isinstance(value, str):
        # FedEx's own samples write "2024-08-12T15:18:10 -0500": a space before the offset.
        value = value.replace(" -", "-").replace(" +", "+")
    return timestamp(value, "scanEvents[].date")


def _location(address: Any) -> str:
    if not isinstance(address, Mapping):
        return ""
    parts = (text(address.get(k)) for k in ("city", "stateOrProvinceCode", "countryCode"))
    return ", ".join(p for p in parts if p)


def _status(result: Mapping[str, Any], events: tuple[MappedTrackingEvent, ...]) -> str:
    latest = result.get("latestStatusDetail")
    if isinstance(latest, Mapping):
        code = text(latest.get("code")) or text(latest.get("derivedCode"))
        if code:
            return code
    if events:  # FedEx lists scans newest first: max() keeps the first of equal times
        return max(events, key=lambda e: e.at).provider_status
    raise MappingError("the track result has neither latestStatusDetail.code nor scan events")


def _dates(result: Mapping[str, Any]) -> dict[str, datetime | None]:
    dates: dict[str, datetime | None] = {}
    for entry in result.get("dateAndTimes") or ():
        kind = text(entry.get("type"))
        if kind and kind not in dates:
            dates[kind] = optional_timestamp(entry.get("dateTime"), f"dateAndTimes {kind}")
    return dates


def _promised_at(result: Mapping[str, Any], dates: dict[str, datetime | None]) -> datetime | None:
    for kind in _PROMISE_TYPES:
        if dates.get(kind):
            return dates[kind]
    ends = field(result, "estimatedDeliveryTimeWindow", "window", "ends", default=None)
    return optional_timestamp(ends, "estimatedDeliveryTimeWindow.window.ends")


def _order_ref(result: Mapping[str, Any]) -> str:
    identifiers = field(result, "additionalTrackingInfo", "packageIdentifiers", default=())
    found: dict[str, str] = {}
    for identifier in identifiers:
        values = identifier.get("values") or [identifier.get("value")]
        value = text(values[0]) if values else ""
        kind = text(identifier.get("type"))
        if value and kind not in found:
            found[kind] = value
    return next((found[k] for k in _REFERENCE_TYPES if k in found), "")


def _request_rejects(payload: Mapping[str, Any]) -> list[Reject]:
    """FedEx's refusal of a whole request, one reject per error, with the body as raw."""
    return [
        Reject(
            PROVIDER,
            RecordKind.SHIPMENT,
            "",
            f"FedEx refused the request ({text(err.get('code')) or 'no code'}): "
            f"{text(err.get('message'))}",
            payload,
        )
        for err in payload.get("errors") or ()
        if isinstance(err, Mapping)
    ]
