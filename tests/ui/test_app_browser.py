"""The Gradio app in a real browser: Debian's chromium driven by Playwright, against the
app served on loopback over a copy of the demo workspace.

Opens on the first table nobody has described, its columns and samples shown, every grid
headed by its column names; annotates a column, saves, reloads and sees it persisted;
provokes a stale save from a second page; checks the Overview percent moved. With
APP_SCREENSHOTS=DIR set, saves a screenshot of each tab there (that is how docs/img/ is
made).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schemachat.ingest.annotations import AnnotationStore
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.samples import Samples
from schemachat.ingest.workspace import Workspace, read_model
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


def _headers(page: Any, grid: str) -> list[str]:
    """The column names a grid shows (once it is drawn)."""
    page.wait_for_selector(f"#{grid} thead th", timeout=10_000)
    return [h.strip() for h in page.locator(f"#{grid} thead th").all_inner_texts()]


def test_opens_on_the_first_undescribed_table(served: tuple[str, Path], browser: Any) -> None:
    url, root = served
    page = new_page(browser, url)  # no ?table=: what a newcomer sees first
    page.wait_for_selector("#ann-info h3", timeout=30_000)
    name = page.inner_text("#ann-info h3").split()[0]
    assert page.input_value("#ann-table input") == name
    # One database served: no picker, and the URL does not name it.
    assert not page.locator("#db-picker").is_visible()
    assert "db=" not in page.url

    # It is the first table, by name, that has no description; those before it have one.
    ws = Workspace(root)
    doc, notes = read_model(ws.combined, CombinedSchema), AnnotationStore(ws).read().objects
    described = {t.name: bool(t.description or (t.name in notes and notes[t.name].description))
                 for t in doc.tables}
    assert described[name] is False
    assert all(described[t] for t in sorted(described) if t < name)

    # Its columns and its sample rows are shown, under their own column names.
    rel = doc.relation(name)
    assert rel is not None
    assert _headers(page, "ann-columns")[:2] == ["column", "type"]
    # Gradio re-renders the table while it loads: the element may be missing a moment
    page.wait_for_function("n => (document.querySelector('#ann-columns')?.innerText ?? '')"
                           ".includes(n)", arg=rel.columns[0].name, timeout=10_000)
    shown = page.inner_text("#ann-columns")
    assert all(c.name in shown for c in rel.columns), shown
    sample = read_model(ws.samples, Samples).tables[name]
    assert sample.rows, f"the demo has sample rows of {name}"
    page.get_by_text("Sample rows").click()
    page.wait_for_function("v => (document.querySelector('#ann-samples')?.innerText ?? '')"
                           ".includes(v)", arg=str(sample.rows[0][1]), timeout=10_000)
    assert _headers(page, "ann-samples")[:2] == sample.columns[:2]
    # Grids with nothing in them yet still say what they would hold, not 1, 2, 3.
    page.get_by_text("History of this table").click()
    assert _headers(page, "ann-history")[:3] == ["id", "when", "who"]
    assert _headers(page, "ann-dist") == ["value", "count"]
    page.get_by_role("tab", name="Chat").click()
    assert "no result rows yet" in _headers(page, "chat-rows")[0]


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
