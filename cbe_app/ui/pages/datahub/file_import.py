"""Data hub › Import file: say what the file holds (orders or ad spend), upload it, match its
columns (or type one value for a column the file lacks), check the preview, import."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

import reflex as rx

from cbe_app.auth.roles import Permission
from cbe_app.config import get_settings
from cbe_app.core.errors import UserError, ValidationFailed
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.hub.fileimport.columns import check_mapping, guess_mapping
from cbe_app.hub.fileimport.formats import FORMATS, ORDERS, ImportFormat, usable_constants
from cbe_app.hub.fileimport.job import last_choices, start_file_import
from cbe_app.hub.fileimport.preview import preview
from cbe_app.hub.fileimport.table import MAX_FILE_BYTES, read_table, store_upload
from cbe_app.hub.statusmaps_store import stored_status_maps
from cbe_app.ui.components.datahub_tabs import datahub_tabs
from cbe_app.ui.guard import current_principal, guarded
from cbe_app.ui.pages.datahub.file_import_view import import_content

UPLOAD_ID = "import-file"


def _upload_folder() -> Path:
    return get_settings().data_dir / "imports"


def _format(key: str) -> ImportFormat:
    return FORMATS.get(key, ORDERS)


def _choices(fmt: ImportFormat, headers: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The columns (and values for the whole file) to start with: the previous import's when
    the file has all its columns (the same tool's export again), else the guess."""
    with session_scope() as session:
        mapping, constants = last_choices(session, fmt)
    usable = {k: v for k, v in mapping.items() if v in headers}
    if not (usable and len(usable) == len(mapping)):
        usable, constants = guess_mapping(headers, fmt.fields), fmt.guess_constants(headers)
    return usable, usable_constants(fmt, usable, constants)


def _open(filename: str, content: bytes) -> tuple[str, list[str], dict[str, str]]:
    """Keep the upload; its path, headers and first values."""
    path = store_upload(_upload_folder(), filename, content)
    table = read_table(path, limit=1)
    first = table.rows[0] if table.rows else {}
    return str(path), table.headers, {h: str(first.get(h, "")) for h in table.headers}


def _preview(
    path: str, fmt: ImportFormat, mapping: dict[str, str], constants: dict[str, str]
) -> dict[str, Any]:
    with session_scope() as session:
        maps = stored_status_maps(session)
    base, now = get_settings().base_currency, utcnow()
    fixed = usable_constants(fmt, mapping, constants)
    found = preview(Path(path), mapping, maps, base, now, fmt=fmt, constants=fixed)
    return {
        "orders": [asdict(o) for o in found.orders],
        "ad_spend": [asdict(a) for a in found.ad_spend],
        "problems": [asdict(p) for p in found.problems],
        "rows_read": found.rows_read,
    }


class FileImportState(rx.State):
    """One file on its way in: what it holds, where it is kept, its columns, the choices (a
    column, or one value typed for every row) and the preview."""

    kind: str = ORDERS.key
    filename: str = ""
    headers: list[str] = []
    samples: dict[str, str] = {}
    mapping: dict[str, str] = {}
    constants: dict[str, str] = {}
    orders: list[dict[str, Any]] = []
    ad_spend: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    rows_read: int = 0
    error: str = ""
    field_errors: dict[str, str] = {}
    busy: bool = False
    _path: str = ""  # server side only: never sent to or taken from the browser

    @rx.var
    def fields(self) -> list[dict[str, Any]]:
        """Our columns, with the file's column chosen for each and its first value (or the
        value typed for every row, where one may be)."""
        return [
            {
                "key": f.key,
                "label": f.label,
                "required": f.required,
                "constant": f.constant,
                "value": self.constants.get(f.key, ""),
                "chosen": self.mapping.get(f.key, ""),
                "sample": self.samples.get(self.mapping.get(f.key, ""), ""),
                "problem": self.field_errors.get(f.key, ""),
            }
            for f in _format(self.kind).fields
        ]

    @rx.var
    def ready(self) -> bool:
        """Every required column is matched (or given one value for every row)."""
        fields = _format(self.kind).fields
        filled = {k for k, v in self.mapping.items() if v} | {
            f.key for f in fields if f.constant and self.constants.get(f.key, "").strip()
        }
        return bool(self._path) and all(f.key in filled for f in fields if f.required)

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def load(self) -> None:
        """A fresh page: no file yet."""
        self._reset_file()

    def _reset_file(self) -> None:
        self._path, self.filename, self.headers, self.samples, self.mapping = "", "", [], {}, {}
        self.constants, self.orders, self.ad_spend, self.problems, self.rows_read = (
            {},
            [],
            [],
            [],
            0,
        )
        self.error, self.field_errors, self.busy = "", {}, False

    async def _refresh(self) -> None:
        fmt = _format(self.kind)
        try:
            found = await asyncio.to_thread(_preview, self._path, fmt, self.mapping, self.constants)
        except UserError as exc:
            self.orders, self.ad_spend, self.problems, self.error = [], [], [], exc.text
            return
        self.orders, self.ad_spend = found["orders"], found["ad_spend"]
        self.problems, self.rows_read, self.error = found["problems"], found["rows_read"], ""

    async def _start_over(self) -> None:
        """The choices to begin with for this file and format, and their preview."""
        fmt = _format(self.kind)
        self.mapping, self.constants = await asyncio.to_thread(_choices, fmt, self.headers)
        self.field_errors = {}
        await self._refresh()

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def choose_kind(self, kind: str | list[str]) -> None:
        """Say what the file holds; a file already chosen is matched again for it (the control
        sends a list when it allows several)."""
        chosen = kind if isinstance(kind, str) else next(iter(kind), "")
        if chosen not in FORMATS or chosen == self.kind:
            return
        self.kind, self.error = chosen, ""
        if self._path:
            await self._start_over()

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def upload(self, files: list[rx.UploadFile]) -> None:
        """Keep the chosen file, guess its columns and show what it would import."""
        self._reset_file()
        if not files:
            return
        file = files[0]
        name = Path(file.name or "upload.csv").name
        content = await file.read()
        try:
            self._path, self.headers, self.samples = await asyncio.to_thread(_open, name, content)
        except UserError as exc:
            self.error = exc.text
            return
        self.filename = name
        await self._start_over()

    async def _fill(self, key: str, header: str, value: str) -> None:
        """One of our columns from a column of the file, or from a value for every row (kept as
        typed: the input sends what it shows, spaces and all)."""
        self.mapping = {k: v for k, v in self.mapping.items() if k != key}
        self.constants = {k: v for k, v in self.constants.items() if k != key}
        if header:
            self.mapping[key] = header
        if value.strip():
            self.constants[key] = value
        self.field_errors = {k: v for k, v in self.field_errors.items() if k != key}
        if self._path:
            await self._refresh()

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def choose(self, key: str, header: str) -> None:
        """Match one of our columns to one of the file's (or to none)."""
        fields = {f.key for f in _format(self.kind).fields}
        if key not in fields or (header and header not in self.headers):
            return
        await self._fill(key, header, "" if header else self.constants.get(key, ""))

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def set_constant(self, key: str, value: str) -> None:
        """Give one of our columns the same value in every row (the file has no such column)."""
        if key not in {f.key for f in _format(self.kind).fields if f.constant}:
            return
        value = value[:200]
        await self._fill(key, "" if value.strip() else self.mapping.get(key, ""), value)

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def start(self) -> rx.event.EventSpec | None:
        """Import the whole file in the background; the sync history shows its progress."""
        fmt = _format(self.kind)
        try:
            mapping = check_mapping(self.mapping, self.headers, fmt.fields, self.constants)
        except ValidationFailed as exc:
            self.field_errors, self.error = exc.field_errors, exc.message_id
            return None
        self.busy = True
        user_id = current_principal().user_id
        fixed = usable_constants(fmt, mapping, self.constants)
        await asyncio.to_thread(
            partial(start_file_import, fmt=fmt, constants=fixed),
            Path(self._path),
            self.filename,
            mapping,
            utcnow(),
            user_id,
        )
        self._path = ""  # the job owns the file now
        return rx.redirect("/datahub/runs")


def file_import_content() -> rx.Component:
    """The body of Data hub › Import file."""
    return rx.vstack(
        datahub_tabs("import"),
        import_content(FileImportState, UPLOAD_ID, MAX_FILE_BYTES),
        spacing="4",
        width="100%",
    )
