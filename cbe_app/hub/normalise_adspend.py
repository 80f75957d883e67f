"""Ad spend from mapped export rows to canonical records, and the readers of export values.

Ad platforms' exports write days, amounts and counts in their users' locale ("Mar 1, 2026",
"01.03.2026", "¥1,234.50", "12,345"), so the readers here accept what exports use and refuse,
with the reason, what cannot be read without a guess: a day like 01/03/2026 could be the first
of March or the third of January, and is refused unless the day part is above 12. Pure, like
`hub/normalise.py`: rates come from an `FxSource`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from cbe_app.core.fx import FxRate, UnknownRate
from cbe_app.core.money import convert_minor, from_minor
from cbe_app.hub.canonical import MappedAdSpend
from cbe_app.hub.normalise import (
    FxSource,
    NormalisationError,
    country_code,
    currency_code,
    minor_units,
)

PLATFORM_MAX, CAMPAIGN_MAX = 40, 200  # the widths of ad_spend.platform and ad_spend.campaign
# How exports write "nothing here" (Google Ads writes --; Meta's country breakdown "unknown").
BLANKS = frozenset({"", "-", "--", "n/a", "(not set)", "unknown", "未知"})
_YEAR_FIRST = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ].*)?")
_YEAR_LAST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:[T ].*)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NAMED = ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%d-%b-%Y")
_SYMBOLS = "$€£¥￥₩₹"
_AMOUNT = re.compile(
    rf"(?P<sign>-)?\s*(?:[A-Z]{{0,3}}[{_SYMBOLS}]|[A-Z]{{3}}\s?)?\s*(?P<neg>-)?"
    rf"(?P<number>\d[\d,.'\s\u00a0\u202f]*?)\s*(?:[{_SYMBOLS}元円]|\s?[A-Z]{{3}})?"
)
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+")
_SPACES = re.compile(r"[\s'\u00a0\u202f]")


def _date(year: int, month: int, day: int, raw: Any) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise NormalisationError(f"day {raw!r} is not a date") from None


def _year_last(first: int, separator: str, second: int, year: int, raw: Any) -> date:
    if separator == "." or first > 12 or first == second:  # 01.03.2026 is always day first
        return _date(year, second, first, raw)
    if second > 12:
        return _date(year, first, second, raw)
    a, b = _date(year, second, first, raw), _date(year, first, second, raw)
    raise NormalisationError(
        f"day {raw!r} could be {a.day} {a:%B %Y} or {b.day} {b:%B %Y}; "
        f"write it as {a.isoformat()} or {b.isoformat()}"
    )


def read_day(value: Any) -> date:
    """The day of an export cell: a date, or text in a form exports use (see the docstring)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = "" if value is None else str(value).strip()
    if not raw:
        raise NormalisationError("the day is missing")
    if found := _YEAR_FIRST.fullmatch(raw) or _COMPACT.fullmatch(raw):
        year, month, day = (int(part) for part in found.groups()[:3])
        return _date(year, month, day, raw)
    if found := _YEAR_LAST.fullmatch(raw):
        first, separator, second, in_year = found.groups()
        return _year_last(int(first), separator, int(second), int(in_year), raw)
    for form in _NAMED:
        try:
            return datetime.strptime(raw, form).date()
        except ValueError:
            continue
    raise NormalisationError(f"day {raw!r} is not a date; write it as YYYY-MM-DD")


def _plain_number(number: str) -> str:
    """'1,234.50', '1.234,50', '1 234,5' → '1234.50', '1234.50', '1234.5'."""
    digits = _SPACES.sub("", number)
    if "," in digits and "." in digits:
        decimal_comma = digits.rfind(",") > digits.rfind(".")
        digits = digits.replace("." if decimal_comma else ",", "")
        return digits.replace(",", ".")
    if "," in digits:
        return digits.replace(",", "") if _GROUPED.fullmatch(digits) else digits.replace(",", ".")
    return digits.replace(".", "") if digits.count(".") > 1 else digits


def read_amount(value: Any, what: str) -> Decimal:
    """An amount as exports write it: a number, or text with a currency sign or code and
    thousands separators ('1,234.50', '¥1,234', 'US$ 12.00', '1.234,50 €', '(5.00)')."""
    if isinstance(value, bool):
        raise NormalisationError(f"{what} is not a number: {value!r}")
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise NormalisationError(f"{what} is not a number: {value!r}")
        return number
    raw = "" if value is None else str(value).strip()
    if raw.lower() in BLANKS:
        raise NormalisationError(f"{what} is missing")
    accounting = raw.startswith("(") and raw.endswith(")")
    found = _AMOUNT.fullmatch(raw[1:-1].strip() if accounting else raw)
    if found is None:
        raise NormalisationError(f"{what} is not a number: {raw!r}")
    try:
        amount = Decimal(_plain_number(found["number"]))
    except InvalidOperation:
        raise NormalisationError(f"{what} is not a number: {raw!r}") from None
    negative = accounting or bool(found["sign"]) or bool(found["neg"])
    return -amount if negative else amount


def read_count(value: Any, what: str) -> int | None:
    """A whole number of 0 or more ('12,345' → 12345), or None when the cell is empty."""
    if value is None or (isinstance(value, str) and value.strip().lower() in BLANKS):
        return None
    if isinstance(value, bool):
        raise NormalisationError(f"{what} must be a whole number of 0 or more, not {value!r}")
    try:
        number = read_amount(value, what)
    except NormalisationError:
        number = Decimal(-1)
    if number < 0 or number != number.to_integral_value():
        raise NormalisationError(f"{what} must be a whole number of 0 or more, not {value!r}")
    return int(number)


@dataclass(frozen=True, slots=True)
class AdSpend:
    """A canonical day of one campaign's spend, in its currency and the base currency."""

    provider: str
    ref: str  # the mapped record's key, under which the quarantine holds it
    day: date
    platform: str
    campaign: str
    country: str  # ISO 3166-1 alpha-2, or "" when the export has none
    currency: str
    spend_minor: int
    base_currency: str
    spend_base_minor: int
    fx: FxRate
    impressions: int | None
    clicks: int | None

    @property
    def key(self) -> tuple[date, str, str, str]:
        """The natural key of the `ad_spend` table."""
        return self.day, self.platform, self.campaign, self.country

    def as_contract(self) -> dict[str, Any]:
        """The documented JSON form (docs/canonical-records.md)."""
        return {
            "kind": "ad_spend",
            "provider": self.provider,
            "day": self.day.isoformat(),
            "platform": self.platform,
            "campaign": self.campaign,
            "country": self.country,
            "currency": self.currency,
            "spend": str(from_minor(self.spend_minor, self.currency)),
            "base_currency": self.base_currency,
            "spend_base": str(from_minor(self.spend_base_minor, self.base_currency)),
            "fx_rate": format(self.fx.rate, "f"),
            "fx_date": self.fx.rate_date.isoformat(),
            "impressions": self.impressions,
            "clicks": self.clicks,
        }


def _names(record: MappedAdSpend) -> tuple[str, str]:
    platform, campaign = record.platform.strip(), record.campaign.strip()
    if not platform:
        raise NormalisationError("the platform is missing")
    if len(platform) > PLATFORM_MAX:
        raise NormalisationError(f"platform {platform!r} is longer than {PLATFORM_MAX} characters")
    if len(campaign) > CAMPAIGN_MAX:
        start = campaign[:40]
        raise NormalisationError(f"campaign {start!r}… is longer than {CAMPAIGN_MAX} characters")
    return platform, campaign


def _checked(record: MappedAdSpend, fx: FxSource, base: str) -> AdSpend:
    platform, campaign = _names(record)
    country = "" if record.country.strip().lower() in BLANKS else country_code(record.country)
    currency = currency_code(record.currency)
    spend = minor_units(record.spend, currency, "spend")
    for what, count in (("impressions", record.impressions), ("clicks", record.clicks)):
        if count is not None and count < 0:
            raise NormalisationError(f"{what} is negative: {count}")
    try:
        rate = fx.rate(currency, base, record.day)
    except UnknownRate as exc:
        raise NormalisationError(str(exc)) from None
    return AdSpend(
        provider=record.provider,
        ref=record.key,
        day=record.day,
        platform=platform,
        campaign=campaign,
        country=country,
        currency=currency,
        spend_minor=spend,
        base_currency=base,
        spend_base_minor=convert_minor(spend, currency, base, rate.rate),
        fx=rate,
        impressions=record.impressions,
        clicks=record.clicks,
    )


def normalise_ad_spend(record: MappedAdSpend, fx: FxSource, base: str) -> AdSpend:
    """The canonical record; raises `NormalisationError` naming the sheet row and the reason."""
    try:
        return _checked(record, fx, base)
    except NormalisationError as exc:
        if not record.row:
            raise
        raise NormalisationError(f"row {record.row}: {exc}") from None
