"""The schedules dialog: each schedule's when, to whom and as what, and the last deliveries.

The state is `report_schedules.ScheduleState`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from cbe_app.core.i18n import N_
from cbe_app.ui.i18n import T, T_var
from cbe_app.ui.pages.report_schedules import WEEKDAYS, ZONES, ScheduleState


def _field_select(
    row: Any, n: Any, name: str, options: list[tuple[str, str]], testid: str
) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(data_testid=testid),
        rx.select.content(*[rx.select.item(T(text), value=value) for value, text in options]),
        value=row[name],
        on_change=lambda v: ScheduleState.set_field(n, name, v),
        size="1",
    )


def _schedule_card(row: Any, n: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                _field_select(
                    row,
                    n,
                    "every",
                    [
                        ("daily", N_("Every day")),
                        ("weekly", N_("Every week")),
                        ("monthly", N_("Every month")),
                    ],
                    "schedule-every",
                ),
                rx.cond(
                    row["every"] == "weekly",
                    _field_select(
                        row,
                        n,
                        "weekday",
                        [(str(d), name) for d, name in enumerate(WEEKDAYS)],
                        "schedule-weekday",
                    ),
                ),
                rx.cond(
                    row["every"] == "monthly",
                    rx.hstack(
                        rx.text(T("on day"), size="1"),
                        rx.input(
                            default_value=row["day"],
                            on_blur=lambda v: ScheduleState.set_field(n, "day", v),
                            size="1",
                            width="50px",
                        ),
                        align="center",
                    ),
                ),
                rx.text(T("at"), size="1"),
                rx.input(
                    default_value=row["at"],
                    on_blur=lambda v: ScheduleState.set_field(n, "at", v),
                    size="1",
                    width="64px",
                    data_testid="schedule-at",
                ),
                _field_select(row, n, "timezone", [(z, z) for z in ZONES], "schedule-zone"),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("trash-2", size=12),
                    on_click=ScheduleState.remove(n),
                    variant="ghost",
                    color_scheme="red",
                    size="1",
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.input(
                default_value=row["recipients"],
                on_blur=lambda v: ScheduleState.set_field(n, "recipients", v),
                placeholder=T("Recipients' e-mail addresses, comma-separated"),
                size="1",
                width="100%",
                data_testid="schedule-recipients",
            ),
            rx.hstack(
                _field_select(
                    row,
                    n,
                    "format",
                    [("xlsx", N_("Excel workbook")), ("csv", "CSV"), ("pdf", "PDF")],
                    "schedule-format",
                ),
                _field_select(
                    row,
                    n,
                    "language",
                    [("en", "English"), ("zh_CN", "简体中文")],
                    "schedule-language",
                ),
                _field_select(
                    row, n, "enabled", [("on", N_("On")), ("off", N_("Paused"))], "schedule-enabled"
                ),
                rx.text(T("Next:"), " ", row["next"], size="1", color_scheme="gray"),
                rx.spacer(),
                rx.button(
                    rx.icon("send", size=12),
                    T("Send now"),
                    on_click=ScheduleState.send(n),
                    variant="soft",
                    size="1",
                    data_testid="schedule-send",
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="schedule",
    )


def _deliveries_table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(T(h))
                    for h in (N_("Due"), N_("Status"), N_("To"), N_("Rows"), N_("Note"))
                ]
            )
        ),
        rx.table.body(
            rx.foreach(
                ScheduleState.deliveries,
                lambda d: rx.table.row(
                    rx.table.cell(d["due"]),
                    rx.table.cell(rx.badge(T_var(d["status"]))),
                    rx.table.cell(d["recipients"], max_width="220px", overflow="hidden"),
                    rx.table.cell(d["rows"]),
                    rx.table.cell(d["note"], max_width="240px"),
                    data_testid="delivery",
                ),
            )
        ),
        size="1",
        width="100%",
    )


def schedules_dialog() -> rx.Component:
    """The dialog: the schedules, their problems, and the last deliveries."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(T("E-mail this report")),
            rx.vstack(
                rx.foreach(ScheduleState.rows, _schedule_card),
                rx.button(
                    rx.icon("plus", size=12),
                    T("Add a schedule"),
                    on_click=ScheduleState.add,
                    variant="ghost",
                    size="1",
                    data_testid="schedule-add",
                ),
                rx.cond(
                    ScheduleState.problem_lines.length() > 0,
                    rx.callout(
                        rx.vstack(rx.foreach(ScheduleState.problem_lines, rx.text), spacing="1"),
                        icon="triangle-alert",
                        color_scheme="red",
                        size="1",
                        data_testid="schedule-problems",
                    ),
                ),
                rx.cond(
                    ScheduleState.notice != "",
                    rx.callout(
                        T_var(ScheduleState.notice),
                        icon="check",
                        size="1",
                        data_testid="schedule-notice",
                    ),
                ),
                rx.hstack(
                    rx.spacer(),
                    rx.button(
                        T("Close"),
                        on_click=ScheduleState.set_open(False),
                        variant="soft",
                        color_scheme="gray",
                    ),
                    rx.button(
                        T("Save schedules"),
                        on_click=ScheduleState.save,
                        data_testid="schedule-save",
                    ),
                    width="100%",
                ),
                rx.heading(T("Last deliveries"), size="2"),
                rx.cond(
                    ScheduleState.deliveries.length() > 0,
                    _deliveries_table(),
                    rx.text(T("Nothing sent yet."), size="2", color_scheme="gray"),
                ),
                spacing="3",
                width="100%",
            ),
            max_width="820px",
            width="94vw",
            data_testid="schedules-dialog",
        ),
        open=ScheduleState.open,
        on_open_change=ScheduleState.set_open,
    )
