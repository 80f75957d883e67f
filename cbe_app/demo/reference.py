"""Static reference data of the demo business: markets, channels, partners, logistics, demand.

The figures are invented but shaped like a mid-sized Chinese seller's. Buyers' names live in
`reference_names` and the product range in `reference_catalogue`. Every e-mail domain is under
an `example` domain so no real company or mailbox is ever addressed.
"""

from __future__ import annotations

from typing import NamedTuple

from cbe_app.demo.records import CarrierRec, ChannelRec, SupplierRec, WarehouseRec


class Country(NamedTuple):
    """A destination market and how its buyers look."""

    weight: float  # relative order volume
    currency: str  # the seller's price list for buyers there
    names: str  # key into reference_names.NAMES
    calling_code: str
    mobile_prefixes: str  # space-separated national prefixes that phonenumbers accepts
    subscriber_digits: int  # digits after the prefix


COUNTRIES: dict[str, Country] = {
    "US": Country(34.0, "USD", "en_us", "1", "212 213 305 310 312 404 415 512 617 646 713 718", 7),
    "GB": Country(11.0, "GBP", "en_gb", "44", "7400 7500 7711 7722 7766 7788 7799 7900 7950", 6),
    "DE": Country(10.0, "EUR", "de", "49", "151 152 157 159 160 162 170 171 172 176 177 178", 8),
    "CA": Country(7.0, "CAD", "en_us", "1", "416 437 514 587 604 613 647 778 780 905", 7),
    "AU": Country(6.0, "AUD", "en_au", "61", "40 41 42 43", 7),
    "FR": Country(5.5, "EUR", "fr", "33", "60 61 62 64 65 66 67 68 75 76 77 78", 7),
    "JP": Country(4.5, "JPY", "ja", "81", "70 80 90", 8),
    "IT": Country(3.5, "EUR", "it", "39", "320 328 329 333 335 338 339 340 347 348 349 388", 7),
    "ES": Country(3.0, "EUR", "es", "34", "60 61 62 63 64 65 66 67 68 69", 7),
    "NL": Country(2.5, "EUR", "nl", "31", "61 62 63 64 65", 7),
    "MX": Country(1.8, "USD", "mx", "52", "55 56 33 81", 8),
    "SE": Country(1.5, "SEK", "sv", "46", "70 72 73 76 79", 7),
    "PL": Country(1.5, "PLN", "pl", "48", "50 51 53 57 60 66 69 72 73 78 79 88", 7),
    "BE": Country(1.2, "EUR", "fr", "32", "470 471 472 473 474 475 476 477 478 479 484 485", 6),
    "AT": Country(1.0, "EUR", "de", "43", "650 660 664 676 680 681 688 699", 7),
    "IE": Country(0.9, "EUR", "en_gb", "353", "83 85 86 87 89", 7),
    "CH": Country(0.9, "USD", "de", "41", "75 76 77 78 79", 7),
    "NZ": Country(0.8, "USD", "en_au", "64", "21 22 27", 7),
    "SG": Country(0.7, "USD", "sg", "65", "81 82 83 84 85 86 87 88 90 91 92 93 94 96 97", 6),
    "AE": Country(0.7, "USD", "ae", "971", "50 52 54 55 56 58", 7),
    "DK": Country(0.6, "USD", "da", "45", "20 21 22 23 24 25 26 27 28 29 30 31 40 41 42 50 51", 6),
    "NO": Country(0.6, "USD", "no", "47", "40 41 46 47 48 90 91 92 93 94 95 96 97 98 99", 6),
    "PT": Country(0.5, "EUR", "pt", "351", "91 92 93 96", 7),
    "FI": Country(0.5, "EUR", "fi", "358", "40 41 44 45 46 50", 7),
    "CZ": Country(0.5, "USD", "cs", "420", "601 602 603 604 605 606 607 608 702 720 721 777", 6),
}

NORTH_AMERICA = frozenset({"US", "CA", "MX"})
EU = frozenset({"DE", "FR", "IT", "ES", "NL", "SE", "PL", "BE", "AT", "IE", "PT", "FI", "DK", "CZ"})
EUROPE = EU | {"GB", "CH", "NO"}

CHANNELS = (
    ChannelRec("amazon", "Amazon", "amazon"),
    ChannelRec("shopify", "Shopify store", "shopify"),
    ChannelRec("ebay", "eBay", "ebay"),
    ChannelRec("walmart", "Walmart Marketplace", "walmart"),
    ChannelRec("woocommerce", "WooCommerce shop", "woocommerce"),
)
CHANNEL_SHARES = {"amazon": 45, "shopify": 22, "ebay": 13, "walmart": 10, "woocommerce": 10}
# None: the channel sells to every market (own shops ship worldwide).
CHANNEL_MARKETS: dict[str, frozenset[str] | None] = {
    "amazon": NORTH_AMERICA | EU | {"GB", "JP", "AU"},
    "ebay": frozenset(
        {"US", "GB", "DE", "AU", "CA", "FR", "IT", "ES", "AT", "CH", "IE", "NL", "BE", "PL"}
    ),
    "walmart": NORTH_AMERICA,
    "shopify": None,
    "woocommerce": None,
}
# Share of orders shipped free regardless, free-shipping threshold and flat fee (USD cents).
SHIPPING_POLICIES: dict[str, tuple[float, int | None, int]] = {
    "amazon": (0.85, None, 499),
    "shopify": (0.0, 4900, 599),
    "ebay": (0.7, None, 599),
    "walmart": (0.0, 3500, 599),
    "woocommerce": (0.0, 3900, 499),
}

# Local price-list units per USD; lists are set once by the seller, not tracked against FX.
PRICE_FACTORS = {
    "USD": 1.0,
    "EUR": 0.95,
    "GBP": 0.85,
    "CAD": 1.35,
    "AUD": 1.55,
    "JPY": 150.0,
    "SEK": 10.0,
    "PLN": 4.0,
}
MINOR_DIGITS = {"JPY": 0}  # every other price-list currency has two
CNY_PER_USD = 7.2  # the buying team's planning rate for purchase costs

WAREHOUSES = (
    WarehouseRec("SZX", "Shenzhen Bao'an Fulfilment Centre", "CN", "Shenzhen"),
    WarehouseRec("ONT", "Los Angeles Warehouse (Ontario, CA)", "US", "Ontario"),
    WarehouseRec("LEJ", "Leipzig Warehouse", "DE", "Leipzig"),
)
OVERFLOW_SHARE = 0.15  # orders a local warehouse cannot serve ship direct from Shenzhen

CARRIERS = (
    CarrierRec(
        "fedex",
        "FedEx",
        "fedex",
        ("FedEx Ground", "FedEx Home Delivery", "International Economy", "International Priority"),
    ),
    CarrierRec("dhl", "DHL Express", "dhl", ("Express Worldwide", "Economy Select")),
    CarrierRec("4px", "4PX", "4px", ("Global Express Standard", "Global Express Priority")),
)
# (warehouse, lane) -> (carrier, service, weight); "inland" means no customs border is crossed.
LANES: dict[tuple[str, str], tuple[tuple[str, str, float], ...]] = {
    ("ONT", "inland"): (("fedex", "FedEx Ground", 65), ("fedex", "FedEx Home Delivery", 35)),
    ("ONT", "border"): (("fedex", "International Economy", 70), ("dhl", "Express Worldwide", 30)),
    ("LEJ", "inland"): (("dhl", "Economy Select", 100),),
    ("LEJ", "border"): (
        ("dhl", "Express Worldwide", 70),
        ("fedex", "International Priority", 30),
    ),
    ("SZX", "border"): (
        ("4px", "Global Express Standard", 60),
        ("4px", "Global Express Priority", 10),
        ("dhl", "Express Worldwide", 18),
        ("fedex", "International Priority", 12),
    ),
}
PROMISED_DAYS = {
    "FedEx Ground": 5,
    "FedEx Home Delivery": 4,
    "International Economy": 5,
    "Economy Select": 3,
    "Express Worldwide": 4,
    "International Priority": 4,
    "Global Express Standard": 10,
    "Global Express Priority": 7,
}
REMOTE_EXTRA_DAYS = {"MX": 2, "NZ": 2, "AE": 1, "AU": 1, "NO": 1, "FI": 1}


def _cn(code: str, name: str, lead_time_days: int, mailbox: str) -> SupplierRec:
    return SupplierRec(
        code, f"{name} Co., Ltd.", "CN", "CNY", lead_time_days, f"{mailbox}.example.cn"
    )


# Non-Chinese suppliers quote in USD and need longer, as goods go by sea via a consolidator.
SUPPLIERS = (
    _cn("SUP-01", "Shenzhen Hongxin Electronics", 14, "sales@hongxin-elec"),
    _cn("SUP-02", "Shenzhen Voltmax Technology", 18, "export@voltmax"),
    _cn("SUP-03", "Dongguan Lianyi Cable", 12, "trade@lianyi-cable"),
    _cn("SUP-04", "Ningbo Homeway Housewares", 25, "sales@homeway-nb"),
    _cn("SUP-05", "Yiwu Jiale Household Products", 15, "jiale@yiwu-jiale"),
    _cn("SUP-06", "Guangzhou Brightline Lighting", 20, "sales@brightline-gz"),
    _cn("SUP-07", "Hangzhou Xiufang Garments", 30, "order@xiufang"),
    _cn("SUP-08", "Quanzhou Runfeng Sportswear", 28, "sales@runfeng-sports"),
    _cn("SUP-09", "Yiwu Meilan Cosmetic Tools", 12, "meilan@yiwu-meilan"),
    _cn("SUP-10", "Guangzhou Huamei Beauty Products", 22, "export@huamei-beauty"),
    _cn("SUP-11", "Shantou Chenghai Lekang Toys", 21, "sales@lekang-toys"),
    _cn("SUP-12", "Yangzhou Mianmian Plush", 24, "trade@mianmian-plush"),
    _cn("SUP-13", "Xiamen Tianyu Outdoor Products", 26, "sales@tianyu-outdoor"),
    _cn("SUP-14", "Ningbo Petlink Pet Products", 20, "export@petlink-nb"),
    _cn("SUP-15", "Yongkang Jinli Hardware Tools", 18, "sales@jinli-tools"),
    _cn("SUP-16", "Wenzhou Ruida Measuring Tools", 16, "trade@ruida-measure"),
    _cn("SUP-17", "Shaoxing Yadi Home Textiles", 27, "sales@yadi-textile"),
    SupplierRec(
        "SUP-18", "Saigon Craft Home JSC", "VN", "USD", 45, "export@saigoncrafthome.example.com"
    ),
    SupplierRec(
        "SUP-19",
        "Tiruppur Knit Exports Pvt. Ltd.",
        "IN",
        "USD",
        50,
        "orders@tiruppurknit.example.com",
    ),
    SupplierRec(
        "SUP-20", "Bursa Örme Tekstil A.Ş.", "TR", "USD", 38, "export@bursaorme.example.com"
    ),
)

# Demand shape: by month (Jan..Dec), by weekday (Mon..Sun) and by UTC hour, where US evenings
# (00-04 UTC) and European evenings (18-22 UTC) are the busy times.
MONTH_FACTORS = (0.90, 0.84, 0.92, 0.93, 0.95, 0.96, 1.04, 0.98, 0.97, 1.04, 1.32, 1.42)
WEEKDAY_FACTORS = (1.06, 1.03, 1.00, 1.00, 0.98, 0.92, 0.80)
HOUR_WEIGHTS = (
    6.2,
    6.0,
    5.6,
    4.9,
    4.0,
    3.0,
    2.3,
    2.0,
    2.2,
    2.8,
    3.4,
    3.8,
    4.2,
    4.6,
    5.0,
    5.3,
    5.5,
    5.8,
    6.2,
    6.6,
    6.8,
    6.7,
    6.5,
    6.4,
)
