"""The ad platforms' exports, as they are written: their headers matched to ours, their rows
mapped, totals left out, finer rows added up, and every bad row named by its sheet row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from cbe_app.core.errors import ValidationFailed
from cbe_app.hub.canonical import MappedAdSpend, RecordKind
from cbe_app.hub.fileimport.adspend_columns import AD_SPEND_FIELDS, guess_constants
from cbe_app.hub.fileimport.columns import check_mapping, guess_mapping
from cbe_app.hub.fileimport.formats import AD_SPEND, rename, usable_constants
from cbe_app.hub.providers.adspend.mapper import map_payload
from cbe_app.hub.providers.registry import provider

# The header rows of real exports, and what each column is to the hub.
EXPORTS: dict[str, tuple[list[str], dict[str, str], dict[str, str]]] = {
    "Google Ads": (
        [
            "Day",
            "Campaign",
            "Campaign type",
            "Country/Territory",
            "Currency code",
            "Cost",
            "Impr.",
            "Clicks",
            "Conversions",
        ],
        {
            "day": "Day",
            "campaign": "Campaign",
            "country": "Country/Territory",
            "currency": "Currency code",
            "spend": "Cost",
            "impressions": "Impr.",
            "clicks": "Clicks",
        },
        {"platform": "Google Ads"},
    ),
    "Meta": (
        [
            "Reporting starts",
            "Reporting ends",
            "Campaign name",
            "Country",
            "Amount spent (USD)",
            "Impressions",
            "Reach",
            "Link clicks",
            "Clicks (all)",
        ],
        {
            "day": "Reporting starts",
            "campaign": "Campaign name",
            "country": "Country",
            "spend": "Amount spent (USD)",
            "impressions": "Impressions",
            "clicks": "Link clicks",
        },
        {"platform": "Meta", "currency": "USD"},
    ),
    "Amazon Ads": (
        [
            "Date",
            "Portfolio name",
            "Campaign Name",
            "Impressions",
            "Clicks",
            "Spend",
            "Currency",
            "7 Day Total Sales",
        ],
        {
            "day": "Date",
            "campaign": "Campaign Name",
            "impressions": "Impressions",
            "clicks": "Clicks",
            "spend": "Spend",
            "currency": "Currency",
        },
        {"platform": "Amazon Ads"},
    ),
    "TikTok Ads": (
        ["Date", "Campaign name", "Cost", "Impression", "Clicks", "Currency", "CTR"],
        {
            "day": "Date",
            "campaign": "Campaign name",
            "spend": "Cost",
            "impressions": "Impression",
            "clicks": "Clicks",
            "currency": "Currency",
        },
        {"platform": "TikTok Ads"},
    ),
    "Chinese": (
        ["日期", "广告平台", "广告系列", "国家", "币种", "花费", "展示次数", "点击次数"],
        {
            "day": "日期",
            "platform": "广告平台",
            "campaign": "广告系列",
            "country": "国家",
            "currency": "币种",
            "spend": "花费",
            "impressions": "展示次数",
            "clicks": "点击次数",
        },
        {},
    ),
}


@pytest.mark.parametrize("name", list(EXPORTS))
def test_the_headers_of_each_platforms_export_are_matched(name: str) -> None:
    headers, ours, constants = EXPORTS[name]
    assert guess_mapping(headers, AD_SPEND_FIELDS) == ours
    assert usable_constants(AD_SPEND, ours, guess_constants(headers)) == constants
    assert check_mapping(ours, headers, AD_SPEND_FIELDS, constants) == ours


def test_chinese_spend_headers_and_a_missing_platform() -> None:
    assert guess_mapping(["日期", "消耗", "币种"], AD_SPEND_FIELDS)["spend"] == "消耗"
    with pytest.raises(ValidationFailed) as caught:
        check_mapping(
            {"day": "日期", "spend": "消耗", "currency": "币种"},
            ["日期", "消耗", "币种"],
            AD_SPEND_FIELDS,
        )
    assert caught.value.field_errors == {
        "platform": "Choose the column, or type one value for every row."
    }


def row(number: int, **values: Any) -> dict[str, Any]:
    base = {"day": "2026-03-02", "platform": "Google Ads", "campaign": "Brand - US"}
    base |= {"country": "US", "currency": "USD", "spend": "10.00"}
    return base | {"impressions": "1,000", "clicks": "30", "_row": number} | values


def test_each_row_is_a_day_of_spend_and_totals_are_left_out() -> None:
    result = map_payload(
        [
            row(4, day="2026-03-01", spend="1,234.50"),
            row(5, campaign="Shopping - DE", country="Germany", currency="EUR", clicks="--"),
            row(6, day="Total: Account", campaign="--", spend="1,244.50"),
            row(7, day="合计", spend="1,244.50"),
        ]
    )
    assert result.rejects == []
    assert result.records == [
        MappedAdSpend(
            "adspend", date(2026, 3, 1), "Google Ads", "Brand - US", "US", "USD",
            Decimal("1234.50"), 1000, 30, 4,
        ),
        MappedAdSpend(
            "adspend", date(2026, 3, 2), "Google Ads", "Shopping - DE", "Germany", "EUR",
            Decimal("10.00"), 1000, None, 5,
        ),
    ]  # fmt: skip
    assert result.raw_of(0)["_row"] == 4


def test_rows_of_the_same_day_and_campaign_add_up() -> None:
    # An export by ad group or network has several rows per day of a campaign.
    result = map_payload([row(2), row(3, spend="2.50", clicks=""), row(4, campaign="Other")])
    first, other = result.records
    assert isinstance(first, MappedAdSpend) and isinstance(other, MappedAdSpend)
    assert (first.spend, first.impressions, first.clicks) == (Decimal("12.50"), 2000, 30)
    assert [r["_row"] for r in result.raw_of(0)] == [2, 3]
    mixed = map_payload([row(2), row(9, currency="EUR")])
    [reject] = mixed.rejects
    assert "rows 2 and 9 are the same day, platform, campaign and country in two currencies" in (
        reject.reason
    )


def test_a_bad_row_is_rejected_with_its_row_number_and_kept_whole() -> None:
    result = map_payload(
        [
            row(2, day="01/03/2026"),
            row(3, spend="lots"),
            row(4, clicks="-2", campaign="Other"),
            row(5, day="", platform="", campaign="", country=""),
            row(6, campaign="Good"),
            row(7),  # the same day and campaign as row 3: held back with it
        ]
    )
    assert [r.row for r in result.records] == [6]  # type: ignore[union-attr]
    reasons = {r.external_id: r.reason for r in result.rejects}
    assert reasons == {
        "01/03/2026|Google Ads|Brand - US|US": "row 2: day '01/03/2026' could be 1 March 2026 "
        "or 3 January 2026; write it as 2026-03-01 or 2026-01-03",
        "2026-03-02|Google Ads|Brand - US|US": "row 3: spend is not a number: 'lots'",
        "2026-03-02|Google Ads|Other|US": "row 4: clicks must be a whole number of 0 or more, "
        "not '-2'",
        "": "row 5: the day is missing",
    }
    held = next(r for r in result.rejects if r.external_id.startswith("2026-03-02|Google Ads|B"))
    assert held.kind is RecordKind.AD_SPEND and [r["_row"] for r in held.raw] == [3, 7]
    assert result.rejects[0].raw == row(2, day="01/03/2026")  # one row: kept as it is


def test_a_quarantined_row_maps_again_on_its_own() -> None:
    info = provider("adspend")
    [record] = info.mapper()(info.retry_payload(row(8))).records
    assert isinstance(record, MappedAdSpend) and record.row == 8
    csv = "day,platform,currency,spend\n2026-03-01,Meta,USD,5\n"
    assert len(map_payload(csv.encode()).records) == 1


def test_a_constant_column_fills_every_row() -> None:
    rows = [{"Date": "2026-03-01", "Spend": "5", "Currency": "USD", "_row": 2}]
    mapping = {"day": "Date", "spend": "Spend", "currency": "Currency"}
    renamed = rename(rows, mapping, {"platform": "Amazon Ads", "country": "JP"})
    assert renamed == [
        {"day": "2026-03-01", "spend": "5", "currency": "USD", "_row": 2}
        | {"platform": "Amazon Ads", "country": "JP"}
    ]
    # a column chosen for a field wins over a value typed for it
    assert usable_constants(AD_SPEND, {"country": "Country"}, {"country": "JP"}) == {}
