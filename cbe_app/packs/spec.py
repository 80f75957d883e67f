"""Definition kinds a pack may hold, as validated pydantic models.

Everything a builder can change is a definition. Each kind is a pydantic model; a pack file
is `kind: <name>` plus that model's fields. Later capabilities add their kinds (form,
report, workflow, rule, print template) to `KINDS`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cbe_app.core.definitions import Definition, Key, LocalizedText


class AppDefinition(Definition):
    """An area of the app shell: its title, what it is for, and its empty state."""

    kind: Literal["app"] = "app"
    position: Annotated[int, Field(ge=0, le=10_000)]
    title: LocalizedText
    summary: LocalizedText
    empty_title: LocalizedText
    empty_body: LocalizedText
    upcoming: Annotated[list[LocalizedText], Field(default_factory=list, max_length=12)]


class PackManifest(BaseModel):
    """`pack.yaml`: the pack's name, version and the definition files it contains."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Key
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    title: LocalizedText
    definitions: Annotated[list[str], Field(min_length=1)]


def _kinds() -> dict[str, type[Definition]]:
    # Capabilities own their definition models; the registry only lists them.
    from cbe_app.hub.statusmap import StatusMapDefinition
    from cbe_app.reports.dashboard import DashboardDefinition
    from cbe_app.reports.regions import RegionMapDefinition
    from cbe_app.reports.report import ReportDefinition
    from cbe_app.reports.spec import KpiDefinition

    return {
        "app": AppDefinition,
        "status_map": StatusMapDefinition,
        "region_map": RegionMapDefinition,
        "kpi": KpiDefinition,
        "dashboard": DashboardDefinition,
        "report": ReportDefinition,
    }


KINDS: dict[str, type[Definition]] = _kinds()
