"""PayPal: Transaction Search rows and Payments v2 captures, authorizations and refunds."""
