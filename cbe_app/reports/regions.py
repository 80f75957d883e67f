"""Sales regions: which countries make up each market, as a definition an admin can change.

Sellers think in markets that follow duties and tax, not continents: the EU with its one VAT
scheme, the UK apart from it, North America… The pack ships a default map; a country in no
region reports as "Other".
"""

from __future__ import annotations

from typing import Annotated, Literal

import pycountry
from pydantic import Field, StringConstraints, field_validator, model_validator

from cbe_app.core.definitions import Definition

OTHER = "Other"
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class RegionMapDefinition(Definition):
    """Region name → the ISO 3166-1 alpha-2 codes of its countries (each country in one)."""

    kind: Literal["region_map"] = "region_map"
    regions: Annotated[
        dict[Annotated[str, StringConstraints(min_length=1, max_length=60)], list[CountryCode]],
        Field(max_length=60),
    ]

    @field_validator("regions")
    @classmethod
    def _known_countries(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(
            {c for codes in value.values() for c in codes if not pycountry.countries.get(alpha_2=c)}
        )
        if unknown:
            raise ValueError(f"not ISO 3166-1 country codes: {', '.join(unknown)}")
        return value

    @model_validator(mode="after")
    def _each_country_once(self) -> RegionMapDefinition:
        seen: dict[str, str] = {}
        twice = []
        for region, codes in self.regions.items():
            for code in codes:
                if code in seen:
                    twice.append(f"{code} ({seen[code]}, {region})")
                seen[code] = region
        if twice:
            raise ValueError(f"countries in two regions: {', '.join(twice)}")
        return self

    def region_of(self) -> dict[str, str]:
        """Country code → region name."""
        return {code: region for region, codes in self.regions.items() for code in codes}
