"""Scan times as carriers print them: the local clock of the place, with its UTC offset.

The demo's tracking steps are UTC times at places written "City, ST, CC", "City, CC" or "CC".
Carriers show each scan in the local time of the facility (FedEx `2024-07-03T10:15:00+02:00`,
DHL `date` + `time` + `GMTOffset`), so the sandboxes convert. Standard time is used all
year: the offsets are plausible, not a time-zone database, and every time stays exact.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

_CENTRAL_EUROPE = frozenset(
    {"AT", "BE", "CH", "CZ", "DE", "DK", "ES", "FR", "IT", "NL", "NO", "PL", "SE"}
)
_HOURS: dict[str, float] = {
    "AE": 4,
    "AU": 10,
    "CA": -5,
    "CN": 8,
    "FI": 2,
    "GB": 0,
    "HK": 8,
    "IE": 0,
    "JP": 9,
    "MX": -6,
    "NZ": 12,
    "PT": 0,
    "SG": 8,
    "US": -5,
} | dict.fromkeys(_CENTRAL_EUROPE, 1.0)
# States whose clock differs from the country's (the demo's Ontario, CA warehouse).
_STATE_HOURS = {("US", "CA"): -8.0}


def place(location: str) -> tuple[str, str, str]:
    """(city, state, country) of a demo location; parts it does not name are ''."""
    parts = [p.strip() for p in location.split(",") if p.strip()]
    if not parts:
        return "", "", ""
    country = parts[-1]
    if len(parts) == 1:
        return "", "", country
    return parts[0], parts[1] if len(parts) > 2 else "", country


def zone(location: str) -> timezone:
    """The (standard-time) zone of a demo location; UTC for places the table does not know."""
    _, state, country = place(location)
    hours = _STATE_HOURS.get((country, state), _HOURS.get(country, 0.0))
    return timezone(timedelta(hours=hours))


def local(moment: datetime, location: str) -> datetime:
    """`moment` on the local clock of `location` (same instant, local offset)."""
    return moment.astimezone(zone(location))


def local_iso(moment: datetime, location: str) -> str:
    """ISO 8601 local time with its offset, to the second: `2024-07-03T10:15:00+02:00`."""
    return local(moment, location).isoformat(timespec="seconds")
