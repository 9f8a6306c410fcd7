"""The HTTP API served for real in tests: uvicorn on 127.0.0.1 (a free port) in a thread,
the bearer token the test settings accept, a merged small workspace to serve, and the fake
model's answer and SQL the agent-over-HTTP tests (API and Slack) script."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from schemachat.configs import Settings, load_settings
from schemachat.ingest import pipeline
from tests.support.small_schema import small_workspace

TOKEN = "s3cret-token-for-tests"
ANSWER = "O cadastro de clientes fica em CAD_CLI."
SQL = "SELECT CLI_COD, CLI_NOMRAZ FROM CAD_CLI"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn on loopback in a thread; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        assert thread.is_alive(), "server thread died"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def small_settings(root: Path, **overrides: Any) -> Settings:
    """A merged small workspace at `root` and API settings accepting TOKEN, with no chat
    model unless `overrides` name one (the server would otherwise prepare the 1 GB
    default model in the background of tests that never ask it anything)."""
    small_workspace(root)
    overrides.setdefault("api_tokens", [TOKEN])
    overrides.setdefault("model_backend", "none")
    settings = load_settings(workspace=root, **overrides)
    pipeline.run_merge(settings)
    return settings
