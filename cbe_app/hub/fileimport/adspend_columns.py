"""The columns of an ad-spend import, and the headers the ad platforms' exports give them.

Known exports: Google Ads (Day, Campaign, Cost, Currency code, Impr., Clicks,
Country/Territory), Meta Ads Manager (Reporting starts, Campaign name, Amount spent (USD),
Impressions, Link clicks, Country), Amazon Ads (Date, Campaign Name, Spend, Impressions, Clicks,
Currency), TikTok Ads (Date, Campaign name, Cost, Impression, Clicks, Currency) and Chinese
reports (日期, 广告平台, 广告系列, 国家, 币种, 花费/消耗, 展示次数, 点击次数). An export of one
platform has no platform column: the guess names the platform from the export's headers, and
Meta's currency from its spend header, for the person to confirm.
"""

from __future__ import annotations

from collections.abc import Sequence

from cbe_app.core.i18n import N_
from cbe_app.hub.fileimport.columns import CURRENCY_SUFFIX, ImportField, loose

AD_SPEND_FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "day",
        N_("Day"),
        True,
        ("date", "reportingstarts", "reportdate", "statdate", "日期", "投放日期", "统计日期"),
    ),
    ImportField(
        "platform",
        N_("Ad platform"),
        True,
        ("adplatform", "adnetwork", "广告平台", "投放平台", "平台", "媒体", "广告渠道"),
        constant=True,
    ),
    ImportField(
        "campaign",
        N_("Campaign"),
        False,
        ("campaignname", "广告系列", "广告活动", "推广计划", "广告计划", "计划名称", "活动名称"),
    ),
    ImportField(
        "country",
        N_("Country"),
        False,
        ("countryterritory", "countrycode", "countryregion", "国家", "国家地区", "地区"),
        constant=True,
    ),
    ImportField(
        "currency",
        N_("Currency"),
        True,
        ("currencycode", "币种", "货币", "币种代码"),
        constant=True,
    ),
    ImportField(
        "spend",
        N_("Spend"),
        True,
        (
            "cost",
            "amountspent",
            "totalcost",
            "花费",
            "消耗",
            "花费消耗",
            "广告花费",
            "消费",
            "支出",
        ),
    ),
    ImportField(
        "impressions",
        N_("Impressions"),
        False,
        ("impr", "impression", "展示次数", "展示量", "展现量", "曝光量", "曝光次数"),
    ),
    ImportField(
        "clicks",
        N_("Clicks"),
        False,
        ("linkclicks", "click", "点击次数", "点击量", "点击"),
    ),
)

# Headers only one platform's export has (compared loosely), first match wins.
_SIGNATURES: tuple[tuple[str, frozenset[str]], ...] = (
    ("Google Ads", frozenset({"impr"})),
    ("Google Ads", frozenset({"currencycode", "cost"})),
    ("Meta", frozenset({"reportingstarts"})),
    ("Meta", frozenset({"amountspent"})),
    ("TikTok Ads", frozenset({"impression"})),
    ("Amazon Ads", frozenset({"spend", "campaignname"})),
)


def guess_constants(headers: Sequence[str]) -> dict[str, str]:
    """Values for the whole file its headers imply: the platform whose export it looks like,
    and a currency named in brackets after the spend ("Amount spent (USD)")."""
    names = {loose(CURRENCY_SUFFIX.sub("", h)) for h in headers if h.strip()}
    guess: dict[str, str] = {}
    platform = next((name for name, marks in _SIGNATURES if marks <= names), None)
    if platform is not None:
        guess["platform"] = platform
    for header in headers:
        found = CURRENCY_SUFFIX.search(header)
        if found and loose(CURRENCY_SUFFIX.sub("", header)) in ("amountspent", "cost", "spend"):
            guess["currency"] = found.group(1).upper()
            break
    return guess
