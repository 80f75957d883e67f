"""A world map widget: countries shaded by a measure, drawn in the browser from npm packages.

The shapes come from `world-atlas` (Natural Earth, public domain) through `topojson-client`
and `d3-geo`, all from the npm registry: nothing is fetched from a map server, so the map
works offline and behind a firewall. A small `.jsx` shim draws the SVG; a click on a
country sends its code and drill-down key to Python.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.components.component import NoSSRComponent, field
from reflex_base.event import EventHandler
from reflex_base.vars.base import Var

PACKAGES = ["world-atlas@2.0.2", "topojson-client@3.1.0", "d3-geo@3.1.1"]


def _pick(code: Var[str], key: Var[str]) -> tuple[Var[str], Var[str]]:
    return (code, key)


class WorldMap(NoSSRComponent):
    """`WorldMap` of the local shim (it draws in the browser only)."""

    library = "$/public" + rx.asset("world_map.jsx", shared=True)
    tag = "WorldMap"
    lib_dependencies: list[str] = PACKAGES

    points: Var[list[dict[str, Any]]] = field(doc="[{id, x, y, key, text}]: id is ISO numeric")
    color: Var[str] = field(doc="The colour of the largest value")
    on_pick: EventHandler[_pick] = field(doc="A country with a value was clicked")


world_map = WorldMap.create
