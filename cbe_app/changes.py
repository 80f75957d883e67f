"""What changed, told by whoever changed it (worker, webhook, app server) to every app server.

A change is a topic (`jobs`, `orders`, …) and the ids it touched, published on one Redis
pub/sub channel after the transaction commits. App servers subscribe once and refresh only
the open pages that show that topic, so no page polls the database.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from cbe_app.redis_client import get_redis

CHANNEL = "cbe:changes"
FACTS = "facts"  # orders, parcels or payments changed: what dashboards show
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Change:
    """A topic and the ids of the records that changed in it."""

    topic: str
    ids: tuple[str, ...] = ()

    def encode(self) -> str:
        """The wire form: a small JSON object."""
        return json.dumps({"topic": self.topic, "ids": list(self.ids)})

    @classmethod
    def decode(cls, raw: bytes | str) -> Change | None:
        """Parse a message; None for anything that is not a change we understand."""
        try:
            data = json.loads(raw)
            return cls(str(data["topic"]), tuple(str(i) for i in data.get("ids", ())))
        except (ValueError, KeyError, TypeError):
            return None


def publish(topic: str, ids: Iterable[object] = ()) -> None:
    """Tell every app server that records of `topic` changed. Call after commit.

    Losing a notice only delays a refresh until the next one, so a Redis hiccup is logged and
    never fails the caller's (already committed) work.
    """
    change = Change(topic, tuple(str(i) for i in ids))
    try:
        get_redis().publish(CHANNEL, change.encode())
    except Exception:
        log.warning("could not publish change on %s", topic, exc_info=True)
