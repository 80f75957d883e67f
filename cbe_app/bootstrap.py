"""What a start needs before serving: the schema, the solution pack and (first time) the demo.

Every step is idempotent, so `make run` can do all of it on every start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from alembic.config import Config
from sqlalchemy import func, select

from alembic import command
from cbe_app.auth.models import User
from cbe_app.auth.service import create_user
from cbe_app.config import PROJECT_ROOT, Settings
from cbe_app.db import session_scope
from cbe_app.demo.accounts import DEMO_ACCOUNTS, connect_demo_accounts, record_demo_labels
from cbe_app.demo.adspend import load_ad_spend
from cbe_app.demo.service import DemoParams, dataset, demo_step, load_reference, order_count
from cbe_app.demo.stock_history import load_stock_history
from cbe_app.demo.users import DEMO_PASSWORD, DEMO_USERS
from cbe_app.hub.accounts import Account, AccountKind
from cbe_app.hub.providers.registry import provider
from cbe_app.hub.sync import sync_now
from cbe_app.jobs.broker import check_broker
from cbe_app.jobs.runner import Step, run_inline
from cbe_app.packs.service import PackReport, load_pack
from cbe_app.redis_client import get_redis
from cbe_app.reports.service import compact_rollups, record_inventory_now


@dataclass(frozen=True, slots=True)
class StartReport:
    """What the start did."""

    pack: PackReport
    demo_users: int
    demo_orders: int


def alembic_config() -> Config:
    """The Alembic configuration of this project."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    return config


def upgrade_database() -> None:
    """Bring the schema to the newest migration (`alembic upgrade head`)."""
    command.upgrade(alembic_config(), "head")


def create_demo_users(now: datetime) -> int:
    """Create the demo sign-ins when the installation has no users at all; returns how many."""
    with session_scope() as session:
        if session.scalar(select(func.count()).select_from(User)):
            return 0
        for demo in DEMO_USERS:
            create_user(
                session,
                email=demo.email,
                password=DEMO_PASSWORD,
                roles=demo.roles,
                full_name=demo.full_name,
                now=now,
                source="setup",
            )
    return len(DEMO_USERS)


def load_demo_data(
    params: DemoParams,
    base_currency: str,
    clock: Callable[[], datetime],
    progress: Callable[[Step], None] | None = None,
) -> int:
    """Load the demo business in this process; returns the number of orders."""
    step = run_inline(demo_step(base_currency), params.to_json(), clock=clock, progress=progress)
    return int(step.result.get("orders", 0))


def prepare(
    settings: Settings,
    clock: Callable[[], datetime],
    as_of: datetime,
    progress: Callable[[str, Step], None] | None = None,
) -> StartReport:
    """Check the broker, upgrade the schema, load the pack, and the first time the demo (as
    the provider sandboxes serve it: the business as it is at `as_of`)."""
    check_broker(get_redis())
    upgrade_database()
    with session_scope() as session:
        pack = load_pack(session, clock())
    users = orders = 0
    if settings.demo:
        users = create_demo_users(clock())
        with session_scope() as session:
            first_start = session.scalar(select(func.count()).select_from(Account)) == 0
        if first_start and settings.demo_orders:
            params = DemoParams(settings.demo_orders, 7, as_of.date(), as_of)
            orders = sync_demo(params, settings, clock, progress)
    return StartReport(pack, users, orders)


def sync_demo(
    params: DemoParams,
    settings: Settings,
    clock: Callable[[], datetime],
    progress: Callable[[str, Step], None] | None = None,
) -> int:
    """The demo the way a company's data arrives: its accounts synced from the sandboxes.

    Reference data (products, warehouses, suppliers, stock and its history) is loaded
    directly, as if imported from an ERP, and the ad platforms' exports through the file
    import, as if the marketing team uploaded them. Then every channel syncs over HTTP, then
    the carriers (looking up the parcels the channels reported, and the labels the hub bought
    for marketplace orders), then the payment providers, and last the product sales of every
    day are summed for inventory turnover. Returns the number of orders in the hub afterwards.
    """
    data = dataset(params)
    with session_scope() as session:
        load_reference(session, data, clock())
        load_ad_spend(session, data, settings.base_currency, clock())
        load_stock_history(session, data, settings.base_currency, clock())
        connect_demo_accounts(session, settings.sandbox_url, clock())
    base = settings.base_currency
    for code, _, provider_name in DEMO_ACCOUNTS:
        if provider(provider_name).kind is AccountKind.SALES:
            sync_now(code, base, clock, _tell(progress, code))
    with session_scope() as session:
        for channel in ("amazon", "ebay"):
            record_demo_labels(session, data, channel, params.as_of or clock())
    for code, _, provider_name in DEMO_ACCOUNTS:
        if provider(provider_name).kind is not AccountKind.SALES:
            sync_now(code, base, clock, _tell(progress, code))
    # Every day's product sales, for inventory turnover, now that every order is in; and the
    # rollup logs folded, so that customer cohorts count the synced orders at once.
    record_inventory_now(clock(), base, every_day=True)
    compact_rollups()
    with session_scope() as session:
        return order_count(session)


def _tell(progress: Callable[[str, Step], None] | None, code: str) -> Callable[[Step], None] | None:
    return None if progress is None else (lambda step: progress(code, step))
