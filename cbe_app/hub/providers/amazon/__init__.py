"""Amazon SP-API orders: Orders API v0 and 2026-01-01, and ORDER_CHANGE notifications."""
