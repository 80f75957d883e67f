"""MyDHL API create-shipment requests (`POST /shipments`) built from the hub's `ShipmentRequest`.

The shipper is the account's: `settings["shipper"]` holds `company`, `name`, `phone`,
`email`, `lines` (address lines), `city`, `postcode` and `country`; the DHL account number is
`credentials["account_number"]`. A shipment is customs-declarable when it leaves the shipper's
country, unless both ends are in the EU customs union; declarable shipments carry the export
declaration DHL requires (one line item for the whole parcel).

`message_reference` derives the `Message-Reference` header (28 to 36 characters, MyDHL's
limit) from the hub's parcel reference, so asking again for the same parcel sends the same key.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from cbe_app.hub.providers.base import AccountConfig, ShipmentRequest
from cbe_app.hub.providers.http import ProviderError

_NAMESPACE = uuid.UUID("6f1c7f0e-3b7a-5d7e-9f4e-2c1d0a9b8e71")  # this app's DHL references
# MyDHL global product codes of the services the demo and most sellers use.
PRODUCT_CODES = {
    "express worldwide": "P",
    "express worldwide documents": "D",
    "economy select": "H",
    "express domestic": "N",
    "express 12:00": "T",
    "express 9:00": "K",
}
EU = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})  # fmt: skip
DEFAULT_BOX_CM = (20, 15, 10)
_SHIPPER_KEYS = ("company", "name", "phone", "lines", "city", "postcode", "country")


def message_reference(reference: str) -> str:
    """The `Message-Reference` for a parcel: a UUID derived from its reference (36 chars)."""
    return str(uuid.uuid5(_NAMESPACE, reference))


def product_code(service: str) -> str:
    """DHL's product code for a service name ('Express Worldwide' → 'P'); codes pass through."""
    name = service.strip()
    if len(name) == 1 and name.isalnum():
        return name.upper()
    code = PRODUCT_CODES.get(name.lower().removeprefix("dhl").strip())
    if code is None:
        known = ", ".join(sorted(PRODUCT_CODES))
        raise ProviderError(f"dhl: no product code for the service {service!r} (known: {known})")
    return code


def declarable(origin: str, destination: str) -> bool:
    """Whether customs must clear the shipment (it crosses a customs border)."""
    return origin != destination and not (origin in EU and destination in EU)


def _shipper(account: AccountConfig) -> Mapping[str, Any]:
    shipper = account.settings.get("shipper")
    missing = [k for k in _SHIPPER_KEYS if not (shipper or {}).get(k)]
    if not isinstance(shipper, Mapping) or missing:
        raise ProviderError(
            f"dhl: the account's settings need a shipper address ({', '.join(missing)} missing)"
        )
    return shipper


def _address(lines: Any, city: str, postcode: str, country: str) -> dict[str, str]:
    address = {"postalCode": postcode[:12], "cityName": city[:45], "countryCode": country}
    for n, line in enumerate(list(lines)[:3], start=1):
        address[f"addressLine{n}"] = str(line)[:45]
    return address


def _parties(account: AccountConfig, request: ShipmentRequest) -> dict[str, Any]:
    shipper = _shipper(account)
    return {
        "shipperDetails": {
            "postalAddress": _address(
                shipper["lines"], shipper["city"], shipper["postcode"], shipper["country"]
            ),
            "contactInformation": {
                "companyName": shipper["company"],
                "fullName": shipper["name"],
                "phone": shipper["phone"],
                "email": shipper.get("email", ""),
            },
            "typeCode": "business",
        },
        "receiverDetails": {
            "postalAddress": _address(
                request.ship_to_lines,
                request.ship_to_city,
                request.ship_to_postcode,
                request.ship_to_country,
            ),
            "contactInformation": {
                "companyName": request.ship_to_name,  # required by DHL, even for a person
                "fullName": request.ship_to_name,
                "phone": request.ship_to_phone,
                "email": request.ship_to_email,
            },
            "typeCode": "private",
        },
    }


def _content(
    account: AccountConfig, request: ShipmentRequest, origin: str, now: datetime
) -> dict[str, Any]:
    kilograms = round(max(request.weight_g, 1) / 1000, 3)
    value = float(Decimal(request.declared_value))
    length, width, height = account.settings.get("package_cm") or DEFAULT_BOX_CM
    content: dict[str, Any] = {
        "packages": [
            {
                "weight": kilograms,
                "dimensions": {"length": length, "width": width, "height": height},
            }
        ],
        "isCustomsDeclarable": declarable(origin, request.ship_to_country),
        "declaredValue": value,
        "declaredValueCurrency": request.currency,
        "description": request.contents[:70],
        "incoterm": "DAP",
        "unitOfMeasurement": "metric",
    }
    if content["isCustomsDeclarable"]:
        content["exportDeclaration"] = {
            "lineItems": [
                {
                    "number": 1,
                    "description": request.contents[:512],
                    "price": value,
                    "quantity": {"value": 1, "unitOfMeasurement": "PCS"},
                    "manufacturerCountry": origin,
                    "weight": {"netValue": kilograms, "grossValue": kilograms},
                }
            ],
            "invoice": {"number": request.reference[:35], "date": now.date().isoformat()},
        }
    return content


def shipment_request(
    account: AccountConfig, request: ShipmentRequest, now: datetime
) -> dict[str, Any]:
    """The `POST /shipments` body for a parcel, shipping at `now` (UTC), with a PDF label."""
    parties = _parties(account, request)
    origin = parties["shipperDetails"]["postalAddress"]["countryCode"]
    return {
        "plannedShippingDateAndTime": now.strftime("%Y-%m-%dT%H:%M:%S GMT+00:00"),
        "pickup": {"isRequested": False},
        "productCode": product_code(request.service),
        "accounts": [
            {"typeCode": "shipper", "number": str(account.credentials.get("account_number", ""))}
        ],
        "outputImageProperties": {
            "encodingFormat": "pdf",
            "imageOptions": [{"typeCode": "label", "templateName": "ECOM26_84_001"}],
        },
        "customerReferences": [{"value": request.reference[:35], "typeCode": "CU"}],
        "customerDetails": parties,
        "content": _content(account, request, origin, now),
    }


def label(body: Mapping[str, Any]) -> bytes:
    """The label document of a `POST /shipments` answer, decoded (a PDF); b'' without one."""
    for document in body.get("documents") or ():
        if document.get("typeCode") == "label" and document.get("content"):
            return base64.b64decode(document["content"])
    return b""
