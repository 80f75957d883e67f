"""A quarantined record can be retried on its own: its raw payload, as kept, maps again.

The quarantine keeps what `MapResult.raw_of` gives for a record (often one element of a page);
Retry hands that to the provider's mapper through `ProviderInfo.retry_payload`. For every
recorded provider payload, each record's raw copy must map back to the same record.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cbe_app.hub.canonical import MappedOrder, MappedPayment, MappedShipment
from cbe_app.hub.providers.parsing import MappingError
from cbe_app.hub.providers.registry import PROVIDERS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "providers"


def _identity(record: object) -> tuple[str, str]:
    if isinstance(record, MappedShipment):
        return "shipment", record.tracking_number
    assert isinstance(record, MappedOrder | MappedPayment)
    return type(record).__name__, record.external_id


def _payloads() -> list[tuple[str, Path]]:
    found = []
    for provider in PROVIDERS.values():
        folder = FIXTURES / provider.name
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
            found.append((provider.name, path))
    return found


@pytest.mark.parametrize(("provider", "path"), _payloads(), ids=lambda v: getattr(v, "name", v))
def test_each_records_raw_copy_maps_back_to_it(provider: str, path: Path) -> None:
    info = PROVIDERS[provider]
    try:
        result = info.mapper()(json.loads(path.read_text()))
    except MappingError:
        pytest.skip("not a payload this mapper reads (an error body or a request)")
    for index, record in enumerate(result.records):
        raw = result.raw_of(index)
        assert raw is not None, f"{path.name}: record {index} kept no raw payload"
        again = info.mapper()(info.retry_payload(raw))
        assert not again.rejects, again.rejects
        assert _identity(record) in [_identity(r) for r in again.records], path.name
