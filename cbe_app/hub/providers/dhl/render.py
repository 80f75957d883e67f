"""Shipments in the MyDHL API tracking format (`{"shipments": [...]}` entries).

Each canonical tracking step becomes the checkpoint whose `typeCode` the `dhl` status map sends
back to that step's status (SD, PU, DF, IC, WC, OK, OH, RT), oldest first as DHL lists them,
with the local `date` and `time` and the `GMTOffset` MyDHL 2.8+ adds. Locations are DHL
service areas: the warehouse's airport code and city, or the destination country's gateway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cbe_app.hub.sandbox.data import SandboxData, SandboxParcel, TrackingStep
from cbe_app.hub.sandbox.localtime import local, place

CHECKPOINTS: dict[str, tuple[str, str]] = {
    "label_created": ("SD", "Shipment information received"),
    "picked_up": ("PU", "Shipment picked up"),
    "in_transit": ("DF", "Shipment has departed from a DHL facility"),
    "customs": ("IC", "Clearance processing in progress"),
    "out_for_delivery": ("WC", "Shipment is out with courier for delivery"),
    "delivered": ("OK", "Delivered"),
    "exception": ("OH", "Shipment is on hold"),
    "returned": ("RT", "Returned to shipper"),
}
# demo service -> (productCode, productShortName)
PRODUCTS = {
    "Express Worldwide": ("P", "EXPRESS WORLDWIDE"),
    "Economy Select": ("H", "ECONOMY SELECT"),
}
PRODUCT_NAMES = dict(PRODUCTS.values()) | {"D": "EXPRESS WORLDWIDE DOC", "N": "DOMESTIC EXPRESS"}
_AIRPORTS = {"Shenzhen": "SZX", "Ontario": "ONT", "Leipzig": "LEJ", "Hong Kong": "HKG"}
# destination country -> its DHL gateway (service area code, city)
GATEWAYS: dict[str, tuple[str, str]] = {
    "AE": ("DXB", "Dubai"), "AT": ("VIE", "Vienna"), "AU": ("SYD", "Sydney"),
    "BE": ("BRU", "Brussels"), "CA": ("YYZ", "Toronto"), "CH": ("ZRH", "Zurich"),
    "CN": ("SZX", "Shenzhen"), "CZ": ("PRG", "Prague"), "DE": ("LEJ", "Leipzig"),
    "DK": ("CPH", "Copenhagen"), "ES": ("MAD", "Madrid"), "FI": ("HEL", "Helsinki"),
    "FR": ("CDG", "Paris"), "GB": ("EMA", "East Midlands"), "IE": ("DUB", "Dublin"),
    "IT": ("MXP", "Milan"), "JP": ("NRT", "Tokyo"), "MX": ("MEX", "Mexico City"),
    "NL": ("AMS", "Amsterdam"), "NO": ("OSL", "Oslo"), "PL": ("WAW", "Warsaw"),
    "PT": ("LIS", "Lisbon"), "SE": ("ARN", "Stockholm"), "SG": ("SIN", "Singapore"),
    "US": ("CVG", "Cincinnati"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Tracked:
    """What a tracking answer tells of one shipment (a demo parcel or one created here)."""

    number: str
    product: str  # a demo service name, or a product code
    description: str
    shipper: tuple[str, str]  # (name, demo location)
    receiver: tuple[str, str]
    weight_kg: float
    reference: str
    steps: tuple[TrackingStep, ...]
    promised_on: date | None
    signed_by: str = ""


def service_area(location: str) -> list[dict[str, str]]:
    """The `serviceArea` of a demo location: its city's airport, else the country's gateway."""
    city, _, country = place(location)
    if not country:
        return []
    if city:
        code = _AIRPORTS.get(city, city[:3].upper())
    else:
        code, city = GATEWAYS.get(country, (country, "Gateway"))
    return [{"code": code, "description": f"{city}-{country}"}]


def area_description(location: str) -> str:
    """How DHL names the place of a demo location (what the mapper keeps as the location)."""
    areas = service_area(location)
    return areas[0]["description"] if areas else ""


def from_parcel(parcel: SandboxParcel, data: SandboxData) -> Tracked:
    """A demo parcel as DHL knows it."""
    order, customer = parcel.order.order, parcel.order.customer
    grams = sum(
        (p.weight_g if (p := data.product(line.sku)) else 500) * line.quantity
        for line in order.lines
    )
    first = data.product(order.lines[0].sku) if order.lines else None
    steps = tuple(sorted(parcel.steps, key=lambda s: s.at))  # the customs step may come early
    return Tracked(
        number=parcel.shipment.tracking_number,
        product=parcel.shipment.service,
        description=first.name[:70] if first else "Merchandise",
        shipper=("CBE DEMO FULFILMENT", steps[0].location),
        receiver=(customer.name, order.country),
        weight_kg=round(max(grams, 100) / 1000, 3),
        reference=order.external_id,
        steps=steps,
        promised_on=parcel.shipment.promised_on,
        signed_by=customer.name.split(" ")[-1].upper(),
    )


def checkpoint(step: TrackingStep, signed_by: str = "") -> dict[str, Any]:
    """One step as an `events[]` entry."""
    code, description = CHECKPOINTS[step.status]
    at = local(step.at, step.location)
    event: dict[str, Any] = {
        "date": at.date().isoformat(),
        "time": at.strftime("%H:%M:%S"),
        "GMTOffset": at.isoformat(timespec="seconds")[19:],
        "typeCode": code,
        "description": description,
        "serviceArea": service_area(step.location),
    }
    if code == "OK" and signed_by:
        event["signedBy"] = signed_by
    return event


def _party(name: str, location: str) -> dict[str, Any]:
    city, _, country = place(location)
    address = {"cityName": city, "countryCode": country} if city else {"countryCode": country}
    return {"name": name, "postalAddress": address, "serviceArea": service_area(location)}


def _timestamp(moment: datetime, location: str) -> str:
    return local(moment, location).strftime("%Y-%m-%dT%H:%M:%S")


def tracked_shipment(shipment: Tracked, view: str, detail: str) -> dict[str, Any]:
    """A `shipments[]` entry for `trackingView` `view` and `levelOfDetail` `detail`."""
    steps = {"last-checkpoint": shipment.steps[-1:], "shipment-details-only": ()}.get(
        view, shipment.steps
    )
    events = [checkpoint(s, shipment.signed_by) for s in steps]
    code = PRODUCTS.get(shipment.product, (shipment.product, ""))[0]
    body: dict[str, Any] = {
        "shipmentTrackingNumber": shipment.number,
        "status": "Success",
        "shipmentTimestamp": _timestamp(shipment.steps[0].at, shipment.steps[0].location),
        "productCode": code,
        "description": shipment.description,
        "shipperDetails": _party(*shipment.shipper),
        "receiverDetails": _party(*shipment.receiver),
        "totalWeight": shipment.weight_kg,
        "unitOfMeasurements": "metric",
        "shipperReferences": [{"value": shipment.reference, "typeCode": "CU"}],
        "events": events if detail in ("shipment", "all") else [],
        "numberOfPieces": 1,
    }
    if detail in ("piece", "all"):
        body["pieces"] = [
            {
                "number": 1,
                "typeCode": "PIECE",
                "shipmentTrackingNumber": shipment.number,
                "trackingNumber": piece_id(shipment.number),
                "weight": shipment.weight_kg,
                "events": events,
            }
        ]
    if shipment.promised_on:
        body["estimatedDeliveryDate"] = shipment.promised_on.isoformat()
    return body


def piece_id(number: str) -> str:
    """The licence-plate number of a shipment's only piece (`JD01…`, 20 characters)."""
    return f"JD0146{int(number):014d}"
