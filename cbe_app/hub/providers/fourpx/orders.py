"""A hub `ShipmentRequest` as the body of 4PX's `ds.xms.order.create` (direct shipment).

Field names and codes are 4PX's: `ref_no` (the customer's own order number, 4PX's
idempotency key), `business_type` BDS, `duty_type` U (DDU) or P (DDP), `cargo_type` 5 (other),
`logistics_service_info.logistics_product_code` (the 4PX product, our `service`), the
recipient in `recipient_info`, one parcel in `parcel_list` with its weight in grams and its
declared value, and `deliver_type_info.deliver_type` (how the parcel reaches 4PX). The sender
address and the two codes a seller chooses once come from the account's settings (`sender`,
`duty_type`, `deliver_type`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cbe_app.hub.providers.base import ShipmentRequest


def _recipient(request: ShipmentRequest) -> dict[str, str]:
    first, _, last = request.ship_to_name.strip().partition(" ")
    return {
        "first_name": first,
        "last_name": last,
        "phone": request.ship_to_phone,
        "email": request.ship_to_email,
        "post_code": request.ship_to_postcode,
        "country": request.ship_to_country,
        "city": request.ship_to_city,
        "street": ", ".join(line for line in request.ship_to_lines if line),
    }


def _parcel(request: ShipmentRequest) -> dict[str, Any]:
    # 4PX types amounts as Double; a declared value has at most the currency's decimals.
    value = float(Decimal(request.declared_value))
    return {
        "weight": request.weight_g,
        "parcel_value": value,
        "currency": request.currency,
        "include_battery": "N",
        "product_list": [
            {
                "product_name": request.contents,
                "qty": 1,
                "product_unit_price": value,
                "currency": request.currency,
            }
        ],
        "declare_product_info": [
            {
                "declare_product_name_en": request.contents,
                "declare_product_code_qty": 1,
                "declare_unit_price_export": value,
                "currency_export": request.currency,
                "declare_unit_price_import": value,
                "currency_import": request.currency,
            }
        ],
    }


def order_body(request: ShipmentRequest, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of `ds.xms.order.create` for one parcel."""
    return {
        "ref_no": request.reference,
        "business_type": "BDS",
        "duty_type": str(settings.get("duty_type", "U")),
        "cargo_type": "5",
        "logistics_service_info": {"logistics_product_code": request.service},
        "recipient_info": _recipient(request),
        "sender": dict(settings.get("sender") or {}),
        "parcel_list": [_parcel(request)],
        "is_insure": "N",
        "deliver_type_info": {"deliver_type": str(settings.get("deliver_type", "1"))},
        "label_config_info": {
            "label_size": "label_100x100",
            "response_label_format": "PDF",
            "create_logistics_label": "Y",
        },
    }
