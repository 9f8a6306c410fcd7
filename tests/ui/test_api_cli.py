"""`schemachat serve api` as a user runs it: refuses to start without tokens, serves on
loopback, stops cleanly on SIGTERM; `serve --hash-token` prints a token file line."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

from schemachat.ui.api.auth import hash_token
from tests.support.api import TOKEN, free_port, small_settings
from tests.support.cli import SCHEMACHAT, assert_bad_input, run


def test_hash_token_prints_the_file_line() -> None:
    result = subprocess.run([SCHEMACHAT, "serve", "--hash-token"], input="tok-1\n",
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == hash_token("tok-1") + "\n"


def test_serve_api_without_tokens_is_bad_input(tmp_path: Path) -> None:
    small_settings(tmp_path / "ws", api_tokens=[])
    assert_bad_input(run("serve", "api", "-w", str(tmp_path / "ws")), "no API tokens")


def test_serve_api_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    small_settings(tmp_path / "ws")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMACHAT_")}
    env["SCHEMACHAT_API_TOKENS"] = TOKEN
    env["SCHEMACHAT_MODEL_BACKEND"] = "none"  # no 1 GB model to prepare in a CLI test
    proc = subprocess.Popen([SCHEMACHAT, "serve", "api", "-w", str(tmp_path / "ws"),
                             "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.communicate()[1]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.2)
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).json()
        assert health["model"]["state"] == "none"
        tables = httpx.get(f"http://127.0.0.1:{port}/tables", timeout=10,
                           headers={"Authorization": f"Bearer {TOKEN}"})
        assert tables.status_code == 200 and tables.json()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        # uvicorn shuts down (lifespan end: agents closed), then re-raises the signal so
        # a supervisor sees how the process ended.
        assert proc.returncode in (0, -signal.SIGTERM), err
        assert "Application shutdown complete" in err and "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
