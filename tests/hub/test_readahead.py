"""The sync's read-ahead: pages prepared in a forked helper, written by the job step.

Against the real sandbox over HTTP and real databases: what the helper prepares is exactly
what the step would have prepared itself; it is used only for the cursor and the rules it was
made for; a slow page lets the step write what it has; a provider failing half-way keeps the
pages before it; and no helper process outlives its sync.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import psutil
import pytest
from sqlalchemy import func, select
from starlette.types import ASGIApp, Receive, Scope, Send

from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.hub import readahead
from cbe_app.hub import sync as hub_sync
from cbe_app.hub.ingest.context import IngestContext
from cbe_app.hub.ingest.rules import ingest_context
from cbe_app.hub.orders import SalesOrder
from cbe_app.hub.providers.base import AccountConfig
from cbe_app.hub.providers.http import ProviderClient, ProviderError
from cbe_app.hub.readahead import PreparedPage, ReadAhead, prepare_page
from cbe_app.hub.runs import SyncRun
from cbe_app.hub.sandbox.app import build_app
from cbe_app.hub.sandbox.control import json_response
from cbe_app.hub.sandbox.data import SandboxData
from cbe_app.hub.sandbox.server import RunningSandbox
from cbe_app.hub.statusmap import StatusMapDefinition
from cbe_app.hub.sync import account_config, find_account, sync_now
from tests.conftest import Backend
from tests.hub.connectors import connect, sync
from tests.tasks.sandbox_tap import OrdersTap, serve

SMALL_PAGE = 50


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shopify pages of 50 orders: a sync of the test business takes a dozen pages."""
    from cbe_app.hub.providers.shopify import client

    monkeypatch.setattr(client, "PAGE_SIZE", SMALL_PAGE)


@pytest.fixture
def no_helper_left() -> Iterator[None]:
    """Fails the test if a helper process or a helper entry is left once it ends."""
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    yield
    assert readahead._helpers == {}
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    assert left == [], "a helper is still running, or was not reaped"


def _shopify(running: RunningSandbox) -> tuple[AccountConfig, IngestContext]:
    """A Shopify account on `running`: where it is, and the rules its pages are prepared with."""
    code = connect(running, "shopify")
    with session_scope() as session:
        account = find_account(session, code)
        return account_config(account), ingest_context(session, account, "USD", utcnow())


def _open(config: AccountConfig) -> ProviderClient:
    return hub_sync.provider("shopify").connector().open(config)


def _inline_pages(config: AccountConfig, ctx: IngestContext, now: datetime) -> list[PreparedPage]:
    client = _open(config)
    pages, state = [], {}
    try:
        while True:
            pages.append(prepare_page(config, client, state, now, ctx))
            if pages[-1].done:
                return pages
            state = pages[-1].state
    finally:
        client.close()


def test_the_helper_prepares_exactly_what_the_step_would(
    backend: Backend, sandbox: RunningSandbox, small_pages: None, no_helper_left: None
) -> None:
    config, ctx = _shopify(sandbox)
    now = utcnow()
    expected = _inline_pages(config, ctx, now)
    assert len(expected) > 3
    helper = ReadAhead(config, ctx, {}, now)
    try:
        state: dict[str, Any] = {}
        for want in expected:
            got = helper.take(state, wait=30)
            assert got is not None
            assert (got.state, got.done, got.total) == (want.state, want.done, want.total)
            assert got.records == want.records  # every canonical record, field by field
            state = got.state
    finally:
        helper.close()


def test_a_sync_reads_ahead_and_leaves_no_helper_behind(
    backend: Backend,
    sandbox: RunningSandbox,
    sandbox_data: SandboxData,
    small_pages: None,
    no_helper_left: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    taken: list[bool] = []
    original = readahead.take_prepared

    def counting(*args: Any, **kwargs: Any) -> PreparedPage | None:
        page = original(*args, **kwargs)
        taken.append(page is not None)
        return page

    monkeypatch.setattr(readahead, "take_prepared", counting)
    code = connect(sandbox, "shopify")
    orders = len(sandbox_data.orders("shopify"))
    assert sync(code)["created"] == orders
    pages = -(-orders // SMALL_PAGE)
    # The first page is fetched by the step itself; every later one came from the helper.
    assert taken.count(True) == pages - 1
    with session_scope() as session:
        run = session.scalars(select(SyncRun)).one()
        assert (run.pages, run.status) == (pages, "succeeded")


def test_a_page_is_used_only_for_its_cursor_and_rules(
    backend: Backend, sandbox: RunningSandbox, small_pages: None, no_helper_left: None
) -> None:
    config, ctx = _shopify(sandbox)
    now = utcnow()
    first = _inline_pages(config, ctx, now)[0]
    client = _open(config)

    readahead.read_ahead(1, config, first.state, ctx, (now, client))
    assert readahead.take_prepared(1, config, {"page_info": "elsewhere"}, ctx, 30) is None
    assert 1 not in readahead._helpers  # a cursor it was not asked for: the helper is closed

    readahead.read_ahead(2, config, first.state, ctx, (now, client))
    shopify = ctx.maps.by_provider["shopify"].model_dump()
    edited = StatusMapDefinition.model_validate(
        {**shopify, "order": {**shopify["order"], "on hold": "pending"}}
    )
    maps = type(ctx.maps).of([*ctx.maps.by_provider.values(), edited])  # the later one wins
    new_rules = IngestContext(ctx.account, maps, ctx.base_currency, ctx.now, skus=ctx.skus)
    assert readahead.take_prepared(2, config, first.state, new_rules, 30) is None
    assert 2 not in readahead._helpers  # an admin edited a status map: pages are redone
    client.close()


def test_a_slow_page_lets_the_step_write_what_it_has(
    backend: Backend, sandbox_data: SandboxData, small_pages: None, no_helper_left: None
) -> None:
    tap = OrdersTap(build_app(sandbox_data), hold=2)  # the second page keeps the helper waiting
    running = serve(tap)
    try:
        config, ctx = _shopify(running)
        client = _open(config)
        readahead.read_ahead(7, config, {}, ctx, (utcnow(), client))
        page = readahead.take_prepared(7, config, {}, ctx, 30)
        assert page is not None and not page.done
        assert tap.held.wait(30)
        with pytest.raises(readahead.NotReady):
            readahead.take_prepared(7, config, page.state, ctx, 0.2)
        tap.release()
        later = readahead.take_prepared(7, config, page.state, ctx, 30)
        assert later is not None and later.records.orders
        readahead.close(7)
        client.close()
    finally:
        tap.release()
        running.stop()


class _DownFrom:
    """Answers 503 to every orders listing from the `first`-th on, as a provider outage."""

    def __init__(self, app: ASGIApp, first: int) -> None:
        self.app, self.first, self.seen = app, first, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope["path"]).endswith("/orders.json"):
            self.seen += 1
            if self.seen >= self.first:
                response = json_response({"errors": "Service unavailable"}, 503)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def test_an_outage_half_way_keeps_the_pages_before_it(
    backend: Backend, sandbox_data: SandboxData, small_pages: None, no_helper_left: None
) -> None:
    running = serve(_DownFrom(build_app(sandbox_data), first=4))  # pages 1-3 come through
    try:
        code = connect(running, "shopify")
        with pytest.raises(ProviderError):
            sync_now(code, "USD", utcnow)
    finally:
        running.stop()
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(SalesOrder)) == 3 * SMALL_PAGE
        run = session.scalars(select(SyncRun)).one()
        assert (run.status, run.pages, run.created) == ("failed", 3, 3 * SMALL_PAGE)
        assert "503" in (run.error or "")


def test_a_helper_nobody_reads_from_stops_by_itself(
    backend: Backend,
    sandbox: RunningSandbox,
    small_pages: None,
    no_helper_left: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A sync's next step went to another worker process: this helper's pages are never taken.
    monkeypatch.setattr(readahead, "IDLE_SECONDS", 0.5)
    monkeypatch.setattr(readahead, "QUEUE_PAGES", 2)
    config, ctx = _shopify(sandbox)
    client = _open(config)
    helper = ReadAhead(config, ctx, {}, utcnow(), client)
    helper.drain.join(30)
    assert not helper.drain.is_alive()  # it stopped the helper, reaped it, closed the socket
    assert not psutil.pid_exists(helper.pid) or psutil.Process(helper.pid).ppid() != os.getpid()
    helper.close()  # nothing left to do, and no signal to a pid that may be reused
    client.close()
