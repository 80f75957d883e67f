import logging

import pytest

from cbe_app.jobs.broker import BrokerMisconfigured, check_broker
from cbe_app.redis_client import get_redis
from tests.conftest import Backend


def test_a_redis_that_evicts_keys_is_refused_with_what_to_change(backend: Backend) -> None:
    client = get_redis()
    before = client.config_get("maxmemory-policy")["maxmemory-policy"]
    client.config_set("maxmemory-policy", "allkeys-lru")
    try:
        with pytest.raises(BrokerMisconfigured) as caught:
            check_broker(client)
    finally:
        client.config_set("maxmemory-policy", before)
    assert "allkeys-lru" in caught.value.text and "noeviction" in caught.value.text


def test_the_configured_redis_passes(backend: Backend, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        check_broker(get_redis())
    if backend.name == "sqlite":  # the embedded Redis keeps an append-only file
        assert "keeps nothing on disk" not in caplog.text
