"""Shopify Admin REST orders: list pages, single orders and order webhooks."""
