"""eBay Sell Fulfillment API orders: getOrders pages and getOrder."""
