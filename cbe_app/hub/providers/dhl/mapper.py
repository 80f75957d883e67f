"""DHL Express (MyDHL API) tracking and shipment-creation responses as shipments.

Accepted payloads (each exactly as DHL returns it, MyDHL API 2.7 and later):

- the body of ``GET /shipments/{shipmentTrackingNumber}/tracking`` and of the multi-shipment
  ``GET /tracking``: ``{"shipments": [...]}``; every entry becomes one shipment. A single
  entry of that list is accepted too.
- the body of ``POST /shipments`` (``201 Created``): ``{"shipmentTrackingNumber",
  "trackingUrl", "packages": [...], "documents": [...]}``; it becomes one shipment with the
  documented key ``created`` (label printed, nothing scanned yet), ``service`` from
  ``shipmentDetails[0].productShortName`` and ``promised_at`` from ``estimatedDeliveryDate``.
  The pieces in ``packages`` belong to that shipment and are not separate records.
- DHL's problem body (``{"instance", "detail", "title", "message", "status"}``, e.g. the 404
  "No data found" for an unknown number): one reject naming the number taken from
  ``instance``, so the refusal is quarantined rather than lost.
- a non-empty list of such bodies: the answers of the several requests one page of a sync
  needed (the multi-shipment tracking, then single look-ups of the numbers it left out).

Status keys (the ``dhl`` status map):

- a tracking event: its checkpoint code ``events[].typeCode`` (``PU``, ``PL``, ``DF``,
  ``AF``, ``AR``, ``WC``, ``OK``, ``RT``…).
- the shipment: the ``typeCode`` of its newest checkpoint; ``created`` for a creation
  response. A tracking entry without any checkpoint (``trackingView=shipment-details-only``)
  is rejected: guessing a status from nothing could move a delivered parcel backwards.

Other fields: shipment-level ``events`` are used; when they are empty (``levelOfDetail=piece``)
the pieces' events are (one copy of a checkpoint all pieces share). An event's time is
``date`` + ``time`` + ``GMTOffset`` (MyDHL 2.8+); without ``GMTOffset`` (2.7) DHL gives the
checkpoint's local time, read here as UTC. ``location`` is ``serviceArea[0].description``;
``order_ref`` is the ``shipperReferences`` value of type ``CU`` (else the first); ``service`` is
``productCode``; ``delivered_at`` is the newest ``OK`` checkpoint; ``promised_at`` is
``estimatedDeliveryDate``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

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

PROVIDER = "dhl"
CREATED = "created"  # the documented key of a POST /shipments response
DELIVERED = "OK"
_QUERY_NUMBERS = ("shipmentTrackingNumber", "pieceTrackingNumber", "shipmentReference")


def map_payload(payload: Any) -> MapResult:
    """Map a MyDHL API tracking, creation or problem body into shipments and rejects.

    Args:
        payload: The decoded JSON body DHL returned (or a list of bodies, see above).

    Returns:
        One shipment per tracked or created shipment; refusals as rejects.

    Raises:
        MappingError: The payload is none of the accepted MyDHL API bodies.
    """
    if isinstance(payload, list) and payload:
        result = MapResult()
        for body in payload:
            result.extend(_map_body(body))
        return result
    return _map_body(payload)


def _map_body(payload: Any) -> MapResult:
    if not isinstance(payload, Mapping):
        raise MappingError(f"a MyDHL API payload is a JSON object, not {type(payload).__name__}")
    if "shipments" in payload:
        shipments = payload["shipments"]
        if not isinstance(shipments, list):
            raise MappingError("shipments is not a list")
        return map_each(shipments, PROVIDER, RecordKind.SHIPMENT, _number, _tracked)
    if "events" in payload and "shipmentTrackingNumber" in payload:
        return map_each([payload], PROVIDER, RecordKind.SHIPMENT, _number, _tracked)
    if "shipmentTrackingNumber" in payload:
        return map_each([payload], PROVIDER, RecordKind.SHIPMENT, _number, _created)
    if "detail" in payload or "title" in payload:
        return MapResult(rejects=[_problem(payload)])
    raise MappingError(
        "not a MyDHL API body: expected shipments (tracking), shipmentTrackingNumber "
        "(POST /shipments) or a problem body"
    )


def _number(shipment: Any) -> str:
    return text(field(shipment, "shipmentTrackingNumber"))


def _tracked(shipment: Mapping[str, Any]) -> MappedShipment:
    number = _number(shipment)
    if not number:
        raise MappingError("shipmentTrackingNumber is missing")
    # dict.fromkeys drops the copies of one checkpoint that every piece repeats
    events = tuple(dict.fromkeys(_event(e) for e in _checkpoints(shipment)))
    if not events:
        status = text(shipment.get("status")) or "none"
        raise MappingError(
            f"DHL returned no checkpoints for {number} (status {status!r}); "
            "track it with trackingView=all-checkpoints"
        )
    # DHL lists checkpoints oldest first: on equal times the later one is the newer.
    latest = max(reversed(events), key=lambda e: e.at)
    delivered = [e.at for e in events if e.provider_status.upper() == DELIVERED]
    return MappedShipment(
        provider=PROVIDER,
        tracking_number=number,
        provider_status=latest.provider_status,
        events=events,
        order_ref=_order_ref(shipment.get("shipperReferences")),
        service=text(shipment.get("productCode")),
        delivered_at=max(delivered) if delivered else None,
        promised_at=optional_timestamp(
            shipment.get("estimatedDeliveryDate"), "estimatedDeliveryDate"
        ),
    )


def _checkpoints(shipment: Mapping[str, Any]) -> Iterator[Any]:
    events = shipment.get("events") or ()
    if events:
        yield from events
        return
    for piece in shipment.get("pieces") or ():
        yield from piece.get("events") or ()


def _event(event: Mapping[str, Any]) -> MappedTrackingEvent:
    code = text(event.get("typeCode"))
    if not code:
        raise MappingError("events[].typeCode is missing")
    day = text(event.get("date"))
    if not day:
        raise MappingError(f"the {code} checkpoint has no date")
    clock = text(event.get("time"))
    moment = f"{day}T{clock}{text(event.get('GMTOffset'))}" if clock else day
    description = text(event.get("description"))
    signed_by = text(event.get("signedBy"))
    if signed_by:
        description = f"{description} (signed by {signed_by})"
    return MappedTrackingEvent(
        at=timestamp(moment, f"the {code} checkpoint's date and time"),
        provider_status=code,
        description=description,
        location=_area(event.get("serviceArea")),
    )


def _area(areas: Any) -> str:
    if not areas or not isinstance(areas, list) or not isinstance(areas[0], Mapping):
        return ""
    return text(areas[0].get("description")) or text(areas[0].get("code"))


def _order_ref(references: Any) -> str:
    if not isinstance(references, list):
        return ""
    values = [r for r in references if isinstance(r, Mapping) and text(r.get("value"))]
    chosen = next((r for r in values if text(r.get("typeCode")).upper() == "CU"), None)
    chosen = chosen or (values[0] if values else None)
    return text(chosen.get("value")) if chosen else ""


def _created(response: Mapping[str, Any]) -> MappedShipment:
    number = _number(response)
    if not number:
        raise MappingError("shipmentTrackingNumber is missing")
    details: list[Any] = response.get("shipmentDetails") or [{}]
    promised = field(response, "estimatedDeliveryDate", "estimatedDeliveryDate", default=None)
    return MappedShipment(
        provider=PROVIDER,
        tracking_number=number,
        provider_status=CREATED,
        service=text(details[0].get("productShortName")),
        promised_at=optional_timestamp(promised, "estimatedDeliveryDate.estimatedDeliveryDate"),
    )


def _problem(body: Mapping[str, Any]) -> Reject:
    """DHL's problem body as one reject, named by the number the refused request asked for."""
    status = text(body.get("status")) or text(body.get("code"))
    title = text(body.get("title")) or text(body.get("message"))
    reason = f"DHL answered {status or 'an error'} {title}: {text(body.get('detail'))}"
    return Reject(PROVIDER, RecordKind.SHIPMENT, _asked_number(body.get("instance")), reason, body)


def _asked_number(instance: Any) -> str:
    """The tracking number in a problem's ``instance`` (its request path and query)."""
    parts = urlsplit(text(instance))
    segments = parts.path.split("/")
    if "shipments" in segments:
        index = segments.index("shipments") + 1
        if index < len(segments):
            return segments[index]
    query = parse_qs(parts.query)
    return next((query[key][0] for key in _QUERY_NUMBERS if query.get(key)), "")
