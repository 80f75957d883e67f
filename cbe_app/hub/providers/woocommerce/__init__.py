"""WooCommerce REST API v3 orders: list pages, single orders, batch responses and webhooks."""
