from pathlib import Path

import redis

from cbe_app import embedded_redis


def test_starts_once_keeps_data_and_replaces_a_stale_socket(tmp_path: Path) -> None:
    socket = tmp_path / "redis.sock"
    socket.touch()  # left behind by a server that was killed
    server = embedded_redis.start(tmp_path)
    assert server is not None
    try:
        client = redis.Redis(unix_socket_path=str(socket))
        assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
        assert client.config_get("appendonly")["appendonly"] == "yes"
        assert embedded_redis.start(tmp_path) is None  # one is already answering
        client.close()
    finally:
        server.terminate()
        server.wait(10)
