"""Every event handler the app registers, listed by a separate Python process.

Importing the Reflex app builds its states and starts Reflex machinery that talks to Redis;
doing it in a child process keeps the test process clean and the listing complete.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from cbe_app.config import PROJECT_ROOT

_LIST = """
import json
from cbe_app.cbe_app import app  # noqa: F401 - registers every state
from reflex_base.registry import RegistrationContext
from cbe_app.ui.guard import access_of, is_framework_handler
rows = []
for name, registered in RegistrationContext.get().event_handlers.items():
    fn = registered.handler.fn
    rows.append([name, access_of(fn), fn.__module__, fn.__name__, is_framework_handler(fn)])
print(json.dumps(rows))
"""


@dataclass(frozen=True)
class Handler:
    """One registered event handler."""

    event: str
    access: str | None
    module: str
    function: str
    framework: bool

    @property
    def ours(self) -> bool:
        return self.module.startswith("cbe_app.")


def registered_handlers() -> list[Handler]:
    """All handlers of the app, from a fresh process."""
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "CBE_DATA_DIR": data_dir}
        env.pop("REDIS_URL", None)
        result = subprocess.run(
            [sys.executable, "-c", _LIST],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    return [Handler(*row) for row in json.loads(result.stdout.strip().splitlines()[-1])]
