"""Data hub › Import file: upload a spreadsheet, match its columns, check the preview, import."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from pathlib import Path
from typing import Any

import reflex as rx

from cbe_app.auth.roles import Permission
from cbe_app.config import get_settings
from cbe_app.core.errors import UserError, ValidationFailed
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.hub.fileimport.columns import FIELDS, check_mapping, guess_mapping
from cbe_app.hub.fileimport.job import last_mapping, start_file_import
from cbe_app.hub.fileimport.preview import preview
from cbe_app.hub.fileimport.table import MAX_FILE_BYTES, read_table, store_upload
from cbe_app.hub.statusmaps_store import stored_status_maps
from cbe_app.ui.components.datahub_tabs import datahub_tabs
from cbe_app.ui.guard import current_principal, guarded
from cbe_app.ui.pages.datahub.file_import_view import import_content

UPLOAD_ID = "import-file"


def _upload_folder() -> Path:
    return get_settings().data_dir / "imports"


def _open(filename: str, content: bytes) -> tuple[str, list[str], dict[str, str], dict[str, str]]:
    """Keep the upload; its path, headers, first values and the columns to start with."""
    path = store_upload(_upload_folder(), filename, content)
    table = read_table(path, limit=1)
    with session_scope() as session:
        remembered = last_mapping(session)
    usable = {k: v for k, v in remembered.items() if v in table.headers}
    mapping = usable if len(usable) == len(remembered) and usable else guess_mapping(table.headers)
    first = table.rows[0] if table.rows else {}
    samples = {h: str(first.get(h, "")) for h in table.headers}
    return str(path), table.headers, samples, mapping


def _preview(path: str, mapping: dict[str, str]) -> dict[str, Any]:
    with session_scope() as session:
        maps = stored_status_maps(session)
    found = preview(Path(path), mapping, maps, get_settings().base_currency, utcnow())
    return {
        "orders": [asdict(o) for o in found.orders],
        "problems": [asdict(p) for p in found.problems],
        "rows_read": found.rows_read,
    }


class FileImportState(rx.State):
    """One file on its way in: where it is kept, its columns, the choices and the preview."""

    filename: str = ""
    headers: list[str] = []
    samples: dict[str, str] = {}
    mapping: dict[str, str] = {}
    orders: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    rows_read: int = 0
    error: str = ""
    field_errors: dict[str, str] = {}
    busy: bool = False
    _path: str = ""  # server side only: never sent to or taken from the browser

    @rx.var
    def fields(self) -> list[dict[str, Any]]:
        """Our columns, with the file's column chosen for each and its first value."""
        return [
            {
                "key": f.key,
                "label": f.label,
                "required": f.required,
                "chosen": self.mapping.get(f.key, ""),
                "sample": self.samples.get(self.mapping.get(f.key, ""), ""),
                "problem": self.field_errors.get(f.key, ""),
            }
            for f in FIELDS
        ]

    @rx.var
    def ready(self) -> bool:
        """Every required column is matched."""
        return bool(self._path) and all(self.mapping.get(f.key) for f in FIELDS if f.required)

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def load(self) -> None:
        """A fresh page: no file yet."""
        self._reset_file()

    def _reset_file(self) -> None:
        self._path, self.filename, self.headers, self.samples, self.mapping = "", "", [], {}, {}
        self.orders, self.problems, self.rows_read = [], [], 0
        self.error, self.field_errors, self.busy = "", {}, False

    async def _refresh(self) -> None:
        try:
            found = await asyncio.to_thread(_preview, self._path, self.mapping)
        except UserError as exc:
            self.orders, self.problems, self.error = [], [], exc.text
            return
        self.orders, self.problems = found["orders"], found["problems"]
        self.rows_read, self.error = found["rows_read"], ""

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
            opened = await asyncio.to_thread(_open, name, content)
        except UserError as exc:
            self.error = exc.text
            return
        self._path, self.headers, self.samples, self.mapping = opened
        self.filename = name
        await self._refresh()

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def choose(self, key: str, header: str) -> None:
        """Match one of our columns to one of the file's (or to none)."""
        if key not in {f.key for f in FIELDS} or (header and header not in self.headers):
            return
        self.mapping = (
            {**self.mapping, key: header}
            if header
            else {k: v for k, v in self.mapping.items() if k != key}
        )
        self.field_errors = {k: v for k, v in self.field_errors.items() if k != key}
        if self._path:
            await self._refresh()

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def start(self) -> rx.event.EventSpec | None:
        """Import the whole file in the background; the sync history shows its progress."""
        try:
            mapping = check_mapping(self.mapping, self.headers)
        except ValidationFailed as exc:
            self.field_errors, self.error = exc.field_errors, exc.message_id
            return None
        self.busy = True
        user_id = current_principal().user_id
        await asyncio.to_thread(
            start_file_import, Path(self._path), self.filename, mapping, utcnow(), user_id
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
