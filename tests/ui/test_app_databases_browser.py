"""Several databases in one Gradio app, in a real browser (Debian chromium + Playwright,
like test_app_browser): the demo ERP and a small clinic database built here with the
real embedded engine, both registered with `configs.databases.add_database` in a
temporary databases file the app's settings point at.

The header's picker switches every tab's content (the clinic's tables, never the ERP's)
and the URL follows it; `?db=` selects on load, an unknown one shows the default with a
note; two pages work on the two databases at once, a save in one landing in its own
workspace only. The Chat tab keeps one conversation per database (slow: both
databases get a retrieval index)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schemachat.configs import load_settings
from schemachat.configs.databases import add_database
from tests.support.browser import MARKS, new_page, served_app, shoot
from tests.support.clinic_database import CLINIC_TABLES
from tests.support.served_databases import clinic_workspace

pytestmark = MARKS

ERP_ONLY = ["CAD_CLI", "CAD_FOR", "CAD_FIL"]  # demo tables the clinic must never show


def _registry(base: Path, erp: tuple[Path, Path], clinic: tuple[Path, Path]) -> Path:
    """The databases file registering the ERP (the default, added first) and the clinic."""
    registry = base / "databases.json"
    add_database(registry, "erp", str(erp[0]), erp[1])
    add_database(registry, "clinic", str(clinic[0]), clinic[1])
    return registry


@pytest.fixture(scope="module")
def served(demo_db: Path, demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, Path, Path]]:
    """(url, erp workspace, clinic workspace): the app serving both databases. The ERP's
    workspace holds an adapter folder, so the Training tab has something to (not) show."""
    base = tmp_path_factory.mktemp("databases")
    erp_ws = base / "erp_ws"
    shutil.copytree(demo_workspace, erp_ws)
    adapter = erp_ws / "adapters" / "erp-adapter"
    adapter.mkdir(parents=True)
    (adapter / "adapter_config.json").write_text("{}")
    (adapter / "train_results.json").write_text(json.dumps({"global_step": 5}))
    clinic = clinic_workspace(base)
    registry = _registry(base, (demo_db, erp_ws), clinic)
    with served_app(erp_ws, databases_file=registry) as (url, _):
        yield url, erp_ws, clinic[1]


def _db_param(page: Any) -> str | None:
    return page.evaluate("new URL(location.href).searchParams.get('db')")


def _wait_db_param(page: Any, name: str) -> None:
    page.wait_for_function("n => new URL(location.href).searchParams.get('db') === n",
                           arg=name, timeout=20_000)


def _pick_database(page: Any, name: str) -> None:
    page.click("#db-picker input")
    page.locator(f"#db-picker li:has-text('{name}')").first.click()


def _annotating(page: Any, table: str, column: str | None = None) -> None:
    page.wait_for_selector(f"#ann-info h3:has-text('{table}')", timeout=30_000)
    if column:
        page.wait_for_function(
            "c => document.querySelector('#ann-column input')?.value === c", arg=column)


def _table_choices(page: Any) -> list[str]:
    """The names the Annotate tab's table dropdown offers."""
    page.click("#ann-table input")
    page.wait_for_selector("#ann-table li", timeout=10_000)
    # An option reads "✓\nNAME" when it is the one chosen.
    names = [n.split("\n")[-1].strip() for n in page.locator("#ann-table li").all_inner_texts()]
    page.keyboard.press("Escape")
    return names


def _tab_text(page: Any, tab: str, grid: str, expect: str) -> str:
    """Open `tab` and return the text of `grid` once it shows `expect`."""
    page.get_by_role("tab", name=tab).click()
    page.wait_for_function("([g, e]) => document.querySelector('#' + g)?.innerText"
                           ".includes(e)", arg=[grid, expect], timeout=30_000)
    return str(page.inner_text(f"#{grid}"))


def test_picker_switches_every_tab_and_the_url(served: tuple[str, Path, Path],
                                               browser: Any) -> None:
    url, _, _ = served
    page = new_page(browser, url)  # no ?db=: the default, and the URL now says so
    _annotating(page, "CAD_")
    assert page.input_value("#db-picker input") == "erp"
    _wait_db_param(page, "erp")
    assert "demo" in page.inner_text("#db-title")

    _pick_database(page, "clinic")
    _annotating(page, "CONSULTA")  # the clinic's first undescribed table
    _wait_db_param(page, "clinic")
    assert "clinic.fdb" in page.inner_text("#db-title")
    assert _table_choices(page) == sorted(CLINIC_TABLES)
    shoot(page, "databases.png")

    counts = _tab_text(page, "Overview", "overview-counts", "PACIENTE")
    assert all(t in counts for t in CLINIC_TABLES)
    assert not any(t in counts for t in ERP_ONLY), counts
    referenced = _tab_text(page, "Analysis", "analysis-referenced", "PACIENTE.PAC_ID")
    assert "CAD_" not in referenced
    page.wait_for_selector("#analysis-er svg", timeout=30_000)
    assert "CAD_" not in page.inner_text("#analysis-er")
    page.get_by_role("tab", name="Training").click()
    page.wait_for_selector("#training-adapters thead th", timeout=10_000)
    assert "erp-adapter" not in page.inner_text("#training-adapters")  # the ERP's own

    # Back to the ERP: its content again, on whichever tab is open.
    _pick_database(page, "erp")
    _tab_text(page, "Training", "training-adapters", "erp-adapter")
    counts = _tab_text(page, "Overview", "overview-counts", "CAD_CLI")
    assert not any(t in counts for t in CLINIC_TABLES)

    # A reload keeps the choice the URL holds.
    _pick_database(page, "clinic")
    _wait_db_param(page, "clinic")
    page.reload()
    _annotating(page, "CONSULTA")
    assert page.input_value("#db-picker input") == "clinic"


def test_db_in_the_url_and_two_pages_at_once(served: tuple[str, Path, Path],
                                             browser: Any) -> None:
    url, erp_ws, clinic_ws = served
    clinic = new_page(browser, f"{url}/?db=clinic&table=PACIENTE&column=CONVENIO")
    erp = new_page(browser, f"{url}/?db=erp&table=CAD_FOR&column=FOR_FONE")
    _annotating(clinic, "PACIENTE", "CONVENIO")
    _annotating(erp, "CAD_FOR", "FOR_FONE")
    assert clinic.input_value("#db-picker input") == "clinic"
    assert erp.input_value("#db-picker input") == "erp"
    assert clinic.inner_text("#db-note").strip() == ""

    # Both pages save at once; each note lands in its own database's workspace.
    clinic.fill("#ann-col-desc textarea", "Forma de pagamento da consulta.")
    erp.fill("#ann-col-desc textarea", "Telefone do fornecedor.")
    clinic.click("#ann-save")
    erp.click("#ann-save")
    clinic.wait_for_selector("#ann-status:has-text('Saved PACIENTE')", timeout=20_000)
    erp.wait_for_selector("#ann-status:has-text('Saved CAD_FOR')", timeout=20_000)
    clinic_notes = (clinic_ws / "schema_metadata.json").read_text()
    erp_notes = (erp_ws / "schema_metadata.json").read_text()
    assert "Forma de pagamento" in clinic_notes and "Telefone do fornecedor" not in clinic_notes
    assert "Telefone do fornecedor" in erp_notes and "Forma de pagamento" not in erp_notes
    # Each page still shows its own database (per-session state, nothing global).
    assert _db_param(clinic) == "clinic" and _db_param(erp) == "erp"
    assert "PACIENTE" in clinic.inner_text("#ann-info h3")
    assert _table_choices(clinic) == sorted(CLINIC_TABLES)

    # An unknown name: the default database, with a note saying so; the URL corrected.
    lost = new_page(browser, f"{url}/?db=nosuch")
    lost.wait_for_selector("#db-note:has-text('nosuch')", timeout=30_000)
    assert "showing erp" in lost.inner_text("#db-note")
    _annotating(lost, "CAD_")
    _wait_db_param(lost, "erp")


@pytest.fixture(scope="module")
def served_chat(demo_db: Path, agent_workspace: Path, embeddings: Any,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app serving both databases, each with its retrieval index, and no chat model
    (query plans answer)."""
    from schemachat.agent.retrieval import index_document
    from schemachat.ingest.models.combined import CombinedSchema
    from schemachat.ingest.workspace import Workspace, read_model

    base = tmp_path_factory.mktemp("databases_chat")
    erp_ws = base / "erp_ws"
    shutil.copytree(agent_workspace, erp_ws)
    clinic_db, clinic_ws = clinic_workspace(base)
    doc = read_model(Workspace(clinic_ws).combined, CombinedSchema)
    index_document(doc, clinic_ws / "index", load_settings(workspace=clinic_ws),
                   embeddings=embeddings)
    registry = _registry(base, (demo_db, erp_ws), (clinic_db, clinic_ws))
    with served_app(erp_ws, databases_file=registry, model_backend="none") as (url, _):
        yield url


def _ask(page: Any, question: str, answered: str) -> None:
    page.fill("#chat-question textarea", question)
    page.click("#chat-send")
    page.wait_for_function("t => document.querySelector('#chat-log')?.innerText.includes(t)",
                           arg=answered, timeout=60_000)


@pytest.mark.slow  # two retrieval indexes and two agents: well over 20 s on 2 cores
def test_chat_keeps_one_conversation_per_database(served_chat: str, browser: Any) -> None:
    page = new_page(browser, f"{served_chat}/?db=clinic")
    _annotating(page, "CONSULTA")  # the page has loaded the clinic
    page.get_by_role("tab", name="Chat").click()
    page.wait_for_selector("#chat-model:has-text('No chat model')", timeout=30_000)
    _ask(page, "quantos pacientes temos?", "3")
    assert "PACIENTE" in page.inner_text("#chat-sql")
    assert "CAD_" not in page.inner_text("#chat-sql") + page.inner_text("#chat-cites")
    href = page.get_attribute("#chat-cites a >> nth=0", "href")
    assert href is not None and href.startswith("?db=clinic&table=")

    # The ERP: its own, empty conversation; answered from its own tables.
    _pick_database(page, "erp")
    page.wait_for_function("() => !document.querySelector('#chat-log').innerText"
                           ".includes('pacientes')", timeout=20_000)
    _ask(page, "quantos clientes de Campinas?", "198")
    assert "PACIENTE" not in page.inner_text("#chat-sql")

    # Back to the clinic: its conversation again, none of the ERP's.
    _pick_database(page, "clinic")
    page.wait_for_function("() => document.querySelector('#chat-log').innerText"
                           ".includes('quantos pacientes temos?')", timeout=20_000)
    assert "Campinas" not in page.inner_text("#chat-log")
