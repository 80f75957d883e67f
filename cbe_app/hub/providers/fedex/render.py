"""Demo parcels in the FedEx Track API's wire format (`output.completeTrackResults[]`).

Each canonical tracking step becomes the FedEx scan whose `eventType` the `fedex` status map
sends back to that step's status (OC, PU, DP, CP, OD, DL, DE, RS), so a sync through the
sandbox reproduces the demo exactly. Scans are listed newest first with local times and
offsets, as FedEx lists them; `latestStatusDetail` repeats the newest scan; `dateAndTimes`
carries the pickup, the promise (ESTIMATED_DELIVERY while under way, COMMITMENT once
delivered) and ACTUAL_DELIVERY.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cbe_app.hub.providers.fedex.mapper import NOT_FOUND
from cbe_app.hub.sandbox.data import SandboxData, SandboxParcel, TrackingStep
from cbe_app.hub.sandbox.localtime import local, local_iso, place


@dataclass(frozen=True, slots=True)
class Scan:
    """How FedEx reports one kind of step."""

    event_type: str
    description: str
    derived_code: str
    derived_status: str
    location_type: str


SCANS: dict[str, Scan] = {
    "label_created": Scan(
        "OC", "Shipment information sent to FedEx", "IN", "Initiated", "CUSTOMER"
    ),
    "picked_up": Scan("PU", "Picked up", "PU", "Picked up", "PICKUP_LOCATION"),
    "in_transit": Scan("DP", "Departed FedEx location", "IT", "In transit", "FEDEX_FACILITY"),
    "customs": Scan("CP", "Clearance in progress", "IT", "In transit", "CUSTOMS_BROKER"),
    "out_for_delivery": Scan(
        "OD", "On FedEx vehicle for delivery", "OD", "Out for delivery", "VEHICLE"
    ),
    "delivered": Scan("DL", "Delivered", "DL", "Delivered", "DELIVERY_LOCATION"),
    "exception": Scan("DE", "Delivery exception", "DE", "Delivery exception", "FEDEX_FACILITY"),
    "returned": Scan("RS", "Return to shipper", "RS", "Return to shipper", "FEDEX_FACILITY"),
}
# demo service -> (serviceDetail.type, description, shortDescription, carrierCode, unique id tag)
SERVICES: dict[str, tuple[str, str, str, str, str]] = {
    "FedEx Ground": ("FEDEX_GROUND", "FedEx Ground", "FG", "FDXG", "FDEG"),
    "FedEx Home Delivery": ("GROUND_HOME_DELIVERY", "FedEx Home Delivery", "GD", "FDXG", "FDEG"),
    "International Economy": (
        "INTERNATIONAL_ECONOMY",
        "FedEx International Economy",
        "IE",
        "FDXE",
        "FX",
    ),
    "International Priority": (
        "FEDEX_INTERNATIONAL_PRIORITY",
        "FedEx International Priority",
        "IP",
        "FDXE",
        "FX",
    ),
}
_UNKNOWN_SERVICE = ("FEDEX_GROUND", "FedEx Ground", "FG", "FDXG", "FDEG")


def address(location: str) -> dict[str, Any]:
    """A FedEx address object for a demo location (city in capitals, as FedEx prints it)."""
    city, state, country = place(location)
    out: dict[str, Any] = {"streetLines": [""], "residential": False}
    if city:
        out["city"] = city.upper()
    if state:
        out["stateOrProvinceCode"] = state
    if country:
        out["countryCode"] = country
    return out


def scan_event(step: TrackingStep) -> dict[str, Any]:
    """One step as a `scanEvents[]` entry."""
    scan = SCANS[step.status]
    return {
        "date": local_iso(step.at, step.location),
        "eventType": scan.event_type,
        "eventDescription": scan.description,
        "exceptionCode": "",
        "exceptionDescription": "",
        "scanLocation": address(step.location),
        "locationType": scan.location_type,
        "derivedStatusCode": scan.derived_code,
        "derivedStatus": scan.derived_status,
    }


def _latest(step: TrackingStep) -> dict[str, Any]:
    scan = SCANS[step.status]
    return {
        "code": scan.event_type,
        "derivedCode": scan.derived_code,
        "statusByLocale": scan.derived_status,
        "description": scan.description,
        "scanLocation": address(step.location),
        "ancillaryDetails": [],
    }


def _dates(parcel: SandboxParcel) -> list[dict[str, str]]:
    by_status = {s.status: s for s in parcel.steps}
    dates = []
    if picked := by_status.get("picked_up"):
        dates.append({"type": "ACTUAL_PICKUP", "dateTime": local_iso(picked.at, picked.location)})
        day = local(picked.at, picked.location).replace(hour=0, minute=0, second=0)
        dates.append({"type": "SHIP", "dateTime": day.isoformat(timespec="seconds")})
    promised = f"{parcel.shipment.promised_on.isoformat()}T00:00:00"  # FedEx: no offset here
    delivered = by_status.get("delivered")
    dates.append(
        {"type": "COMMITMENT" if delivered else "ESTIMATED_DELIVERY", "dateTime": promised}
    )
    if delivered:
        dates.append(
            {"type": "ACTUAL_DELIVERY", "dateTime": local_iso(delivered.at, delivered.location)}
        )
    return dates


def _weight(parcel: SandboxParcel, data: SandboxData) -> list[dict[str, str]]:
    grams = 0
    for line in parcel.order.order.lines:
        product = data.product(line.sku)
        grams += (product.weight_g if product else 500) * line.quantity
    kilograms = max(grams, 100) / 1000
    return [
        {"value": f"{kilograms * 2.20462:.1f}", "unit": "LB"},
        {"value": f"{kilograms:.2f}", "unit": "KG"},
    ]


def track_result(parcel: SandboxParcel, data: SandboxData, detailed: bool) -> dict[str, Any]:
    """One parcel as a `trackResults[]` entry."""
    number = parcel.shipment.tracking_number
    kind, description, short, carrier, tag = SERVICES.get(parcel.shipment.service, _UNKNOWN_SERVICE)
    ordered = sorted(parcel.steps, key=lambda s: s.at)  # the demo's customs step may come early
    steps = ordered if detailed else ordered[-1:]
    order = parcel.order.order
    return {
        "trackingNumberInfo": {
            "trackingNumber": number,
            "trackingNumberUniqueId": f"12029~{number}~{tag}",
            "carrierCode": carrier,
        },
        "additionalTrackingInfo": {
            "nickname": "",
            "packageIdentifiers": [
                {
                    "type": "CUSTOMER_REFERENCE",
                    "values": [order.external_id],
                    "trackingNumberUniqueId": "",
                    "carrierCode": "",
                }
            ],
            "hasAssociatedShipments": False,
        },
        "shipperInformation": {"contact": {}, "address": address(ordered[0].location)},
        "recipientInformation": {"contact": {}, "address": address(order.country)},
        "latestStatusDetail": _latest(ordered[-1]),
        "dateAndTimes": _dates(parcel),
        "packageDetails": {
            "count": "1",
            "weightAndDimensions": {"weight": _weight(parcel, data)},
        },
        "scanEvents": [scan_event(s) for s in reversed(steps)],
        "serviceDetail": {"type": kind, "description": description, "shortDescription": short},
        "error": {},
    }


def not_found(number: str) -> dict[str, Any]:
    """The `trackResults[]` entry FedEx gives a number it does not know."""
    return {
        "trackingNumberInfo": {
            "trackingNumber": number,
            "trackingNumberUniqueId": "",
            "carrierCode": "",
        },
        "error": {
            "code": NOT_FOUND,
            "message": "Tracking number cannot be found. Please correct the tracking number "
            "and try again.",
        },
    }


def complete_result(number: str, result: dict[str, Any]) -> dict[str, Any]:
    """A `completeTrackResults[]` entry: the number asked for and its result."""
    return {"trackingNumber": number, "trackResults": [result]}
