"""Loading a solution pack into the definitions table, and reading definitions back.

Loading is idempotent: an unchanged file is left alone, a changed file becomes a new version,
and a definition a user has edited since the pack delivered it is kept as the user left it.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError
from sqlmodel import Session, col, select

from cbe_app.core.definitions import Definition
from cbe_app.core.errors import ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.packs.models import DefinitionVersion, StoredDefinition
from cbe_app.packs.spec import KINDS, AppDefinition, PackManifest

PACKS_DIR = Path(__file__).resolve().parent
DEFAULT_PACK = PACKS_DIR / "crossborder"
D = TypeVar("D", bound=Definition)


@dataclass
class PackReport:
    """What loading a pack did, by definition `kind:key`."""

    pack: str
    version: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by users; the pack did not overwrite


def checksum(body: dict[str, Any]) -> str:
    """A stable fingerprint of a definition body."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValidationFailed(
            {path.name: str(exc)}, N_("The pack file {file} cannot be read."), file=path.name
        ) from exc


def _parse(path: Path) -> Definition:
    raw = _read_yaml(path)
    kind = raw.get("kind") if isinstance(raw, dict) else None
    model = KINDS.get(str(kind))
    if model is None:
        raise ValidationFailed(
            {path.name: f"unknown kind {kind!r}"},
            N_("The pack file {file} is not valid."),
            file=path.name,
        )
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = {".".join(map(str, e["loc"])) or path.name: e["msg"] for e in exc.errors()}
        raise ValidationFailed(
            problems, N_("The pack file {file} is not valid."), file=path.name
        ) from exc


def read_pack(pack_dir: Path = DEFAULT_PACK) -> tuple[PackManifest, list[Definition]]:
    """The manifest and every definition of a pack, validated; raises `ValidationFailed`."""
    try:
        manifest = PackManifest.model_validate(_read_yaml(pack_dir / "pack.yaml"))
    except ValidationError as exc:
        raise ValidationFailed(
            {"pack.yaml": str(exc)}, N_("The pack file {file} is not valid."), file="pack.yaml"
        ) from exc
    files = sorted({p for pattern in manifest.definitions for p in pack_dir.glob(pattern)})
    return manifest, [_parse(path) for path in files]


def _store(
    session: Session, definition: Definition, origin: str, now: datetime, report: PackReport
) -> None:
    body = definition.model_dump(mode="json")
    digest = checksum(body)
    label = f"{definition.kind}:{definition.key}"
    row = session.scalar(
        select(StoredDefinition).where(
            col(StoredDefinition.kind) == definition.kind,
            col(StoredDefinition.key) == definition.key,
        )
    )
    if row is None:
        row = StoredDefinition(
            kind=definition.kind,
            key=definition.key,
            body=body,
            checksum=digest,
            origin=origin,
            pack_checksum=digest,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        report.created.append(label)
    elif row.checksum == digest:
        report.unchanged.append(label)
        return
    elif row.checksum != row.pack_checksum:
        report.kept.append(label)
        return
    else:
        row.version += 1
        row.body, row.checksum, row.pack_checksum, row.updated_at = body, digest, digest, now
        report.updated.append(label)
    _add_version(session, row, origin, now)


def _add_version(
    session: Session, row: StoredDefinition, source: str, now: datetime, actor_id: int | None = None
) -> None:
    """Record the row's current body in its history."""
    session.flush()
    session.add(
        DefinitionVersion(
            definition_id=row.id or 0,
            version=row.version,
            body=row.body,
            checksum=row.checksum,
            source=source,
            actor_id=actor_id,
            at=now,
        )
    )


def load_pack(session: Session, now: datetime, pack_dir: Path = DEFAULT_PACK) -> PackReport:
    """Load (or refresh) a pack's definitions; safe to run on every start."""
    manifest, definitions = read_pack(pack_dir)
    report = PackReport(pack=manifest.name, version=manifest.version)
    origin = f"pack:{manifest.name}@{manifest.version}"
    for definition in definitions:
        _store(session, definition, origin, now, report)
    return report


def definitions_of(session: Session, model: type[D]) -> list[D]:
    """Every stored definition of a kind, validated into its model."""
    kind = model.model_fields["kind"].default
    rows = session.scalars(
        select(col(StoredDefinition.body)).where(col(StoredDefinition.kind) == kind)
    )
    return [model.model_validate(body) for body in rows]


def save_definition(
    session: Session, definition: Definition, *, now: datetime, actor_id: int | None
) -> StoredDefinition:
    """A builder's change: the definition's next version (kept when the pack changes later)."""
    body = definition.model_dump(mode="json")
    row = session.scalars(
        select(StoredDefinition).where(
            col(StoredDefinition.kind) == definition.kind,
            col(StoredDefinition.key) == definition.key,
        )
    ).first()
    if row is None:
        row = StoredDefinition(
            kind=definition.kind,
            key=definition.key,
            body=body,
            checksum=checksum(body),
            origin="user",
            pack_checksum="",
            created_at=now,
            updated_at=now,
        )
        session.add(row)
    else:
        row.version += 1
        row.body, row.checksum, row.updated_at = body, checksum(body), now
    _add_version(session, row, "user", now, actor_id)
    return row


def definitions_in_effect(session: Session, model: type[D]) -> dict[str, D]:
    """Every definition of a kind by key: as stored (a builder may have changed it), else as
    the pack ships it (a database the pack was never loaded into)."""
    found = {d.key: d for d in pack_definitions(model)}
    return found | {d.key: d for d in definitions_of(session, model)}


def pack_definitions(model: type[D]) -> list[D]:
    """Every definition of a kind as the default pack ships it (read from its files once)."""
    kind = model.model_fields["kind"].default
    return [d for d in _default_pack()[1] if d.kind == kind]  # type: ignore[misc]


@functools.cache
def _default_pack() -> tuple[PackManifest, list[Definition]]:
    return read_pack(DEFAULT_PACK)


def apps(session: Session) -> list[AppDefinition]:
    """The shell's areas in menu order."""
    return sorted(definitions_of(session, AppDefinition), key=lambda a: a.position)
