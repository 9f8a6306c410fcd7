"""Debian's chromium driven by Playwright for the browser tests of the Gradio app: the
`browser` fixture (one browser per test module), the marks every browser test module
carries (MARKS), the app served on a free loopback port over a workspace (`served_app`),
a page that may reach loopback only, and screenshots into APP_SCREENSHOTS (docs/img/)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

MARKS = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed"),
    # Gradio's own pandas calls; nothing to do with this project.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*(no_silent_downcasting|copy keyword).*"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@contextmanager
def served_app(root: Path, model_loader: Any = None, **settings: Any
               ) -> Iterator[tuple[str, Path]]:
    """(url, root): the app on a free loopback port over the workspace at `root`, with
    `settings` on top; closed on exit. No chat model unless `settings` name a backend
    (the app would otherwise prepare the 1 GB default model in the background of tests
    that never ask it anything); `model_loader` replaces the model's preparation."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from schemachat.configs import load_settings
    from schemachat.ui.app import launch

    settings.setdefault("model_backend", "none")
    app, _, url = launch(load_settings(workspace=root, **settings), port=free_port(),
                         block=False, model_loader=model_loader)
    try:
        yield url.rstrip("/"), root
    finally:
        app.close()


def new_page(browser: Any, url: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    # Loopback only: a stray request to the internet fails at once instead of hanging.
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
        ("http://127.0.0.1", "data:", "blob:")) else r.abort())
    page.goto(url)
    return page


def shoot(page: Any, name: str) -> None:
    folder = os.environ.get("APP_SCREENSHOTS")
    if folder:
        # Relative to the repository: the tests run in a temporary working directory.
        out = REPO_ROOT / folder
        out.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out / name), full_page=True)
