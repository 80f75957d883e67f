"""The pickers of the builders' spec parts: measures, groupings, filters, as Radix rows.

The dashboard inspector and the report builder both edit drafts of `reports.pickers`; these
rows work on any state that offers the same handlers (`set_row`, `add_row`, `remove_row`)
and choice vars (`measure_aggs`, `measure_fields`, `dimension_fields`, `dimension_is_time`,
`filter_fields`, `filter_ops`).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from cbe_app.core.i18n import N_
from cbe_app.reports import pickers
from cbe_app.reports.designer import kept_label
from cbe_app.reports.pickers import Choice
from cbe_app.reports.spec import Grain
from cbe_app.ui.i18n import T, T_var

NONE = "-"  # a picker's "nothing chosen" (Radix selects cannot hold an empty value)
GRAINS = pickers.labelled([g.value for g in Grain], pickers.GRAIN_LABELS)


class SpecChoices(rx.State, mixin=True):
    """What the pickers offer, for a state whose `draft` names a source and holds measures,
    dimensions, filters and the measures passed through (`kept`)."""

    @rx.var
    def sources(self) -> list[Choice]:
        """Every source a spec may read."""
        return pickers.source_choices()

    @rx.var
    def measure_fields(self) -> list[Choice]:
        """Fields a measure may compute over (plus 'rows', to count them)."""
        rows = Choice(value=NONE, label=N_("Rows"))
        return [rows, *pickers.field_choices(self.draft["source"], role="measure")]

    @rx.var
    def dimension_fields(self) -> list[Choice]:
        """Fields the rows may be grouped by."""
        return pickers.field_choices(self.draft["source"], role="dimension")

    @rx.var
    def filter_fields(self) -> list[Choice]:
        """Fields a filter may test."""
        return pickers.field_choices(self.draft["source"], role="filter")

    @rx.var
    def measure_aggs(self) -> list[list[Choice]]:
        """For each measure row, what may be computed of its field."""
        source = self.draft["source"]
        return [
            pickers.labelled(
                pickers.aggregate_choices(source, m["field"]), pickers.AGGREGATE_LABELS
            )
            for m in self.draft["measures"]
        ]

    @rx.var
    def filter_ops(self) -> list[list[Choice]]:
        """For each filter row, the operators that apply to its field."""
        source = self.draft["source"]
        return [
            pickers.labelled(pickers.operator_choices(source, f["field"]), pickers.OPERATOR_LABELS)
            for f in self.draft["filters"]
        ]

    @rx.var
    def dimension_is_time(self) -> list[bool]:
        """For each dimension row, whether it takes a grain."""
        source = self.draft["source"]
        return [pickers.is_time(source, d["field"]) for d in self.draft["dimensions"]]

    @rx.var
    def kept_labels(self) -> list[str]:
        """Measures written in the definition that the pickers pass through."""
        return [kept_label(text) for text in self.draft["kept"]]


def select(
    value: Any, options: Any, on_change: Any, testid: str, *, width: str = ""
) -> rx.Component:
    """A picker over `options` (Choices: a value and its label's message id).

    Without a `width` it takes the room its row leaves.
    """
    picker = rx.select.root(
        rx.select.trigger(width="100%", data_testid=testid),
        rx.select.content(
            rx.foreach(
                options, lambda c: rx.select.item(T_var(c["label"].to(str)), value=c["value"])
            )
        ),
        value=value,
        on_change=on_change,
        size="1",
    )
    if width:
        return rx.box(picker, width=width, flex_shrink="0")
    return rx.box(picker, flex="1", min_width="0", width="100%")


def label(text: str) -> rx.Component:
    """A picker's small grey caption (a message id)."""
    return rx.text(T(text), size="1", weight="medium", color_scheme="gray")


def remove_button(state: Any, part: str, index: Any, testid: str) -> rx.Component:
    """A small ✕ that takes row `index` off `part` of the draft."""
    return rx.icon_button(
        rx.icon("x", size=12),
        on_click=state.remove_row(part, index),
        variant="ghost",
        size="1",
        color_scheme="gray",
        data_testid=testid,
    )


def measure_row(state: Any, measure: Any, n: Any) -> rx.Component:
    """What to compute (aggregate) of which field."""
    return rx.hstack(
        select(
            measure["agg"],
            state.measure_aggs[n],
            lambda v: state.set_row("measures", n, "agg", v),
            "measure-agg",
            width="130px",
        ),
        select(
            rx.cond(measure["field"] == "", NONE, measure["field"]),
            state.measure_fields,
            lambda v: state.set_row("measures", n, "field", v),
            "measure-field",
        ),
        remove_button(state, "measures", n, "measure-remove"),
        width="100%",
        align="center",
    )


def dimension_row(state: Any, dimension: Any, n: Any) -> rx.Component:
    """A field to group by, with a grain for times."""
    return rx.hstack(
        select(
            rx.cond(dimension["field"] == "", NONE, dimension["field"]),
            state.dimension_fields,
            lambda v: state.set_row("dimensions", n, "field", v),
            "dimension-field",
        ),
        rx.cond(
            state.dimension_is_time[n],
            select(
                dimension["grain"],
                GRAINS,
                lambda v: state.set_row("dimensions", n, "grain", v),
                "dimension-grain",
                width="110px",
            ),
        ),
        remove_button(state, "dimensions", n, "dimension-remove"),
        width="100%",
        align="center",
    )


def filter_row(state: Any, condition: Any, n: Any) -> rx.Component:
    """Field, operator and value of one filter."""
    return rx.hstack(
        select(
            condition["field"],
            state.filter_fields,
            lambda v: state.set_row("filters", n, "field", v),
            "filter-field",
        ),
        select(
            condition["op"],
            state.filter_ops[n],
            lambda v: state.set_row("filters", n, "op", v),
            "filter-op",
            width="110px",
        ),
        rx.input(
            default_value=condition["value"],
            on_blur=lambda v: state.set_row("filters", n, "value", v),
            placeholder=T("value; lists comma-separated"),
            size="1",
            width="120px",
            data_testid="filter-value",
        ),
        remove_button(state, "filters", n, "filter-remove"),
        width="100%",
        align="center",
    )


def add_row_button(state: Any, part: str, text: str, testid: str) -> rx.Component:
    """A button that adds a row to `part` of the draft."""
    return rx.button(
        rx.icon("plus", size=12),
        T(text),
        on_click=state.add_row(part),
        variant="ghost",
        size="1",
        data_testid=testid,
    )


def draft_input(
    state: Any, name: str, testid: str = "", *, width: str = "100%", placeholder: Any = None
) -> rx.Component:
    """A text box for one of the draft's plain values, saved when it loses focus."""
    extra = {"data_testid": testid} if testid else {}
    if placeholder is not None:
        extra["placeholder"] = placeholder
    return rx.input(
        default_value=state.draft[name],
        on_blur=lambda v: state.set_value(name, v),
        size="1",
        width=width,
        **extra,
    )
