"""A dashboard grid: widgets dragged and resized with react-grid-layout.

The grid keeps positions in the browser while a widget moves; only a finished drag or resize
reaches Python (with the whole layout), so moving a widget costs one event, not one per
mouse move. It must be a memoization leaf: memoized, its children collapse into one keyless
component, the grid draws nothing and its mount event wipes the saved layout.
"""

from __future__ import annotations

from typing import Any

from reflex_base.components.component import MemoizationLeaf, field
from reflex_base.event import EventHandler
from reflex_base.utils.imports import ImportDict, ImportVar
from reflex_base.vars.base import Var

PACKAGE = "react-grid-layout@2.3.0"


def _layout(layout: Var[list[dict[str, Any]]]) -> tuple[Var[list[dict[str, Any]]]]:
    # react-grid-layout calls back with (layout, oldItem, newItem, placeholder, event, element);
    # only the layout is plain data that can cross the websocket.
    return (layout,)


class DashboardGrid(MemoizationLeaf):
    """`WidthProvider(ReactGridLayout)` from the library's legacy entry."""

    tag = "AutoWidthGridLayout"
    lib_dependencies: list[str] = [PACKAGE]

    layout: Var[list[dict[str, Any]]] = field(doc="[{i, x, y, w, h}] of every widget")
    cols: Var[int] = field(default=Var.create(12), doc="Columns of the grid")
    row_height: Var[int] = field(default=Var.create(64), doc="Pixels per grid row")
    is_draggable: Var[bool] = field(doc="Whether widgets can be moved")
    is_resizable: Var[bool] = field(doc="Whether widgets can be resized")
    draggable_cancel: Var[str] = field(doc="CSS selector of parts that never start a drag")
    on_drag_stop: EventHandler[_layout] = field(doc="A widget was dropped")
    on_resize_stop: EventHandler[_layout] = field(doc="A widget was resized")

    def add_imports(self) -> ImportDict:
        """The grid and its width provider, from the library's legacy entry."""
        return {
            PACKAGE: [
                ImportVar(tag="WidthProvider", package_path="/legacy"),
                ImportVar(tag="ReactGridLayout", package_path="/legacy"),
            ]
        }

    def add_custom_code(self) -> list[str]:
        """The grid as wide as its container."""
        return ["const AutoWidthGridLayout = WidthProvider(ReactGridLayout);"]


dashboard_grid = DashboardGrid.create
