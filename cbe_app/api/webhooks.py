"""`POST /webhooks/<provider>/<account code>`: inbound webhooks (see `cbe_app.hub.webhooks`)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from cbe_app.dbtypes import utcnow
from cbe_app.hub.webhooks import Delivery, WebhookRejected, receive

ACCEPTED = frozenset({"shopify", "stripe", "fedex", "dhl", "4px"})
MAX_BODY = 2 * 1024 * 1024


async def webhook(request: Request) -> Response:
    """Verify against the raw body, record once, answer at once; processing is a job."""
    provider = request.path_params["provider"]
    if provider not in ACCEPTED:
        return JSONResponse({"error": "unknown provider"}, status_code=404)
    body = await request.body()
    if len(body) > MAX_BODY:
        return JSONResponse({"error": "body too large"}, status_code=413)
    delivery = Delivery(
        provider=provider,
        account_code=request.path_params["account"],
        body=body,
        headers={k.lower(): v for k, v in request.headers.items()},
    )
    try:
        event_id, new = await asyncio.to_thread(receive, delivery, utcnow())
    except WebhookRejected as exc:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)
    return JSONResponse({"received": event_id, "duplicate": not new})
