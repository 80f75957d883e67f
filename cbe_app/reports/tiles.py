"""A refreshed widget as a screen shows it: headline, change, chart points and table cells.

Pure: amounts are formatted for the reader's language with Babel (CLDR), chart points carry
plain floats (what a chart library draws), and every cell is text.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypedDict

import pycountry
from babel.numbers import format_currency, format_decimal, format_percent

from cbe_app.reports.catalog import SOURCES
from cbe_app.reports.engine import Column
from cbe_app.reports.refresh import Tile
from cbe_app.reports.spec import ChartType


class TileView(TypedDict):
    """One widget on screen."""

    id: str
    title: str
    type: str  # kpi, line, area, bar, pie, donut, table, pivot, map
    value: str  # the headline of a KPI tile
    change: str  # "+12.5 %" against the previous period, or ""
    trend: str  # "up", "down" or ""
    x: str  # the key of the first dimension (categories, time)
    y: str  # the key of the first shown measure
    points: list[dict[str, Any]]  # {x: label, y: float} for charts
    headers: list[str]
    cells: list[list[str]]
    problem: str
    x_pos: int
    y_pos: int
    w: int
    h: int


def _babel_locale(locale: str) -> str:
    return "zh_Hans_CN" if locale.startswith("zh") else "en_US"


def format_value(value: Any, fmt: str, currency: str, locale: str) -> str:
    """A figure as the reader's language writes it ('' for no value)."""
    if value is None:
        return "—"
    where = _babel_locale(locale)
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        if fmt == "money":
            return format_currency(value, currency, locale=where)
        if fmt == "percent":
            return format_percent(value, format="#,##0.0%", locale=where)
        return format_decimal(value, locale=where)
    return str(value)


def _change(value: Any, locale: str) -> tuple[str, str]:
    if not isinstance(value, Decimal):
        return "", ""
    text = format_percent(value, format="+#,##0.0%;-#,##0.0%", locale=_babel_locale(locale))
    return text, "up" if value > 0 else "down" if value < 0 else ""


def tile_view(tile: Tile, locale: str) -> TileView:
    """What the screen needs of a refreshed widget."""
    widget = tile.widget
    title = widget.title.get("zh_CN" if locale.startswith("zh") else "en")
    base = TileView(
        id=widget.id,
        title=title,
        type=widget.chart.type.value,
        value="",
        change="",
        trend="",
        x="",
        y="",
        points=[],
        headers=[],
        cells=[],
        problem=tile.problem,
        x_pos=widget.layout.x,
        y_pos=widget.layout.y,
        w=widget.layout.w,
        h=widget.layout.h,
    )
    result = tile.result
    if result is None:
        return base
    dims = [c for c in result.columns if c.role == "dimension"]
    measures = [c for c in result.columns if c.role == "measure" and not c.key.endswith("_change")]
    changes = [c for c in result.columns if c.key.endswith("_change")]
    if not measures:
        return base
    shown = measures[0]
    base["y"] = shown.key
    base["x"] = dims[0].key if dims else ""
    rows = result.rows
    if not dims and rows:
        base["value"] = format_value(rows[0].get(shown.key), shown.format, result.currency, locale)
        if changes:
            base["change"], base["trend"] = _change(rows[0].get(changes[0].key), locale)
    base["points"] = [_point(row, dims, shown) for row in rows]
    if widget.chart.type is ChartType.MAP:
        for point, row in zip(base["points"], rows, strict=True):
            point["id"] = _iso_numeric(row.get(dims[0].key) if dims else None)
            point["text"] = format_value(row.get(shown.key), shown.format, result.currency, locale)
    pivot = widget.chart.pivot_columns
    if widget.chart.type is ChartType.PIVOT and len(dims) == 2 and pivot in (dims[1].key, None):
        base["headers"], base["cells"] = _pivoted(rows, dims, shown, result.currency, locale)
        return base
    base["headers"] = (
        [_header(c.key) for c in dims] + [title] + [_header(c.key) for c in measures[1:]]
    )
    base["cells"] = [
        [_cell(row.get(c.key), c, result.currency, locale) for c in dims + measures] for row in rows
    ]
    return base


def _pivoted(
    rows: list[dict[str, Any]], dims: list[Column], shown: Column, currency: str, locale: str
) -> tuple[list[str], list[list[str]]]:
    """The first dimension down the side, the second across the top, the measure inside."""
    down, across = dims
    sides = list(dict.fromkeys(row.get(down.key) for row in rows))
    tops = sorted({row.get(across.key) for row in rows}, key=lambda v: (v is None, str(v)))
    found = {(row.get(down.key), row.get(across.key)): row.get(shown.key) for row in rows}
    headers = [_header(down.key), *(_cell(t, across, currency, locale) for t in tops)]
    cells = [
        [_cell(side, down, currency, locale)]
        + [_cell(found.get((side, top)), shown, currency, locale) for top in tops]
        for side in sides
    ]
    return headers, cells


_GRAINS = ("_day", "_week", "_month", "_quarter", "_year")


def _header(key: str) -> str:
    """A column's heading: the field's label (a message id the screen translates)."""
    field = next((key.removesuffix(g) for g in _GRAINS if key.endswith(g)), key)
    for source in SOURCES.values():
        if field in source.fields:
            return source.fields[field].label
    return key


def _point(row: dict[str, Any], dims: list[Column], shown: Column) -> dict[str, Any]:
    label = " · ".join(str(row.get(d.key, "")) for d in dims) if dims else ""
    value = row.get(shown.key)
    return {
        "x": label,
        "y": float(value) if isinstance(value, Decimal | int | float) else 0.0,
        # what a click on the point drills into: its dimensions' values, as the row has them
        "key": json.dumps([_plain(row.get(d.key)) for d in dims]),
    }


def _iso_numeric(code: Any) -> str:
    """The ISO 3166 numeric code of a two-letter country code, as map shapes are keyed."""
    found = pycountry.countries.get(alpha_2=str(code).upper()) if code else None
    return str(found.numeric) if found else ""


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _cell(value: Any, column: Column, currency: str, locale: str) -> str:
    if column.role == "dimension":
        return "" if value is None else str(value)
    return format_value(value, column.format, currency, locale)
