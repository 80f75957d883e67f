"""Small, strict readers for provider payloads, shared by every mapper.

Each raises `MappingError` with a reason a person can act on ("OrderTotal.Amount is not a
number: 'abc'"); `map_each` turns those into rejects so one bad record never stops a page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from cbe_app.hub.canonical import (
    Mapped,
    MappedOrder,
    MappedPayment,
    MappedShipment,
    MapResult,
    RecordKind,
    Reject,
)

_MILLIS_THRESHOLD = 10**11  # epoch values above this are milliseconds (after 1973 in ms)


class MappingError(ValueError):
    """The payload lacks something the hub needs, or has it in a form it cannot read."""


def field(data: Mapping[str, Any], *path: str, default: Any = ...) -> Any:
    """`data[path[0]][path[1]]…`, or `default`; without a default a missing field is an error."""
    current: Any = data
    for key in path:
        # `type(...) is dict` first: parsed JSON is plain dicts, and the ABC check costs more.
        is_mapping = type(current) is dict or isinstance(current, Mapping)
        if not is_mapping or current.get(key) is None:
            if default is not ...:
                return default
            raise MappingError(f"{'.'.join(path)} is missing")
        current = current[key]
    return current


def text(value: Any) -> str:
    """A trimmed string ('' for None)."""
    if type(value) is str:
        return value.strip()
    return "" if value is None else str(value).strip()


def money(value: Any, what: str = "amount") -> Decimal:
    """An exact decimal from a provider amount (strings preferred; floats read by their text)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or value is None:
        raise MappingError(f"{what} is not a number: {value!r}")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise MappingError(f"{what} is not a number: {value!r}") from None
    if not amount.is_finite():
        raise MappingError(f"{what} is not a number: {value!r}")
    return amount


def minor_to_decimal(value: Any, exponent: int, what: str = "amount") -> Decimal:
    """An integer amount in minor units (Stripe's cents) as a decimal in major units."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise MappingError(f"{what} is not a whole number of minor units: {value!r}")
    return Decimal(value).scaleb(-exponent)


def timestamp(value: Any, what: str = "time") -> datetime:
    """A timezone-aware UTC time from ISO 8601 text or epoch seconds/milliseconds."""
    if isinstance(value, bool) or value is None or value == "":
        raise MappingError(f"{what} is missing")
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) >= _MILLIS_THRESHOLD else value
        return datetime.fromtimestamp(seconds, UTC)
    raw = str(value).strip()
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise MappingError(f"{what} is not a date and time: {value!r}") from None
    if parsed.tzinfo is None:
        # Providers that omit the offset (WooCommerce's *_gmt fields) mean UTC.
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def optional_timestamp(value: Any, what: str = "time") -> datetime | None:
    """Like `timestamp`, but None for a missing value."""
    return None if value in (None, "") else timestamp(value, what)


def map_each(
    items: Iterable[Any],
    provider: str,
    kind: RecordKind,
    identify: Callable[[Any], str],
    build: Callable[[Any], Mapped | Iterable[Mapped]],
) -> MapResult:
    """Map every item; an item that fails becomes a reject with its reason and raw payload."""
    result = MapResult()
    for item in items:
        try:
            built = build(item)
        except (MappingError, KeyError, TypeError, ValueError, AttributeError) as exc:
            result.rejects.append(
                Reject(provider, kind, _safe_id(identify, item), _reason(exc), item)
            )
            continue
        if isinstance(built, MappedOrder | MappedShipment | MappedPayment):
            result.add(built, item)
        else:
            for record in built:
                result.add(record, item)
    return result


def _safe_id(identify: Callable[[Any], str], item: Any) -> str:
    try:
        return text(identify(item))
    except Exception:  # noqa: BLE001 - an unreadable id must not hide the real problem
        return ""


def _reason(exc: Exception) -> str:
    if isinstance(exc, MappingError):
        return str(exc)
    if isinstance(exc, KeyError):
        return f"{exc.args[0]} is missing"
    return f"unreadable record: {exc}"
