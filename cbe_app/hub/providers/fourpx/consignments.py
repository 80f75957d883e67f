"""Consignments booked through the 4PX sandbox (`ds.xms.order.create`), kept in memory.

4PX keys a consignment by the customer's `ref_no`: booking the same `ref_no` again answers
the consignment already booked, never a second one. Each consignment gets a 4PX tracking
number in the demo's format, a DS consignment number and, for the tracking call, one event
("parcel information received") at the time it was booked.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cbe_app.hub.providers.fourpx.render import epoch_ms, failure, tracking
from cbe_app.hub.sandbox.data import TrackingStep

# A few of 4PX's logistics products (ds.xms.logistics_product.getlist): code -> name.
PRODUCTS = {"A1": "DHL", "A2": "4PX Express", "A5": "DHL EastChina Heavy", "A6": "LYT GH"}
_REQUIRED = (
    ("business_type", "DS000009", "Business type cannot be empty"),
    ("duty_type", "DS000004", "Parameter error: duty_type is required"),
    ("logistics_service_info", "DS000004", "Parameter error: logistics_product_code is required"),
    ("recipient_info", "DS000004", "Parameter error: recipient_info is required"),
    ("sender", "DS000004", "Parameter error: sender is required"),
    ("parcel_list", "DS000004", "Parameter error: parcel_list is required"),
    ("deliver_type_info", "DS000042", "Invalid delivery type"),
)


@dataclass(frozen=True, slots=True)
class Consignment:
    """One booked consignment."""

    ref_no: str
    ds_consignment_no: str
    tracking_no: str
    product_code: str
    country: str
    created_at: datetime

    def created(self) -> dict[str, Any]:
        """The `data` of the `ds.xms.order.create` answer."""
        return {
            "ds_consignment_no": self.ds_consignment_no,
            "4px_tracking_no": self.tracking_no,
            "label_barcode": "",
            "ref_no": self.ref_no,
            "logistics_channel_name": PRODUCTS.get(self.product_code, self.product_code),
            "logistics_channel_no": "",  # known only once 4PX hands it to the last mile
            "oda_result_sign": "N",
        }

    def info(self) -> dict[str, Any]:
        """One item of the `ds.xms.order.get` answer."""
        return {
            "consignment_info": {
                "4px_tracking_no": self.tracking_no,
                "consignment_create_date": epoch_ms(self.created_at),
                "consignment_status": "P",
                "ds_consignment_no": self.ds_consignment_no,
                "has_check_oda": "N",
                "insure_status": "N",
                "is_hold_sign": "N",
                "logistics_channel_no": "",
                "logistics_product_code": self.product_code,
                "logistics_product_name": PRODUCTS.get(self.product_code, self.product_code),
                "oda_result_sign": "N",
                "ref_no": self.ref_no,
            }
        }

    def tracking(self) -> dict[str, Any]:
        """The `data` of the tracking answer: information received, nothing scanned yet."""
        step = TrackingStep(self.created_at, "label_created", "")
        return tracking(self.tracking_no, [step], self.country)


def problem(body: dict[str, Any]) -> dict[str, Any] | None:
    """4PX's refusal of an order body missing what it requires, or None."""
    ref_no = str(body.get("ref_no") or "")
    if not ref_no:
        return failure("DS000005", "Order number cannot be empty")
    for key, code, message in _REQUIRED:
        if not body.get(key):
            return failure(code, message, ref_no)
    if not (body.get("logistics_service_info") or {}).get("logistics_product_code"):
        return failure("DS000004", "Parameter error: logistics_product_code is required", ref_no)
    recipient = body.get("recipient_info") or {}
    for key in ("first_name", "country", "city", "street"):
        if not recipient.get(key):
            return failure("DS000004", f"Parameter error: recipient_info.{key} is required", ref_no)
    return None


class Consignments:
    """The sandbox's booked consignments, by `ref_no` and by 4PX tracking number."""

    def __init__(
        self, taken: Container[str], clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._taken = taken  # the demo's tracking numbers: never hand one out again
        self._clock = clock
        self._serial = itertools.count(1)
        self.by_ref: dict[str, Consignment] = {}
        self.by_number: dict[str, Consignment] = {}

    def book(self, body: dict[str, Any]) -> Consignment:
        """The consignment of `body["ref_no"]`: the one booked before, or a new one."""
        ref_no = str(body["ref_no"])
        if ref_no in self.by_ref:
            return self.by_ref[ref_no]
        number = self._next_number()
        consignment = Consignment(
            ref_no=ref_no,
            ds_consignment_no=f"DS{number[3:-2]}",
            tracking_no=number,
            product_code=str(body["logistics_service_info"]["logistics_product_code"]),
            country=str(body["recipient_info"]["country"]),
            created_at=self._clock().replace(microsecond=0),
        )
        self.by_ref[ref_no] = self.by_number[number] = consignment
        return consignment

    def find(self, request_no: str) -> Consignment | None:
        """A consignment by its ref_no, 4PX tracking number or DS consignment number."""
        found = self.by_ref.get(request_no) or self.by_number.get(request_no)
        if found is None and request_no.startswith("DS"):
            found = self.by_number.get(f"4PX{request_no[2:]}CN")
        return found

    def _next_number(self) -> str:
        while True:
            number = f"4PX9{next(self._serial):012d}CN"
            if number not in self._taken:
                return number
