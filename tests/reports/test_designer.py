"""The designer's drafts: every palette type becomes a valid widget, and mistakes are named."""

from __future__ import annotations

import pytest

from cbe_app.core.errors import ValidationFailed
from cbe_app.reports import designer, pickers
from cbe_app.reports.compiler import check
from cbe_app.reports.dashboard import Layout, Widget
from cbe_app.reports.spec import Aggregate, ChartType, Grain, Op

PLACE = Layout(x=0, y=0, w=6, h=4)


@pytest.mark.parametrize("chart", list(ChartType))
def test_every_palette_type_starts_as_a_widget_that_runs(chart: ChartType) -> None:
    draft = designer.new_draft(chart, {"widget_1"})
    assert draft["id"] == "widget_2"
    widget = designer.widget_of(draft, PLACE)
    assert widget.chart.type is chart
    if widget.data is not None:
        check(widget.data, "USD")  # the compiler accepts what the palette starts with
    else:
        assert widget.kpi == "gmv"


def test_a_widget_round_trips_through_the_inspector() -> None:
    widget = Widget.model_validate(
        {
            "id": "late",
            "title": {"en": "Late parcels", "zh_CN": "延误包裹"},
            "chart": {"type": "bar"},
            "period": {"preset": "this_month"},
            "data": {
                "source": "shipments",
                "measures": [
                    {"key": "count", "agg": "count"},
                    {"key": "late", "agg": "count", "where": [{"field": "late", "value": True}]},
                ],
                "dimensions": [{"field": "carrier"}],
                "filters": [{"field": "status", "op": "in", "value": ["in_transit", "exception"]}],
                "limit": 5,
            },
        }
    )
    draft = designer.draft_of(widget)
    assert draft["measures"] == [{"agg": "count", "field": ""}]
    assert designer.kept_label(draft["kept"][0]) == "late (count)"  # has its own filter
    assert draft["filters"] == [{"field": "status", "op": "in", "value": "in_transit, exception"}]
    back = designer.widget_of(draft, widget.layout)
    assert back.data is not None and widget.data is not None
    assert back.title == widget.title and back.period == widget.period
    assert back.data.filters == widget.data.filters
    assert {m.key for m in back.data.measures} == {"count", "late"}
    assert back.data.limit == 5


def test_every_problem_of_a_draft_is_named_by_its_part() -> None:
    draft = designer.new_draft(ChartType.TABLE, set())
    draft.update(
        title_en="  ",
        measures=[{"agg": "sum", "field": ""}, {"agg": "ratio", "field": "total_base"}],
        dimensions=[{"field": "", "grain": ""}],
        filters=[{"field": "country", "op": "between", "value": "DE"}],
        limit="lots",
    )
    with pytest.raises(ValidationFailed) as caught:
        designer.widget_of(draft, PLACE)
    assert set(caught.value.field_errors) == {
        "title_en",
        "measures.0.field",
        "measures.1.agg",
        "dimensions.0.field",
        "filters.0.value",
        "limit",
    }


def test_a_kpi_tile_needs_its_kpi() -> None:
    draft = designer.new_draft(ChartType.KPI, set())
    draft["kpi"] = ""
    with pytest.raises(ValidationFailed) as caught:
        designer.widget_of(draft, PLACE)
    assert "kpi" in caught.value.field_errors


def test_a_pivot_spreads_its_second_dimension_across() -> None:
    widget = designer.widget_of(designer.new_draft(ChartType.PIVOT, set()), PLACE)
    assert widget.chart.pivot_columns == "placed_at_quarter"


def test_pickers_offer_only_what_applies() -> None:
    assert pickers.aggregate_choices("orders", "total_base") == [
        "count",
        "sum",
        "avg",
        "min",
        "max",
    ]
    assert pickers.aggregate_choices("orders", "country") == ["count", "count_distinct"]
    assert pickers.aggregate_choices("orders", "") == [Aggregate.COUNT.value]
    assert Op.CONTAINS.value in pickers.operator_choices("orders", "country")
    assert Op.GT.value not in pickers.operator_choices("orders", "country")
    assert pickers.operator_choices("shipments", "late") == ["eq", "ne", "is_null", "not_null"]
    dims = {c["value"] for c in pickers.field_choices("orders", role="dimension")}
    assert "total_base" not in dims and {"country", "channel", "placed_at"} <= dims
    assert pickers.is_time("orders", "placed_at") and not pickers.is_time("orders", "country")
    assert pickers.field_choices("nowhere", role="measure") == []
    assert Grain.MONTH.value == "month"


def test_new_widgets_go_below_the_others() -> None:
    place = designer.place_below([Layout(x=0, y=0, w=6, h=4), Layout(x=6, y=2, w=6, h=5)], 3)
    assert (place.x, place.y, place.w, place.h) == (0, 7, 3, 2)


def test_setting_a_row_brings_what_follows_from_it() -> None:
    measures = [{"agg": "count_distinct", "field": "country"}]
    changed = pickers.set_in_row(
        "orders", "measures", measures, index=0, name="field", value="total_base"
    )
    # a distinct count does not apply to an amount: the last aggregate that does is taken
    assert changed == [{"agg": "max", "field": "total_base"}] and measures[0]["field"] == "country"
    grouping = pickers.set_in_row(
        "orders",
        "dimensions",
        [{"field": "country", "grain": ""}],
        index=0,
        name="field",
        value="placed_at",
    )
    assert grouping == [{"field": "placed_at", "grain": "month"}]
    condition = pickers.set_in_row(
        "orders",
        "filters",
        [{"field": "country", "op": "in", "value": ""}],
        index=0,
        name="field",
        value="cancelled",
    )
    assert (
        condition is not None
        and condition[0]["op"] == pickers.operator_choices("orders", "cancelled")[0]
    )
    assert pickers.set_in_row("orders", "filters", [], index=0, name="field", value="x") is None
    assert (
        pickers.set_in_row("orders", "measures", measures, index=0, name="colour", value="x")
        is None
    )
