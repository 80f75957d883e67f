"""Status maps as stored in the definitions table (what admins edited), with the pack's as base."""

from __future__ import annotations

from sqlmodel import Session

from cbe_app.hub.statusmap import StatusMapDefinition, StatusMaps, pack_status_maps
from cbe_app.packs.service import definitions_of


def stored_status_maps(session: Session) -> StatusMaps:
    """The maps in the database; providers missing there fall back to the pack's map."""
    stored = {d.provider: d for d in definitions_of(session, StatusMapDefinition)}
    return StatusMaps(pack_status_maps().by_provider | stored)
