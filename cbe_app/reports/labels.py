"""How a report's columns are headed, in the reader's language.

A field is headed by its label in the catalogue; a time grouping adds its grain (`Placed
(Month)`); a measure by the builder's own label, else by what it computes (`Sum: Order
total`). Pure: the catalogue's message ids, translated.
"""

from __future__ import annotations

from cbe_app.core.i18n import translate
from cbe_app.reports.catalog import SOURCES
from cbe_app.reports.pickers import AGGREGATE_LABELS, GRAIN_LABELS
from cbe_app.reports.spec import Dimension, Measure


def field_label(source: str, name: str, locale: str) -> str:
    """A field's heading in the reader's language (its key when the source has no such field)."""
    info = SOURCES[source].fields.get(name) if source in SOURCES else None
    return translate(info.label, locale) if info else name


def dimension_label(source: str, dimension: Dimension, locale: str) -> str:
    """`Placed (month)`: the field, and the grain for times."""
    label = field_label(source, dimension.field, locale)
    if dimension.grain is None:
        return label
    return f"{label} ({translate(GRAIN_LABELS[dimension.grain.value], locale)})"


def measure_label(source: str, measure: Measure, locale: str) -> str:
    """The builder's label, else what it computes: `Sum: Order total`, `Count`."""
    if measure.label is not None:
        return measure.label.get("zh_CN" if locale.startswith("zh") else "en")
    agg = AGGREGATE_LABELS.get(measure.agg.value)
    if agg is None:
        return measure.key
    if measure.field is None:
        return translate(agg, locale)
    return f"{translate(agg, locale)}: {field_label(source, measure.field, locale)}"
