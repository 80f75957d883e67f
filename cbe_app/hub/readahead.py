"""Reading a sync's next pages in a second process while this one writes the ones before.

A page costs two kinds of work: fetching, parsing, mapping and normalising it (no database),
then writing it (the database). Done one after the other, a sync uses one core. Here a forked
helper prepares the next pages while the job step writes the ones before, so both cores work.

Nothing about exactly-once changes: the helper never touches the database, and the step still
commits the records of the pages it took with the cursor after the last of them. A prepared
page is used only when it was prepared for exactly the cursor the step resumes from and with
the same rules (status maps, SKU map, base currency); anything else (a resumed job, an admin
editing a status map, a helper that died or failed) closes the helper and the step prepares
its page itself, the plain way.
Errors therefore always surface from the step's own fetch, with their usual handling.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import queue
import signal
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

import orjson

from cbe_app.hub.ingest.context import IngestContext
from cbe_app.hub.ingest.page import NormalisedPage, normalise_page
from cbe_app.hub.memory import settle_for_sync
from cbe_app.hub.providers.base import AccountConfig
from cbe_app.hub.providers.http import ProviderClient
from cbe_app.hub.providers.registry import provider

log = logging.getLogger(__name__)

IDLE_SECONDS = 60.0  # a helper nobody took a page from for this long is closed
STALL_SECONDS = 120.0  # a helper silent this long is given up: the step fetches itself
QUEUE_PAGES = 12  # pages received but not yet written (a batch and some); then the helper waits


@dataclass(slots=True)
class PreparedPage:
    """A page fetched and normalised, with where the sync goes after it."""

    state: dict[str, Any]  # the connector's paging state after this page
    done: bool
    next_since: str | None
    total: int | None
    records: NormalisedPage


def prepare_page(
    account: AccountConfig,
    client: ProviderClient,
    state: dict[str, Any],
    now: datetime,
    ctx: IngestContext,
) -> PreparedPage:
    """Fetch the page `state` points at, map it and normalise it (no database)."""
    info = provider(account.provider)
    page = info.connector().fetch(client, account, dict(state), now)
    records = normalise_page(info.mapper()(page.payload), ctx)
    return PreparedPage(page.state, page.done, page.next_since, page.total, records)


def state_key(state: dict[str, Any]) -> bytes:
    """The same key for equal paging states, whatever their key order."""
    return orjson.dumps(state, option=orjson.OPT_SORT_KEYS, default=str)


def rules_key(ctx: IngestContext) -> tuple[Any, ...]:
    """What a prepared page depends on besides its cursor."""
    return (ctx.maps, tuple(sorted(ctx.skus.items())), ctx.base_currency)


class NotReady(Exception):
    """The helper is still preparing the page: the caller may write what it has meanwhile."""


class ReadAhead:
    """One forked helper preparing the pages of one sync run, from a cursor to the last page.

    A plain `os.fork`: multiprocessing refuses to start children from a Celery pool process.
    """

    def __init__(
        self,
        account: AccountConfig,
        ctx: IngestContext,
        state: dict[str, Any],
        now: datetime,
        pacing: ProviderClient | None = None,
    ) -> None:
        self.rules = rules_key(ctx)
        self.account = account
        self.used = time.monotonic()
        here, there = socket.socketpair()
        self.pid = os.fork()
        if self.pid == 0:  # the helper
            code = 0
            try:
                here.close()
                _serve(Connection(there.detach()), account, ctx, (state, now), pacing)
            except BaseException:  # noqa: BLE001 - whatever happens, never return into the caller
                code = 1
            finally:
                os._exit(code)
        there.close()
        self.connection = Connection(here.detach())
        self._lock = threading.Lock()
        self._reaped = False
        # Pages are drained from the socket as they come, or the helper would stall whenever the
        # writer is busy writing; they are unpickled only when taken (that needs the GIL).
        self.arrived: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUE_PAGES)
        self.drain = threading.Thread(target=self._drain, daemon=True, name="cbe-read-ahead")
        self.drain.start()

    def _drain(self) -> None:
        """Receive pages until the helper ends; then reap it and close the socket.

        The socket is this thread's alone: closed under a reading thread, its descriptor number
        could be reused by another connection before the thread's next read.
        """
        try:
            while True:
                self.arrived.put(self.connection.recv_bytes(), timeout=IDLE_SECONDS)
        except queue.Full:
            # Nobody has taken a page for a while: the sync went on in another worker process
            # (or stopped). The helper must not wait forever, blocked on a page nobody reads.
            self._signal(signal.SIGTERM)
        except (EOFError, OSError):
            pass  # the helper finished, failed or was stopped
        self._end_helper()
        self.connection.close()
        with contextlib.suppress(queue.Full):
            self.arrived.put(None, timeout=1)  # nothing more will come

    def take(self, state: dict[str, Any], wait: float) -> PreparedPage | None:
        """The page prepared for `state`, or None (then the caller prepares it itself).

        Raises:
            NotReady: the page did not come within `wait` seconds, but may still come.
        """
        try:
            data = self.arrived.get(timeout=wait)
        except queue.Empty:
            if time.monotonic() - self.used < STALL_SECONDS:
                raise NotReady from None
            return None
        if data is None:
            return None
        key, answer = pickle.loads(data)  # noqa: S301 - from our own fork, over a private socket
        self.used = time.monotonic()
        if key != state_key(state) or not isinstance(answer, PreparedPage):
            return None
        return answer

    def close(self) -> None:
        """Stop the helper (it may be blocked sending a page nobody will read), reap it, and
        wait for the drain thread to end."""
        self._signal(signal.SIGTERM)
        deadline = time.monotonic() + 5
        while self.drain.is_alive() and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                while True:  # a thread blocked on a full queue must get to its next read
                    self.arrived.get_nowait()
            self.drain.join(0.05)
        if self.drain.is_alive():
            log.warning("A sync read-ahead helper (pid %s) did not stop", self.pid)

    def _signal(self, signum: int) -> None:
        # Only a helper not reaped yet: a reaped pid may already belong to another process.
        with self._lock:
            if not self._reaped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signum)

    def _end_helper(self) -> None:
        """Wait for the helper to exit (SIGKILL after 5 s) and reap it: never leave a zombie."""
        deadline = time.monotonic() + 5
        while not self._reap(block=False):
            if time.monotonic() > deadline:
                self._signal(signal.SIGKILL)
                self._reap(block=True)
                return
            time.sleep(0.01)

    def _reap(self, *, block: bool) -> bool:
        with self._lock:
            if not self._reaped:
                try:
                    pid, _ = os.waitpid(self.pid, 0 if block else os.WNOHANG)
                except ChildProcessError:  # reaped by someone else
                    pid = self.pid
                self._reaped = pid == self.pid
            return self._reaped


_helpers: dict[int, ReadAhead] = {}  # by sync run id, in this process


def take_prepared(
    run_id: int,
    account: AccountConfig,
    state: dict[str, Any],
    ctx: IngestContext,
    wait: float,
) -> PreparedPage | None:
    """The page at `state` if this run's helper prepared it under the same rules and account.

    None when there is no such helper or page: the caller prepares the page itself. Raises
    `NotReady` when the page may still come but did not within `wait` seconds.
    """
    _close_idle(keep=run_id)
    helper = _helpers.get(run_id)
    if helper is None:
        return None
    if helper.rules != rules_key(ctx) or helper.account != account:
        close(run_id)
        return None
    prepared = helper.take(state, wait)
    if prepared is None:
        close(run_id)
    return prepared


def read_ahead(
    run_id: int,
    account: AccountConfig,
    state: dict[str, Any],
    ctx: IngestContext,
    start: tuple[datetime, ProviderClient],
) -> None:
    """Start a helper preparing this run's pages from `state` on, unless one is at work.

    `start` is the step's time and its client, whose pacing the helper carries on.
    """
    if run_id in _helpers:
        return
    try:
        _helpers[run_id] = ReadAhead(account, ctx, state, *start)
    except OSError as exc:  # no fork here (or no resources for it): pages come one by one
        log.warning("Sync run %s reads its pages one by one: %s", run_id, exc)


def close(run_id: int) -> None:
    """Stop the run's helper, if it has one."""
    helper = _helpers.pop(run_id, None)
    if helper is not None:
        helper.close()


def _close_idle(keep: int) -> None:
    now = time.monotonic()
    for run_id, helper in list(_helpers.items()):
        if run_id != keep and now - helper.used > IDLE_SECONDS:
            close(run_id)


def _serve(
    connection: Connection,
    account: AccountConfig,
    ctx: IngestContext,
    start: tuple[dict[str, Any], datetime],
    pacing: ProviderClient | None,
) -> None:
    """The helper: prepare page after page from a cursor, until the last or the writer hangs up.

    `start` is the cursor and the step's time; the time only fixes a sync's window on its first
    page, so it stays the same for every page.
    """
    state, now = start
    # A forked Celery worker's signal handlers must not run here: SIGTERM simply ends us.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    settle_for_sync()
    client = provider(account.provider).connector().open(account)  # never the parent's sockets
    if pacing is not None:
        client.adopt_pacing(pacing)
    try:
        while True:
            try:
                page = prepare_page(account, client, state, now, ctx)
            except Exception as exc:  # noqa: BLE001 - the step fetches again and reports it
                connection.send((state_key(state), f"{type(exc).__name__}: {exc}"))
                return
            connection.send((state_key(state), page))
            if page.done:
                return
            state = page.state
    except (EOFError, OSError):
        pass  # the writer is gone
    finally:
        client.close()
        connection.close()
