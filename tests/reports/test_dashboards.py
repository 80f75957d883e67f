"""The pack's dashboards refresh whole, and their filters narrow every widget they apply to."""

from __future__ import annotations

from datetime import UTC, datetime

from cbe_app.db import session_scope
from cbe_app.reports.boards import dashboard
from cbe_app.reports.dashboard import DashboardFilters, Widget
from cbe_app.reports.refresh import preview, refresh
from cbe_app.reports.spec import Period, PeriodPreset
from cbe_app.reports.tiles import tile_view
from tests.conftest import Backend
from tests.reports.dataset import build, write

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_the_pack_dashboards_refresh_every_widget(backend: Backend) -> None:
    with session_scope() as session:
        write(session, build(seed=4, orders=500), NOW)
    with session_scope() as session:
        for key in ("executive", "operations"):
            board = dashboard(session, key)
            tiles = refresh(session, board, None, NOW, "USD")
            assert [t.widget.id for t in tiles] == [w.id for w in board.widgets]
            assert all(t.problem == "" and t.result is not None for t in tiles), [
                (t.widget.id, t.problem) for t in tiles
            ]


def test_channel_and_country_filters_narrow_the_widgets(backend: Backend) -> None:
    business = build(seed=4, orders=500)
    with session_scope() as session:
        write(session, business, NOW)
        board = dashboard(session, "executive")
        every = DashboardFilters(period=Period(preset=PeriodPreset.ALL_TIME))
        narrow = every.model_copy(update={"channels": ["eBay"], "countries": ["DE", "FR"]})
        tiles = {t.widget.id: t for t in refresh(session, board, narrow, NOW, "USD")}
    (row,) = tiles["orders"].result.rows  # type: ignore[union-attr]
    expected = [o for o in business.orders if o.channel == "eBay" and o.country in ("DE", "FR")]
    assert int(row["orders"]) == len(expected)
    by_channel = tiles["gmv_by_channel"].result.rows  # type: ignore[union-attr]
    assert [r["channel"] for r in by_channel] == ["eBay"]


def test_a_broken_widget_says_why_and_the_rest_still_show(backend: Backend) -> None:
    with session_scope() as session:
        board = dashboard(session, "operations")
        broken = Widget.model_validate(
            {
                "id": "broken",
                "title": {"en": "Broken"},
                "data": {
                    "source": "orders",
                    "measures": [{"key": "x", "agg": "sum", "field": "colour"}],
                },
            }
        )
        board = board.model_copy(update={"widgets": [*board.widgets, broken]})
        tiles = refresh(session, board, None, NOW, "USD")
    assert tiles[-1].result is None and "orders has no field 'colour'" in tiles[-1].problem
    assert all(t.result is not None for t in tiles[:-1])


def _own(chart: str, dimensions: list[dict[str, str]]) -> Widget:
    return Widget.model_validate(
        {
            "id": chart,
            "title": {"en": chart},
            "chart": {"type": chart},
            "data": {
                "source": "orders",
                "measures": [{"key": "orders", "agg": "count"}],
                "dimensions": dimensions,
            },
        }
    )


def test_a_pivot_spreads_its_second_dimension_across_the_columns(backend: Backend) -> None:
    business = build(seed=6, orders=300)
    every = DashboardFilters(period=Period(preset=PeriodPreset.ALL_TIME))
    widget = _own("pivot", [{"field": "channel"}, {"field": "country"}])
    with session_scope() as session:
        write(session, business, NOW)
        view = tile_view(preview(session, widget, every, NOW, "USD"), "en")
    countries = sorted({o.country for o in business.orders})
    assert view["headers"] == ["Channel", *countries]
    for row in view["cells"]:
        channel = row[0]
        for country, cell in zip(countries, row[1:], strict=True):
            count = sum(1 for o in business.orders if (o.channel, o.country) == (channel, country))
            assert cell == (f"{count:,}" if count else "—")


def test_a_map_names_its_countries_by_their_iso_numbers(backend: Backend) -> None:
    business = build(seed=6, orders=300)
    every = DashboardFilters(period=Period(preset=PeriodPreset.ALL_TIME))
    with session_scope() as session:
        write(session, business, NOW)
        view = tile_view(
            preview(session, _own("map", [{"field": "country"}]), every, NOW, "USD"), "en"
        )
    by_code = {p["x"]: p for p in view["points"]}
    assert by_code["DE"]["id"] == "276" and by_code["AU"]["id"] == "036"
    germany = sum(1 for o in business.orders if o.country == "DE")
    assert by_code["DE"]["text"] == f"{germany:,}" and by_code["DE"]["key"] == '["DE"]'
    assert by_code["AQ"]["id"] == "010"
