"""The Chat tab in a real browser (Debian chromium + Playwright, like test_app_browser),
with the fake model backend: ask, see the answer, the SQL and the rows, run edited SQL,
follow a citation to its Annotate entry, rate the answer (feedback + golden example).
With no model at all (model_backend none): a query plan answers, and the tab shows it
under the SQL; a thumbs up keeps the plan with the golden example."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
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
    assert page.inner_text("#chat-plan").strip() == ""  # no answer, no plan
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
