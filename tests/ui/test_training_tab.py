"""The Training tab's parts: adapters table, reports side by side, set active (refused
for an adapter of another database), retrain log streamed with the loss (retrain
replaced by a fake), and the tab builds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from schemachat.agent.adapters.active import read_active
from schemachat.agent.adapters.schema import SchemaFingerprint, write_schema_fingerprint
from schemachat.configs import load_settings
from schemachat.configs.databases import add_database
from schemachat.ingest.models.technical import Column, Relation
from schemachat.ingest.schema_fingerprint import workspace_shape
from schemachat.ingest.workspace import Workspace, write_model
from schemachat.training.retrain import RetrainOutcome
from schemachat.ui.app import training_tab
from tests.support.adapters import LLAMA, peft_folder
from tests.support.small_schema import small_schema, small_workspace


def _adapter(ws: Path, name: str, score: float | None) -> None:
    folder = ws / "adapters" / name
    folder.mkdir(parents=True)
    (folder / "adapter_config.json").write_text("{}")
    (folder / "train_results.json").write_text(json.dumps({"global_step": 5,
                                                           "train_loss": 1.5}))
    (folder / "dataset.json").write_text(json.dumps({"fingerprint": "fp"}))
    (folder / "training_args.json").write_text(json.dumps({"schemachat": {"base": "b"}}))
    if score is not None:
        (folder / "eval_report.json").write_text(json.dumps(
            {"runs": [{"model": "adapter", "with_context": True, "headline": score}]}))
        (folder / "eval_report.md").write_text(f"| adapter | with | {score} |\n")


def test_table_reports_and_set_active(tmp_path: Path) -> None:
    _adapter(tmp_path, "one", 0.4)
    _adapter(tmp_path, "two", None)
    rows = training_tab.adapter_rows(tmp_path)
    assert list(rows["adapter"]) == ["one", "two"] and not rows["active"].any()
    assert rows.iloc[0]["score (adapter, with context)"] == 0.4
    left, right = training_tab.reports_markdown(tmp_path, ["one", "two"])
    assert "| 0.4 |" in left and "no eval report" in right
    assert "now the active" in training_tab.set_active(tmp_path, "one")
    record = read_active(tmp_path)
    assert record and record.adapter == "one" and record.fingerprint == "fp"
    assert record.base == "b"
    assert training_tab.adapter_rows(tmp_path)["active"].tolist() == [True, False]


def test_set_active_refuses_an_adapter_of_another_database(tmp_path: Path) -> None:
    """Two registered databases; an adapter trained on `erp` found in `clinic`'s workspace
    is refused when made active there, with the message naming both databases by their
    registered names (not left to the chat model, which would only log it)."""
    from schemachat.ui.app.databases import ServedDatabases

    erp = small_workspace(tmp_path / "erp").root
    schema = small_schema()  # the clinic: one more table, so another schema
    schema.tables.append(Relation(name="PACIENTE", kind="table", columns=[
        Column(name="PAC_ID", position=0, type="INTEGER", nullable=False)]))
    clinic = Workspace(tmp_path / "clinic").ensure()
    write_model(clinic.technical, schema)
    registry = tmp_path / "databases.json"
    add_database(registry, "erp", str(tmp_path / "erp.fdb"), erp)
    add_database(registry, "clinic", str(tmp_path / "clinic.fdb"), clinic.root)
    served = ServedDatabases(load_settings(databases_file=registry))
    shape = workspace_shape(erp)
    assert shape is not None
    adapter = peft_folder(clinic.root / "adapters" / "schema-erp", LLAMA)
    write_schema_fingerprint(adapter, SchemaFingerprint.of(shape, "erp"))

    refused = training_tab.activate(served, "clinic", "schema-erp")
    assert refused.startswith("Not made active: adapter 'schema-erp' was trained on "
                              f"database 'erp' (small.fdb, schema {shape.short})"), refused
    assert "holds 'clinic' (small.fdb" in refused
    assert "schemachat retrain --db clinic" in refused
    assert read_active(clinic.root) is None, "nothing written"
    # In the database it was trained on (the default, None before the page loads) it is.
    shutil.copytree(adapter, erp / "adapters" / "schema-erp")
    assert "now the active" in training_tab.activate(served, None, "schema-erp")
    record = read_active(erp)
    assert record is not None and record.adapter == "schema-erp"
    assert "no adapter named 'nope'" in training_tab.activate(served, "erp", "nope")


def test_retrain_stream_shows_loss_live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        ) -> None:
    from schemachat.training import retrain as module

    def fake(settings: Any, config: Any, **kw: Any) -> RetrainOutcome:
        kw["log"]("regenerating")
        for step in (1, 2):
            kw["on_loss"](step, 2, 3.0 / step)
        return RetrainOutcome("switched", "new one is better", "x")

    monkeypatch.setattr(module, "retrain", fake)
    ctx = SimpleNamespace(settings=load_settings(workspace=tmp_path))
    frames = list(training_tab.retrain_stream(ctx, "cpu-gemma"))  # type: ignore[arg-type]
    assert "step 2/2 loss 1.5000" in frames[-2] and frames[-1].endswith("new one is better")


def test_tab_builds(tmp_path: Path) -> None:
    import gradio as gr

    from schemachat.ui.app.database_picker import DatabaseChoice
    from schemachat.ui.app.databases import ServedDatabases

    served = ServedDatabases(load_settings(workspace=tmp_path))  # opens nothing yet
    with gr.Blocks() as app, gr.Tabs(), gr.Tab("Training") as tab:
        training_tab.build(DatabaseChoice(served, gr.State(None), gr.Dropdown()), app,
                           tab)
