"""Status maps: each provider's statuses in the hub's one vocabulary, as editable definitions.

A map is a definition (kind `status_map`, one per provider) shipped in the solution pack and
changed by admins in the Data hub. Keys are compared without case or surrounding spaces. A
status no map knows is not guessed: the record goes to quarantine saying which status to map.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator

from cbe_app.core.definitions import Definition
from cbe_app.hub.canonical import OrderStatus, PaymentStatus, ShipmentStatus


def status_key(raw: str) -> str:
    """How a provider status is looked up: lower case, single spaces, trimmed."""
    return " ".join(raw.strip().lower().split())


class StatusMapDefinition(Definition):
    """One provider's status translations, by record kind."""

    kind: Literal["status_map"] = "status_map"
    provider: str
    order: dict[str, OrderStatus] = Field(default_factory=dict)
    payment: dict[str, PaymentStatus] = Field(default_factory=dict)
    shipment: dict[str, ShipmentStatus] = Field(default_factory=dict)

    @field_validator("order", "payment", "shipment", mode="before")
    @classmethod
    def _normalise_keys(cls, value: object) -> object:
        if isinstance(value, dict):
            return {status_key(str(k)): v for k, v in value.items()}
        return value


class UnmappedStatus(LookupError):
    """No status map translates this provider status."""

    def __init__(self, provider: str, kind: str, raw: str) -> None:
        self.provider, self.kind, self.raw = provider, kind, raw
        super().__init__(
            f"{provider} {kind} status {raw!r} has no mapping; add it under Data hub › Status maps"
        )


@dataclass(frozen=True)
class StatusMaps:
    """Every provider's map, ready for lookups (answers are remembered: a sync asks millions)."""

    by_provider: dict[str, StatusMapDefinition]
    _seen: dict[tuple[str, str, str], StrEnum] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, definitions: Iterable[StatusMapDefinition]) -> StatusMaps:
        """Maps keyed by provider."""
        return cls({d.provider: d for d in definitions})

    def _lookup(self, provider: str, kind: str, raw: str) -> StrEnum:
        # The definitions' tables hold the vocabulary enums already (validated on load).
        key = (provider, kind, raw)
        found = self._seen.get(key)
        if found is not None:
            return found
        definition = self.by_provider.get(provider)
        table: dict[str, StrEnum] = getattr(definition, kind, {}) if definition else {}
        status = table.get(status_key(raw))
        if status is None:
            raise UnmappedStatus(provider, kind, raw)
        self._seen[key] = status
        return status

    def order(self, provider: str, raw: str) -> OrderStatus:
        """The canonical order status of a provider's order status."""
        return self._lookup(provider, "order", raw)  # type: ignore[return-value]

    def payment(self, provider: str, raw: str) -> PaymentStatus:
        """The canonical payment status of a provider's payment status."""
        return self._lookup(provider, "payment", raw)  # type: ignore[return-value]

    def shipment(self, provider: str, raw: str) -> ShipmentStatus:
        """The canonical shipment status of a carrier's status."""
        return self._lookup(provider, "shipment", raw)  # type: ignore[return-value]


@functools.cache
def pack_status_maps() -> StatusMaps:
    """The maps the solution pack ships (read once: pack files do not change while running)."""
    from cbe_app.packs.service import read_pack

    _, definitions = read_pack()
    return StatusMaps.of(d for d in definitions if isinstance(d, StatusMapDefinition))
