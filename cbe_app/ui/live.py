"""Live pages: one Redis subscription per app server pushes changes into the open pages.

A page that shows a topic calls `watch(topic, token, state)` when it loads. Workers publish
changes after they commit (`cbe_app.changes`); the subscriber below refreshes exactly the
watching pages, through Reflex's `modify_state`, and drops pages whose browser has gone.
Each refresh re-checks the viewer's access, so a revoked user stops receiving data at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from reflex.istate.manager.token import BaseStateToken
from reflex.state import BaseState

from cbe_app.changes import CHANNEL, Change
from cbe_app.redis_client import new_async_redis

log = logging.getLogger(__name__)
_watchers: dict[str, dict[str, type[BaseState]]] = {}


def watch(topic: str, token: str, state_cls: type[BaseState]) -> None:
    """Refresh `state_cls` of this browser tab whenever `topic` changes."""
    _watchers.setdefault(topic, {})[token] = state_cls


def unwatch(topic: str, token: str) -> None:
    """Stop refreshing this tab for `topic`."""
    _watchers.get(topic, {}).pop(token, None)


def _connected(app: Any, token: str) -> bool:
    namespace = getattr(app, "event_namespace", None)
    manager = getattr(namespace, "_token_manager", None)
    sockets = getattr(manager, "token_to_socket", None)
    return sockets is None or token in sockets


async def _refresh(app: Any, change: Change) -> None:
    for token, state_cls in list(_watchers.get(change.topic, {}).items()):
        if not _connected(app, token):
            unwatch(change.topic, token)
            continue
        try:
            async with app.modify_state(BaseStateToken(ident=token, cls=state_cls)) as root:
                state = await root.get_state(state_cls)
                if not await state._on_change(change):  # type: ignore[attr-defined]
                    unwatch(change.topic, token)
        except Exception:
            log.exception("live refresh of %s failed; dropping it", state_cls.__name__)
            unwatch(change.topic, token)


async def listen(app: Any) -> None:
    """The app server's subscription (a Reflex lifespan task); reconnects after Redis outages."""
    delay = 0.5
    while True:
        client = new_async_redis()
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(CHANNEL)
                delay = 0.5
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    change = Change.decode(message["data"])
                    if change is not None and change.topic in _watchers:
                        await _refresh(app, change)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning(
                "live updates: Redis subscription lost; retrying in %.1fs", delay, exc_info=True
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
        finally:
            await client.aclose()
