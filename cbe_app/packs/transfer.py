"""Definitions to and from files: what a builder made, exported as YAML and imported again.

An exported file is the definition in effect (as stored, else as the pack ships it) in the
same shape as the pack's own files, so it can be put in a pack, kept in version control, or
imported into another installation. Importing validates it whole — every problem at once,
by its path — and stores it as the definition's next version, like any builder's change.
"""

from __future__ import annotations

from datetime import datetime

import yaml
from pydantic import ValidationError
from sqlmodel import Session

from cbe_app.core.definitions import Definition
from cbe_app.core.errors import NotFound, ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.packs.service import definitions_in_effect, save_definition
from cbe_app.packs.spec import KINDS

MAX_FILE_BYTES = 1_000_000  # a dashboard of 40 widgets is ~20 kB
_NOT_VALID = N_("The definition file is not valid.")


def definition_in_effect(session: Session, kind: str, key: str) -> Definition:
    """One definition by kind and key.

    Raises:
        NotFound: there is no such kind, or no definition of it with that key.
    """
    model = KINDS.get(kind)
    if model is None:
        raise NotFound(
            N_("There is no kind {kind}. Kinds: {known}."),
            kind=repr(kind),
            known=", ".join(sorted(KINDS)),
        )
    found = definitions_in_effect(session, model).get(key)
    if found is None:
        raise NotFound(N_("There is no {kind} {key}."), kind=kind, key=repr(key))
    return found


def export_text(definition: Definition) -> str:
    """The definition as a YAML file (kind first, then key, as pack files are written)."""
    body = definition.model_dump(mode="json", exclude_defaults=True)
    ordered = {"kind": definition.kind, "key": definition.key} | body
    header = f"# {definition.kind} {definition.key}, exported from cbe_app\n"
    return header + yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=100)


def parse_text(text: str) -> Definition:
    """A definition from a file's text, validated against its kind.

    Raises:
        ValidationFailed: not YAML, an unknown kind, or every problem of the definition.
    """
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise ValidationFailed({"file": "is larger than 1 MB"}, _NOT_VALID)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationFailed(
            {"file": f"is not YAML: {exc}".splitlines()[0]}, _NOT_VALID
        ) from None
    if not isinstance(raw, dict):
        raise ValidationFailed({"file": "must hold one definition (kind, key, …)"}, _NOT_VALID)
    model = KINDS.get(str(raw.get("kind")))
    if model is None:
        known = ", ".join(sorted(KINDS))
        raise ValidationFailed(
            {"kind": f"unknown kind {raw.get('kind')!r}; one of: {known}"}, _NOT_VALID
        )
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = {".".join(map(str, e["loc"])) or "file": e["msg"] for e in exc.errors()}
        raise ValidationFailed(problems, _NOT_VALID) from None


def import_text(
    session: Session, text: str, *, now: datetime, actor_id: int | None
) -> tuple[Definition, int]:
    """Store a definition file's definition as its next version; returns it and the version.

    Raises:
        ValidationFailed: see `parse_text`.
    """
    definition = parse_text(text)
    row = save_definition(session, definition, now=now, actor_id=actor_id)
    return definition, row.version
