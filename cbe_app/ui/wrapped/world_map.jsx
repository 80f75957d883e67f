// A choropleth of the world: each country shaded by its value, named with its figure on
// hover, and a click on a country with a value picks it (the dashboard drills down).
// Country shapes: world-atlas (Natural Earth 1:110m, public domain), ids ISO 3166 numeric.
import React, { useMemo } from "react";
import { feature } from "topojson-client";
import { geoEqualEarth, geoPath } from "d3-geo";
import world from "world-atlas/countries-110m.json";

const WIDTH = 960;
const HEIGHT = 470;
const SHAPES = feature(world, world.objects.countries).features;

export function WorldMap({ points, onPick, color = "#3e63dd" }) {
  const path = useMemo(
    () => geoPath(geoEqualEarth().fitSize([WIDTH, HEIGHT], { type: "Sphere" })),
    [],
  );
  const byId = {};
  let largest = 0;
  for (const point of points || []) {
    byId[point.id] = point;
    largest = Math.max(largest, Math.abs(point.y));
  }
  return (
    <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" height="100%"
         preserveAspectRatio="xMidYMid meet" className="cbe-world-map">
      {SHAPES.map((shape) => {
        const point = byId[shape.id];
        const share = point && largest > 0 ? Math.abs(point.y) / largest : 0;
        return (
          <path
            key={shape.id}
            d={path(shape)}
            fill={point ? color : "var(--gray-4, #e8e8ec)"}
            fillOpacity={point ? 0.2 + 0.8 * share : 1}
            stroke="var(--gray-1, #fff)"
            strokeWidth={0.5}
            data-country={point ? point.x : undefined}
            style={{ cursor: point ? "pointer" : "default" }}
            onClick={() => point && onPick && onPick(point.x, point.key)}
          >
            <title>{shape.properties.name}{point ? `: ${point.text}` : ""}</title>
          </path>
        );
      })}
    </svg>
  );
}
