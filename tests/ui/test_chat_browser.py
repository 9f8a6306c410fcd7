"""The Chat tab in a real browser (Debian chromium + Playwright, like test_app_browser),
with the fake model backend: ask, see the answer, the SQL and the rows, run edited SQL,
follow a citation to its Annotate entry, rate the answer (feedback + golden example).
With no model at all (model_backend none): a query plan answers, and the tab shows it
under the SQL; a thumbs up keeps the plan with the golden example. While the app still
prepares its model (a loader that waits for the test): the tab says "Loading the
model…", a question waits saying so, and is answered once the model is ready."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import MARKS, new_page, served_app, shoot

pytestmark = MARKS

COUNT_ACTIVE = "SELECT COUNT(*) FROM CAD_CLI c WHERE c.SITUACAO = 'A'"


@pytest.fixture(scope="module")
def served(agent_workspace: Path, demo_db: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, Path]]:
    """The app with the fake backend over a copy of the indexed demo workspace."""
    root = tmp_path_factory.mktemp("chat") / "ws"
    shutil.copytree(agent_workspace, root)
    with served_app(root, fb_database=str(demo_db), model_backend="fake",
                    fake_responses=[COUNT_ACTIVE], agent_plans=False) as served:
        yield served


def _chat(page: Any) -> None:
    page.get_by_role("tab", name="Chat").click()
    page.wait_for_selector("#chat-question textarea", timeout=20_000)


def test_chat_ask_run_cite_and_rate(served: tuple[str, Path], browser: Any) -> None:
    url, root = served
    page = new_page(browser, url)
    _chat(page)
    page.wait_for_selector("#chat-model:has-text('is ready')", timeout=20_000)
    assert "fake" in page.inner_text("#chat-model")  # the model's name
    page.fill("#chat-question textarea", "quantos clientes ativos temos?")
    page.click("#chat-send")
    page.wait_for_selector("#chat-cites a", timeout=60_000)
    assert "Result: COUNT" in page.inner_text("#chat-log")
    assert "CAD_CLI" in page.inner_text("#chat-sql")
    assert "COUNT" in page.inner_text("#chat-rows")

    # Thumbs up: feedback recorded and the checked SQL kept as a golden example.
    page.click("#chat-up")
    page.wait_for_selector("#chat-status:has-text('golden example')", timeout=20_000)
    feedback = [json.loads(x) for x in (root / "feedback.jsonl").read_text().splitlines()]
    assert feedback[-1]["rating"] == "up" and feedback[-1]["sql"] == COUNT_ACTIVE
    golden = json.loads((root / "golden_sql.jsonl").read_text().splitlines()[-1])
    assert golden["question"] == "quantos clientes ativos temos?"
    assert golden["tables"] == ["CAD_CLI"]

    # Run the SQL (read-only): rows come from the engine.
    page.click("#chat-run")
    page.wait_for_selector("#chat-status:has-text(' row')", timeout=20_000)
    shoot(page, "chat.png")

    # A citation opens the Annotate entry of that column.
    href = page.get_attribute("#chat-cites a >> nth=1", "href")
    assert href is not None and "table=CAD_CLI" in href and "column=SITUACAO" in href
    page.click("#chat-down")
    page.wait_for_selector("#chat-status:has-text('recorded')", timeout=20_000)
    assert len((root / "feedback.jsonl").read_text().splitlines()) == 2


@pytest.fixture(scope="module")
def served_plans(agent_workspace: Path, demo_db: Path,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app with no model (query plans only) over a copy of the indexed demo workspace."""
    root = tmp_path_factory.mktemp("chat_plans") / "ws"
    shutil.copytree(agent_workspace, root)
    with served_app(root, fb_database=str(demo_db), model_backend="none") as served:
        yield served


def test_chat_shows_the_query_plan(served_plans: tuple[str, Path], browser: Any) -> None:
    url, root = served_plans
    page = new_page(browser, url)
    _chat(page)
    page.wait_for_selector("#chat-model:has-text('No chat model')", timeout=20_000)
    # no answer, no plan (once the page's load events are done: Gradio shows their
    # timer, "0.3s", in the component meanwhile)
    page.wait_for_function("document.querySelector('#chat-plan').innerText.trim() === ''",
                           timeout=20_000)
    page.fill("#chat-question textarea", "quantos clientes de Campinas?")
    page.click("#chat-send")
    page.wait_for_selector("#chat-plan table", timeout=60_000)
    shown = page.inner_text("#chat-plan")
    assert "Query plan" in shown and "CAD_CLI" in shown and "CAD_CID" in shown
    assert "CAD_CID.CID_NOME = 'Campinas'" in shown and "COUNT(*)" in shown
    # the plan's JSON is there, folded away until opened
    assert page.locator("#chat-plan details").count() == 1
    assert not page.locator("#chat-plan details pre").is_visible()
    page.click("#chat-plan details summary")
    assert '"table": "CAD_CLI"' in page.inner_text("#chat-plan details")
    assert "198" in page.inner_text("#chat-log")  # the engine's figure, in the answer
    assert "CID_NOME" in page.inner_text("#chat-sql")
    shoot(page, "chat-plan.png")

    # A thumbs up keeps the plan with the golden example.
    page.click("#chat-up")
    page.wait_for_selector("#chat-status:has-text('golden example')", timeout=20_000)
    golden = json.loads((root / "golden_sql.jsonl").read_text().splitlines()[-1])
    assert golden["question"] == "quantos clientes de Campinas?"
    assert golden["plan"]["table"] == "CAD_CLI"

    # Run as it is: still the plan's SQL. Edited and run: the plan no longer describes it.
    page.click("#chat-run")
    page.wait_for_selector("#chat-status:has-text(' row')", timeout=20_000)
    assert "CID_NOME" in page.inner_text("#chat-plan")
    page.click("#chat-sql .cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.type(" AND cc.SITUACAO = 'A'")
    page.click("#chat-run")
    page.wait_for_function("document.querySelector('#chat-plan').innerText.trim() === ''",
                           timeout=20_000)
    assert "198" not in page.inner_text("#chat-rows")

    # A question no plan fits: no plan shown, the error says why.
    page.fill("#chat-question textarea", "quantos clientes têm garantia estendida?")
    page.click("#chat-send")
    page.wait_for_selector("#chat-status:has-text('no query plan fits')", timeout=60_000)
    assert page.inner_text("#chat-plan").strip() == ""
    assert "garantia" in page.inner_text("#chat-log")


RELEASE = threading.Event()


def _slow_loader(settings: Any, say: Callable[[str], None]) -> None:
    """Stands for the default model's first conversion: loads until the test says so."""
    say("converting the default model once")
    RELEASE.wait(120)


@pytest.fixture(scope="module")
def served_loading(agent_workspace: Path, demo_db: Path,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app with the fake backend whose preparation waits for RELEASE."""
    root = tmp_path_factory.mktemp("chat_loading") / "ws"
    shutil.copytree(agent_workspace, root)
    RELEASE.clear()
    with served_app(root, model_loader=_slow_loader, fb_database=str(demo_db),
                    model_backend="fake", fake_responses=[COUNT_ACTIVE],
                    agent_plans=False) as served:
        yield served
    RELEASE.set()  # never leave the warm-up thread waiting


def test_chat_says_loading_until_the_model_is_ready(served_loading: tuple[str, Path],
                                                   browser: Any) -> None:
    url, _ = served_loading
    page = new_page(browser, url)
    _chat(page)
    page.wait_for_selector("#chat-model:has-text('Loading the model…')", timeout=20_000)
    assert "converting the default model once" in page.inner_text("#chat-model")

    # A question asked meanwhile waits, and says why instead of looking stuck.
    page.fill("#chat-question textarea", "quantos clientes ativos temos?")
    page.click("#chat-send")
    page.wait_for_selector("#chat-status:has-text('Loading the model…')", timeout=20_000)
    assert "Result: COUNT" not in page.inner_text("#chat-log")

    # Ready: the line at the top changes by itself and the question is answered.
    RELEASE.set()
    page.wait_for_selector("#chat-model:has-text('is ready')", timeout=20_000)
    page.wait_for_selector("#chat-cites a", timeout=60_000)
    assert "Result: COUNT" in page.inner_text("#chat-log")
    assert "Loading" not in page.inner_text("#chat-status")
