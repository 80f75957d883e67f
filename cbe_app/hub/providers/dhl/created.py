"""MyDHL `POST /shipments`, emulated: validation, creation once per Message-Reference, the answer.

A request is checked for what MyDHL requires (the top-level keys, both parties' address and
contact, the content, the export declaration of a declarable shipment); problems are answered
422 with DHL's `additionalDetails`. A created shipment gets a 10-digit waybill number with
DHL's mod-7 check digit, one piece, a PDF label and a first checkpoint ("shipment information
received"), so tracking it works at once. The same `Message-Reference` from the same user
returns the shipment created the first time (the idempotency the connector relies on); without
one, every request creates a shipment.
"""

from __future__ import annotations

import base64
import itertools
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cbe_app.hub.providers.dhl.render import PRODUCT_NAMES, Tracked, piece_id
from cbe_app.hub.sandbox.data import TrackingStep

REQUIRED = (
    "plannedShippingDateAndTime",
    "pickup",
    "productCode",
    "accounts",
    "customerDetails",
    "content",
)
_PARTY_KEYS = {
    "postalAddress": ("postalCode", "cityName", "countryCode", "addressLine1"),
    "contactInformation": ("phone", "companyName", "fullName"),
}
_CONTENT_KEYS = ("packages", "isCustomsDeclarable", "description", "incoterm", "unitOfMeasurement")
_TRANSIT_DAYS = {"P": 3, "D": 3, "N": 1}  # other products: 5 days


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def problems(body: Any) -> list[str]:
    """What MyDHL would refuse in a create request, in its `additionalDetails` wording."""
    if not isinstance(body, dict):
        return ["#: expected type: JSONObject"]
    found = [f"#: required key [{k}] not found" for k in REQUIRED if k not in body]
    parties = _dict(body.get("customerDetails"))
    for party in ("shipperDetails", "receiverDetails"):
        details = parties.get(party)
        if not isinstance(details, dict):
            found.append(f"#/customerDetails: required key [{party}] not found")
            continue
        for group, keys in _PARTY_KEYS.items():
            given, where = _dict(details.get(group)), f"#/customerDetails/{party}/{group}"
            found += [f"{where}: required key [{k}] not found" for k in keys if k not in given]
    content = _dict(body.get("content"))
    found += [f"#/content: required key [{k}] not found" for k in _CONTENT_KEYS if k not in content]
    packages = content.get("packages") if isinstance(content.get("packages"), list) else []
    for n, package in enumerate(packages or ()):
        weight = _dict(package).get("weight")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            found.append(f"#/content/packages/{n}/weight: expected minimum: 0.001")
    if "packages" in content and not packages:
        found.append("#/content/packages: expected minimum item count: 1")
    if content.get("isCustomsDeclarable") and "exportDeclaration" not in content:
        found.append("#/content: exportDeclaration is required for a customs declarable shipment")
    return found


def label_pdf(lines: list[str]) -> bytes:
    """A one-page 4x6 inch PDF label with `lines` of text (a small, valid PDF)."""
    escaped = [ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for ln in lines]
    text = "BT /F1 14 Tf 24 400 Td 20 TL " + " ".join(f"({ln}) '" for ln in escaped) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 432] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream".encode("latin-1", "replace"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out + trailer.encode()


def _party(details: dict[str, Any]) -> tuple[str, str]:
    address, contact = details["postalAddress"], details["contactInformation"]
    city = str(address["cityName"]).replace(",", " ").strip()
    return str(contact["fullName"]), f"{city}, {address['countryCode']}"


def tracked(body: dict[str, Any], number: str, now: datetime) -> Tracked:
    """What tracking will tell of a shipment created from `body` at `now`."""
    parties, content = body["customerDetails"], body["content"]
    shipper, receiver = _party(parties["shipperDetails"]), _party(parties["receiverDetails"])
    references = body.get("customerReferences") or [{}]
    code = str(body["productCode"])
    return Tracked(
        number=number,
        product=code,
        description=str(content["description"]),
        shipper=(str(parties["shipperDetails"]["contactInformation"]["companyName"]), shipper[1]),
        receiver=receiver,
        weight_kg=round(sum(float(p["weight"]) for p in content["packages"]), 3),
        reference=str(references[0].get("value", "")),
        steps=(TrackingStep(now, "label_created", shipper[1]),),
        promised_on=(now + timedelta(days=_TRANSIT_DAYS.get(code, 5))).date(),
    )


def answer(shipment: Tracked, url: str) -> dict[str, Any]:
    """The 201 body of `POST /shipments` for a created shipment (`url`: the request's URL)."""
    name = PRODUCT_NAMES.get(shipment.product, "EXPRESS WORLDWIDE")
    piece = piece_id(shipment.number)
    tracking_url = f"{url}/{shipment.number}/tracking"
    label = label_pdf(["DHL " + name, f"WAYBILL {shipment.number}", f"PIECE {piece}"])
    return {
        "url": url,
        "shipmentTrackingNumber": shipment.number,
        "trackingUrl": tracking_url,
        "packages": [
            {
                "referenceNumber": 1,
                "trackingNumber": piece,
                "trackingUrl": f"{tracking_url}?pieceTrackingNumber={piece}",
            }
        ],
        "documents": [
            {
                "imageFormat": "PDF",
                "content": base64.b64encode(label).decode(),
                "typeCode": "label",
            }
        ],
        "shipmentDetails": [{"productShortName": name, "serviceContentCode": "WPX"}],
        "estimatedDeliveryDate": {
            "estimatedDeliveryDate": shipment.promised_on.isoformat()
            if shipment.promised_on
            else "",
            "estimatedDeliveryType": "QDDC",
        },
    }


@dataclass
class CreatedShipments:
    """Shipments created through the sandbox, by number, by Message-Reference and reference."""

    by_number: dict[str, tuple[Tracked, dict[str, Any]]] = field(default_factory=dict)
    by_message: dict[tuple[str, str], str] = field(default_factory=dict)
    by_reference: dict[str, list[str]] = field(default_factory=dict)
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def create(
        self, user: str, message: str | None, body: dict[str, Any], url: str, now: datetime
    ) -> dict[str, Any]:
        """The answer for a create request: a new shipment, or the one this message made."""
        with self._lock:
            if message and (user, message) in self.by_message:
                return self.by_number[self.by_message[(user, message)]][1]
            stem = f"5{next(self._serial):08d}"
            number = f"{stem}{int(stem) % 7}"
            shipment = tracked(body, number, now)
            self.by_number[number] = (shipment, answer(shipment, url))
            if message:
                self.by_message[(user, message)] = number
            self.by_reference.setdefault(shipment.reference, []).append(number)
            return self.by_number[number][1]

    def get(self, number: str) -> Tracked | None:
        """A created shipment by its number."""
        found = self.by_number.get(number)
        return found[0] if found else None
