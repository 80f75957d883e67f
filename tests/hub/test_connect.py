"""Connecting accounts: every input problem at once, one channel or carrier, sealed secrets."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text
from sqlmodel import col

from cbe_app.auth.models import AuditEvent
from cbe_app.core.errors import Conflict, ValidationFailed
from cbe_app.db import session_scope
from cbe_app.hub.accounts import Account
from cbe_app.hub.catalog import Carrier, Channel
from cbe_app.hub.connect import account_ref, connect_account, file_import_account
from cbe_app.hub.ingest.context import AccountRef
from cbe_app.hub.secrets import seal, unseal
from tests.conftest import Backend

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SECRET = "shpat_live_do-not-leak-0123456789"


def connect(**overrides: Any) -> Account:
    fields: dict[str, Any] = {
        "code": "shop-eu",
        "name": "  EU shop ",
        "provider_name": "shopify",
        "base_url": "https://eu-shop.myshopify.com/",
        "credentials": {"access_token": SECRET, "webhook_secret": "whsec_also_secret"},
        "now": NOW,
    } | overrides
    with session_scope() as session:
        return connect_account(session, **fields)


@pytest.fixture(autouse=True)
def _key_from_the_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts without a configured key, so the data folder's key is used."""
    monkeypatch.delenv("CBE_SECRET_KEY", raising=False)


def test_a_sales_account_gets_its_own_channel(backend: Backend) -> None:
    account = connect()
    assert (account.code, account.name, account.provider, account.kind) == (
        "shop-eu",
        "EU shop",
        "shopify",
        "sales",
    )
    assert account.base_url == "https://eu-shop.myshopify.com"  # trailing slash dropped
    assert account.carrier_id is None and account.settings == {}
    with session_scope() as session:
        channel = session.get(Channel, account.channel_id)
        assert channel is not None
        assert (channel.code, channel.name, channel.provider) == ("shop-eu", "EU shop", "shopify")


def test_carrier_accounts_of_one_provider_share_its_carrier(backend: Backend) -> None:
    first = connect(code="fedex-us", name="FedEx US", provider_name="FedEx", credentials={})
    second = connect(code="fedex-eu", name="FedEx EU", provider_name="fedex", credentials={})
    assert first.kind == second.kind == "carrier" and first.provider == "fedex"
    assert first.carrier_id == second.carrier_id is not None
    assert first.channel_id is None
    with session_scope() as session:
        carriers = session.scalars(select(Carrier)).all()
        assert [(c.code, c.name, c.provider) for c in carriers] == [("fedex", "FedEx", "fedex")]
        assert session.scalars(select(Channel)).all() == []


def test_a_payment_account_has_neither_channel_nor_carrier(backend: Backend) -> None:
    account = connect(code="stripe", name="Stripe", provider_name="stripe", settings={"x": 1})
    assert (account.kind, account.channel_id, account.carrier_id) == ("payment", None, None)
    assert account.settings == {"x": 1}
    assert account_ref(account) == AccountRef(account.id or 0, "stripe", "payment", None, None)


def test_every_input_problem_is_reported_at_once(backend: Backend) -> None:
    with pytest.raises(ValidationFailed) as caught:
        connect(
            code="my shop",
            name="   ",
            provider_name="etsy",
            base_url="ftp://shop",
            settings={"requests_per_second": "fast"},
        )
    errors = caught.value.field_errors
    assert sorted(errors) == ["base_url", "code", "name", "provider", "requests_per_second"]
    assert errors["requests_per_second"] == "Enter a number from 0 to 1000."
    assert errors["code"] == "Use letters, digits, - and _ only."
    assert errors["name"] == "Give the account a name."
    assert errors["base_url"] == "Enter the address of the API, starting with https://"
    assert errors["provider"].startswith("Unknown provider 'etsy'; choose from amazon, shopify")
    with session_scope() as session:
        assert session.scalars(select(Account)).all() == []


@pytest.mark.parametrize(
    ("given", "stored"),
    [("", {}), (" 2.5 ", {"requests_per_second": 2.5}), (0, {"requests_per_second": 0.0})],
)
def test_a_request_pace_is_kept_only_when_given(backend: Backend, given: Any, stored: Any) -> None:
    assert connect(settings={"requests_per_second": given}).settings == stored


@pytest.mark.parametrize("given", ["-1", "1001", "lots"])
def test_an_impossible_pace_is_refused(backend: Backend, given: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        connect(settings={"requests_per_second": given})
    assert caught.value.field_errors == {"requests_per_second": "Enter a number from 0 to 1000."}


BAD_CODES = ["", "   ", "eu shop", "shop/eu", "shop.eu", "-", "x" * 41]


def test_a_bad_code_is_refused_and_a_good_one_taken(backend: Backend) -> None:
    refused = {}
    for code in BAD_CODES:  # one database for all: each refusal happens before any write
        with pytest.raises(ValidationFailed) as caught:
            connect(code=code)
        refused[code] = caught.value.field_errors
    assert refused == {
        code: {"code": "Use letters, digits, - and _ only."} for code in BAD_CODES[:-1]
    } | {"x" * 41: {"code": "Use at most 40 characters."}}
    taken = [connect(code=code).code for code in ("shop_EU-2", "a", "x" * 40)]
    assert taken == ["shop_EU-2", "a", "x" * 40]


def test_too_long_names_and_addresses_are_refused_not_truncated(backend: Backend) -> None:
    with pytest.raises(ValidationFailed) as caught:
        connect(name="n" * 121, base_url="https://" + "a" * 293)
    assert caught.value.field_errors == {
        "name": "Use at most 120 characters.",
        "base_url": "Use at most 300 characters.",
    }
    assert connect(name="n" * 120, base_url="https://" + "a" * 292).name == "n" * 120


def test_a_second_account_with_the_same_code_conflicts(backend: Backend) -> None:
    connect()
    with pytest.raises(Conflict) as caught:
        connect(name="Another", provider_name="woocommerce")
    assert caught.value.text == "An account with this code already exists."
    with session_scope() as session:
        assert session.scalars(select(col(Account.provider))).all() == ["shopify"]


def test_connecting_is_audited_with_which_secrets_but_not_their_values(backend: Backend) -> None:
    account = connect()
    with session_scope() as session:
        event = session.scalars(select(AuditEvent)).one()
    assert (event.action, event.entity, event.entity_id, event.at) == (
        "account.connect",
        "account",
        str(account.id),
        NOW,
    )
    assert event.detail == {
        "provider": "shopify",
        "credentials": ["access_token", "webhook_secret"],
    }


def test_credentials_are_stored_sealed_and_read_back(backend: Backend, tmp_path: Path) -> None:
    account = connect()
    with session_scope() as session:
        stored = session.scalar(
            select(col(Account.credentials)).where(col(Account.id) == account.id)
        )
        # Every text column of the accounts and the audit trail, as the database holds them.
        dump = " ".join(
            str(row)
            for table in ("accounts", "audit_events", "channels")
            for row in session.execute(text(f"SELECT * FROM {table}")).all()
        )
    assert stored and SECRET not in stored and "access_token" not in stored
    assert SECRET not in dump and "whsec_also_secret" not in dump
    assert unseal(stored) == {"access_token": SECRET, "webhook_secret": "whsec_also_secret"}
    key = tmp_path / "secret.key"  # generated on first use, in the data folder, owner-only
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_sealed_credentials_need_the_same_key(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CBE_SECRET_KEY", Fernet.generate_key().decode())
    sealed = seal({"secret_key": "sk_live_1"})
    assert unseal(sealed) == {"secret_key": "sk_live_1"}
    monkeypatch.setenv("CBE_SECRET_KEY", Fernet.generate_key().decode())
    with pytest.raises(ValueError, match="cannot be read with this CBE_SECRET_KEY"):
        unseal(sealed)
    assert seal({}) == "" and unseal("") == {}


def test_the_file_import_account_is_made_once_per_provider(backend: Backend) -> None:
    with session_scope() as session:
        first = file_import_account(session, "CSV", NOW)
    with session_scope() as session:
        again = file_import_account(session, "csv", NOW)
        shopify = file_import_account(session, "shopify", NOW)
    assert first.id == again.id and first.id != shopify.id
    assert (first.code, first.name, first.base_url, first.credentials) == (
        "import-csv",
        "Spreadsheet import (CSV/XLSX)",
        "file://import",
        "",
    )
    assert shopify.code == "import-shopify" and shopify.channel_id != first.channel_id
    with session_scope() as session:
        assert session.scalars(select(col(Account.code)).order_by(col(Account.id))).all() == [
            "import-csv",
            "import-shopify",
        ]
        assert len(session.scalars(select(AuditEvent)).all()) == 2
