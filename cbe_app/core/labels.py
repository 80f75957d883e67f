"""Words the database stores as codes, and how they read in English.

The codes are the message ids (so the extractor finds them and Chinese translates them); the
English catalogue maps each to words a person reads, not `awaiting_fulfillment`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from cbe_app.core.i18n import N_

CODE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        # account kinds, record kinds and what started a sync
        N_("sales"): "Sales channel",
        N_("carrier"): "Carrier",
        N_("payment"): "Payment",
        N_("marketing"): "Marketing",
        N_("ad_spend"): "Ad spend",
        N_("order"): "Order",
        N_("shipment"): "Shipment",
        N_("manual"): "Manual",
        N_("schedule"): "Schedule",
        N_("cli"): "Command line",
        N_("webhook"): "Webhook",
        N_("file"): "File upload",
        # runs and quarantine
        N_("succeeded"): "Succeeded",
        N_("failed"): "Failed",
        N_("running"): "Running",
        N_("queued"): "Queued",
        N_("never"): "Never",
        N_("open"): "Open",
        N_("resolved"): "Resolved",
        N_("dismissed"): "Dismissed",
        # order, payment and shipment statuses
        N_("pending"): "Pending",
        N_("awaiting_fulfillment"): "Awaiting fulfilment",
        N_("partially_shipped"): "Partially shipped",
        N_("shipped"): "Shipped",
        N_("delivered"): "Delivered",
        N_("cancelled"): "Cancelled",
        N_("returned"): "Returned",
        N_("authorized"): "Authorised",
        N_("paid"): "Paid",
        N_("partially_refunded"): "Partially refunded",
        N_("refunded"): "Refunded",
        N_("voided"): "Voided",
        N_("label_created"): "Label created",
        N_("picked_up"): "Picked up",
        N_("in_transit"): "In transit",
        N_("customs"): "Customs",
        N_("out_for_delivery"): "Out for delivery",
        N_("exception"): "Exception",
        # the secrets a connect form asks for
        N_("access_token"): "Access token",
        N_("webhook_secret"): "Webhook signing secret",
        N_("client_id"): "Client ID",
        N_("client_secret"): "Client secret",
        N_("refresh_token"): "Refresh token",
        N_("marketplace_id"): "Marketplace ID",
        N_("consumer_key"): "Consumer key",
        N_("consumer_secret"): "Consumer secret",
        N_("username"): "Username",
        N_("password"): "Password",
        N_("account_number"): "Account number",
        N_("app_key"): "App key",
        N_("app_secret"): "App secret",
        N_("secret_key"): "Secret key",
        # timeline moments
        N_("placed"): "Placed",
        N_("status"): "Status",
        N_("charge"): "Charge",
        N_("refund"): "Refund",
    }
)
