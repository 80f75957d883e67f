"""Read-only facts about what the hub holds, for the shell's area pages."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from cbe_app.hub.catalog import Carrier, Channel, Product, StockLevel, Supplier, Warehouse
from cbe_app.hub.orders import Customer, SalesOrder, Shipment

_COUNTED: dict[str, type[SQLModel]] = {
    "orders": SalesOrder,
    "customers": Customer,
    "products": Product,
    "warehouses": Warehouse,
    "channels": Channel,
    "carriers": Carrier,
    "suppliers": Supplier,
    "shipments": Shipment,
    "stock_rows": StockLevel,
}


def hub_counts(session: Session) -> dict[str, int]:
    """How many records of each kind the hub holds."""
    return {
        name: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in _COUNTED.items()
    }


def units_on_hand(session: Session) -> int:
    """Units in stock across all warehouses."""
    return int(session.scalar(select(func.coalesce(func.sum(StockLevel.on_hand), 0))) or 0)
