"""A widget's body by its chart type: a KPI with its change, recharts charts, or a table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from cbe_app.reports.tiles import TileView
from cbe_app.ui.i18n import T_var
from cbe_app.ui.wrapped.world_map import world_map

# What a click on a point does: given the tile, the point's label and its drill-down key
# (Vars), the event to send.
OnPoint = Callable[[TileView, Any, Any], Any] | None

PALETTE = ["#3e63dd", "#12a594", "#e5484d", "#f76b15", "#8e4ec6", "#ffc53d", "#0090ff", "#46a758"]


def _kpi(tile: TileView) -> rx.Component:
    colour = rx.match(tile["trend"], ("up", "green"), ("down", "red"), "gray")
    return rx.vstack(
        rx.text(tile["value"], size="7", weight="bold", data_testid="kpi-value"),
        rx.cond(
            tile["change"] != "",
            rx.badge(
                rx.cond(
                    tile["trend"] == "down",
                    rx.icon("trending-down", size=12),
                    rx.icon("trending-up", size=12),
                ),
                tile["change"],
                color_scheme=colour,
                data_testid="kpi-change",
            ),
        ),
        spacing="1",
    )


def _axes() -> list[rx.Component]:
    return [
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.x_axis(data_key="x", font_size=11),
        rx.recharts.y_axis(font_size=11, width=64),
        rx.recharts.graphing_tooltip(),
    ]


def _cells(tile: TileView, on_point: OnPoint, colours: bool) -> rx.Component:
    """One recharts cell per point: its colour, and the drill-down on click."""

    def cell(point: Any, n: Any) -> rx.Component:
        fill = rx.Var.create(PALETTE)[n % len(PALETTE)] if colours else PALETTE[0]
        if on_point is None:
            return rx.recharts.cell(fill=fill)
        return rx.recharts.cell(
            fill=fill, on_click=on_point(tile, point["x"], point["key"]), cursor="pointer"
        )

    return rx.foreach(tile["points"], cell)


def _chart(tile: TileView, on_point: OnPoint) -> rx.Component:
    data = tile["points"]
    return rx.match(
        tile["type"],
        (
            "line",
            rx.recharts.line_chart(
                rx.recharts.line(data_key="y", stroke=PALETTE[0], dot=False, stroke_width=2),
                *_axes(),
                data=data,
            ),
        ),
        (
            "area",
            rx.recharts.area_chart(
                rx.recharts.area(
                    data_key="y", stroke=PALETTE[0], fill=PALETTE[0], fill_opacity=0.2
                ),
                *_axes(),
                data=data,
            ),
        ),
        (
            "bar",
            rx.recharts.bar_chart(
                rx.recharts.bar(
                    _cells(tile, on_point, colours=False),
                    data_key="y",
                    fill=PALETTE[0],
                    radius=[4, 4, 0, 0],
                ),
                *_axes(),
                data=data,
            ),
        ),
        ("pie", _pie(tile, "0%", on_point)),
        ("donut", _pie(tile, "55%", on_point)),
        ("pivot", _table(tile, None)),  # a pivot's rows are not points
        ("map", _map(tile, on_point)),
        _table(tile, on_point),
    )


def _map(tile: TileView, on_point: OnPoint) -> rx.Component:
    if on_point is None:
        return world_map(points=tile["points"], color=PALETTE[0])
    return world_map(
        points=tile["points"],
        color=PALETTE[0],
        on_pick=lambda code, key: on_point(tile, code, key),
    )


def _pie(tile: TileView, inner: str, on_point: OnPoint) -> rx.Component:
    # One colour per slice, cycling through the palette; names in the legend.
    data = tile["points"]
    return rx.recharts.pie_chart(
        rx.recharts.pie(
            _cells(tile, on_point, colours=True),
            data=data,
            data_key="y",
            name_key="x",
            cx="50%",
            cy="50%",
            inner_radius=inner,
            outer_radius="80%",
            padding_angle=1,
        ),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(layout="vertical", align="right", vertical_align="middle", icon_size=8),
    )


def _table(tile: TileView, on_point: OnPoint) -> rx.Component:
    def row(cells: Any, n: Any) -> rx.Component:
        body = rx.foreach(cells, rx.table.cell)
        if on_point is None:
            return rx.table.row(body)
        return rx.table.row(
            body,
            on_click=on_point(tile, tile["points"][n]["x"], tile["points"][n]["key"]),
            cursor="pointer",
            _hover={"background": "var(--gray-3)"},
            data_testid="table-point",
        )

    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.foreach(tile["headers"], lambda h: rx.table.column_header_cell(T_var(h)))
                )
            ),
            rx.table.body(rx.foreach(tile["cells"], row)),
            size="1",
            width="100%",
        ),
        overflow_y="auto",
        height="100%",
        width="100%",
    )


def tile_body(tile: TileView, on_point: OnPoint = None) -> rx.Component:
    """What the widget shows, filling the rest of its card; `on_point` opens a point."""
    return rx.box(
        rx.cond(tile["type"] == "kpi", _kpi(tile), _chart(tile, on_point)),
        flex="1",
        min_height="0",
        width="100%",
        height="100%",
        data_testid="tile-body",
    )
