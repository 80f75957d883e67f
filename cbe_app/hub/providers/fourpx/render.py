"""The demo's 4PX parcels and booked consignments in 4PX's wire format (for the sandbox).

Tracking answers carry 4PX track codes (`businessLinkCode`) chosen from the `fourpx` status map
so that each canonical step maps back to itself, times as 4PX writes them (platform time,
UTC+08:00, to the second, newest event first) and locations in capitals.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from cbe_app.hub.sandbox.data import SandboxParcel, TrackingStep

PLATFORM_TIME = timezone(timedelta(hours=8))
SUCCEEDED = "System processing succeeded"
FAILED = "System processing failed"

# Canonical step -> (4PX track code, its description), each code mapping back to the step.
TRACK_CODES: dict[str, tuple[str, str]] = {
    "label_created": ("FPX_L_RPIF", "Parcel information received"),
    "picked_up": ("FPX_C_SPLS", "4PX picked up the shipment"),
    "in_transit": ("FPX_M_DFOA", "Shipment departed from airport of origin country"),
    "customs": ("FPX_I_CP", "Customs clearance in progress"),
    "out_for_delivery": ("FPX_D_OFD", "Out for delivery to consignee"),
    "delivered": ("FPX_S_OK", "Shipment delivered"),
    "exception": ("FPX_D_DD", "Delivery delay"),
    "returned": ("FPX_O_RT", "Returned to the shipper's address"),
}


def platform_time(moment: datetime) -> str:
    """A time as 4PX writes it: wall clock of UTC+08:00, to the second, without offset."""
    return moment.astimezone(PLATFORM_TIME).strftime("%Y-%m-%d %H:%M:%S")


def epoch_ms(moment: datetime) -> int:
    """A time as 4PX's order answers carry it: epoch milliseconds."""
    return int(moment.astimezone(UTC).timestamp() * 1000)


def success(data: Any) -> dict[str, Any]:
    """4PX's envelope of a successful call."""
    return {"result": "1", "msg": SUCCEEDED, "errors": None, "data": data}


def failure(code: str, message: str, reference: str | None = None) -> dict[str, Any]:
    """4PX's envelope of a refused call, with one error."""
    error = {"error_code": code, "error_msg": message, "error_data": None}
    return {
        "result": "0",
        "msg": FAILED,
        "errors": [error | {"reference_code": reference}],
        "data": None,
    }


def tracking(number: str, steps: Iterable[TrackingStep], country: str) -> dict[str, Any]:
    """The `data` of a `tr.order.tracking.get` answer: the parcel's events, newest first."""
    events = []
    for step in sorted(steps, key=lambda s: s.at, reverse=True):
        code, description = TRACK_CODES[step.status]
        events.append(
            {
                "businessLinkCode": code,
                "occurDatetime": platform_time(step.at),
                "occurLocation": step.location.upper(),
                "trackingContent": description,
                "destinationCountry": country,
            }
        )
    return {"deliveryOrderNo": number, "trackingList": events}


def parcel_tracking(parcel: SandboxParcel) -> dict[str, Any]:
    """A demo parcel's tracking answer data."""
    order = parcel.order.order
    return tracking(parcel.shipment.tracking_number, parcel.steps, order.country)
