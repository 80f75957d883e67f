"""Walmart Marketplace orders: GET /v3/orders pages, single orders, order events."""
