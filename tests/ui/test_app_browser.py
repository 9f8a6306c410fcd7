"""The Gradio app in a real browser: Debian's chromium driven by Playwright, against the
app served on loopback over a copy of the demo workspace.

Annotates a column, saves, reloads and sees it persisted; provokes a stale save from a
second page; checks the Overview percent moved. With APP_SCREENSHOTS=DIR set,
saves a screenshot of each tab there (that is how docs/img/ is made).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import MARKS, new_page, served_app, shoot

pytestmark = MARKS


@pytest.fixture(scope="module")
def served(demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, Path]]:
    """The app on a free loopback port over a copy of the demo workspace."""
    root = tmp_path_factory.mktemp("app") / "ws"
    shutil.copytree(demo_workspace, root)
    with served_app(root) as served:
        yield served


def _open(browser: Any, url: str, table: str, column: str) -> Any:
    page = new_page(browser, f"{url}/?table={table}&column={column}")
    page.wait_for_selector(f"#ann-info h3:has-text('{table}')", timeout=30_000)
    page.wait_for_function(
        "c => document.querySelector('#ann-column input')?.value === c", arg=column)
    return page


def _save(page: Any, expect: str) -> str:
    page.click("#ann-save")
    page.wait_for_selector(f"#ann-status:has-text('{expect}')", timeout=20_000)
    return str(page.inner_text("#ann-status"))


def _overview_percent(page: Any) -> float:
    page.get_by_role("tab", name="Overview").click()
    page.wait_for_selector("#overview-summary h3", timeout=20_000)
    text = page.inner_text("#overview-summary")
    return float(re.findall(r"([\d.]+)%", text)[-1])  # columns described


def test_annotate_save_reload_conflict_overview(served: tuple[str, Path], browser: Any) -> None:
    url, root = served
    page = _open(browser, url, "CAD_FOR", "FOR_FONE")
    before = _overview_percent(page)
    page.get_by_role("tab", name="Annotate").click()

    # Annotate a column and save.
    page.fill("#ann-col-desc textarea", "Telefone do fornecedor.")
    status = _save(page, "Saved")
    assert "Saved CAD_FOR" in status
    assert "Telefone do fornecedor." in (root / "schema_metadata.json").read_text()

    # Reload the page: the annotation is there.
    page.reload()
    page.wait_for_selector("#ann-info h3:has-text('CAD_FOR')", timeout=30_000)
    page.wait_for_function("() => document.querySelector('#ann-col-desc textarea')?.value"
                           " === 'Telefone do fornecedor.'", timeout=20_000)

    # Two pages read the same revision; the second save is refused and shows the newer value.
    other = _open(browser, url, "CAD_FOR", "FOR_EMAIL")
    page.click("#ann-reload")
    page.wait_for_selector("#ann-status:has-text('Reloaded')")
    page.fill("#ann-col-desc textarea", "Telefone comercial do fornecedor.")
    _save(page, "Saved")
    other.fill("#ann-col-desc textarea", "E-mail do fornecedor.")
    conflict = _save(other, "Conflict")
    assert "not saved" in conflict and "Telefone comercial do fornecedor." in conflict
    assert "E-mail do fornecedor." not in (root / "schema_metadata.json").read_text()

    # The Overview counts the new description.
    after = _overview_percent(page)
    assert after > before
    shoot(page, "overview.png")


def test_suggestions_and_bad_value(served: tuple[str, Path], browser: Any) -> None:
    url, root = served
    page = _open(browser, url, "CAD_FOR", "FOR_NOMFAN")
    page.wait_for_selector("#ann-suggestions li")
    assert "No suggestion model configured" in page.inner_text("#ann-model-status")
    page.get_by_role("button", name="Use suggested description").click()
    page.wait_for_function("() => document.querySelector('#ann-col-desc textarea')?.value"
                           " !== ''")
    assert "fantasia" in page.input_value("#ann-col-desc textarea").lower()
    text = (root / "schema_metadata.json").read_text()
    # A value the column cannot hold: clear message, nothing written.
    page.fill("#ann-col-values textarea", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH = x")
    status = _save(page, "Not saved")
    assert "longer than VARCHAR(40)" in status
    assert (root / "schema_metadata.json").read_text() == text
    shoot(page, "annotate.png")


def test_analysis_tab_draws_the_er_picture(served: tuple[str, Path], browser: Any) -> None:
    url, _ = served
    page = new_page(browser, url)
    page.get_by_role("tab", name="Analysis").click()
    page.wait_for_selector("#analysis-fk-like table", timeout=20_000)
    page.wait_for_selector("#analysis-er svg", timeout=30_000)
    assert "CAD_FIL" in page.inner_text("#analysis-referenced")
    shoot(page, "analysis.png")
