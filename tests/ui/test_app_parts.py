"""Parts of the app that need no browser: form conversions, model suggestions through a
fake chat model, the ER diagram, `serve` arguments, and refusing a broken annotations file."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from schemachat.configs import BadInput, SchemachatError, load_settings
from schemachat.ingest.merge import merge
from schemachat.ingest.models.annotations import ColumnNote, ObjectNote, SchemaMetadata
from schemachat.ui.app.er_diagram import er_dot, er_html
from schemachat.ui.app.forms import apply_forms, opening_table, table_choices, text_to_values
from schemachat.ui.suggest_model import NO_MODEL, ask_model, model_status, suggestion_model
from tests.support.cli import assert_bad_input, run
from tests.support.small_schema import small_schema, small_workspace


def test_value_lines_round_trip_and_bad_line() -> None:
    assert text_to_values("A = ativo\n\nI=inativo\n", "X") == {"A": "ativo", "I": "inativo"}
    with pytest.raises(BadInput, match="line 2: write VALUE = MEANING"):
        text_to_values("A = ativo\nI inativo", "SITUACAO")


def test_blank_form_fields_clear_the_note() -> None:
    note = ObjectNote(description="old", columns={"C": ColumnNote(description="d", unit="u")})
    new = apply_forms(note, "  ", "a, ,b", "", {"C": {"description": "", "values": "A = x",
                                                      "unit": "u", "notes": ""}})
    assert new.description is None and new.tags == ["a", "b"]
    assert new.columns["C"] == ColumnNote(values={"A": "x"}, unit="u")


def test_table_choices_filter() -> None:
    doc = merge(small_schema())
    meta = SchemaMetadata(objects={"CAD_CLI": ObjectNote(description="Clientes")})
    assert table_choices(doc, meta, "situacao", False) == ["CAD_CLI"]
    assert "CAD_CLI" not in table_choices(doc, meta, "", True)


def test_opening_table_is_the_first_undescribed_table() -> None:
    doc = merge(small_schema())
    names = sorted(t.name for t in doc.tables)  # CAD_CLI, CAD_FORN, HOT, LOG_X, MOV_PED
    described = {}
    for expected in names:
        assert opening_table(doc, SchemaMetadata(objects=described)) == expected
        described[expected] = ObjectNote(description=f"{expected} described")
    # Every table described: the undescribed view, then (all described) the first table.
    assert opening_table(doc, SchemaMetadata(objects=described)) == "V_CLI_ATIVO"
    described["V_CLI_ATIVO"] = ObjectNote(description="Clientes ativos")
    assert opening_table(doc, SchemaMetadata(objects=described)) == names[0]
    assert opening_table(doc.model_copy(update={"tables": [], "views": []}),
                         SchemaMetadata()) is None


def test_model_suggestions_with_a_fake_model() -> None:
    doc = merge(small_schema())
    model = FakeListChatModel(responses=[
        'Sure! ```json\n{"description": "Situação do cliente", "values": {"A": "ativo"}}\n```'])
    found = ask_model(model, doc, SchemaMetadata(), "CAD_CLI", "SITUACAO")
    assert [(s.field, s.value, s.source) for s in found] == [
        ("description", "Situação do cliente", "model"), ("values", {"A": "ativo"}, "model")]
    with pytest.raises(SchemachatError, match="did not answer with JSON"):
        ask_model(FakeListChatModel(responses=["no idea"]), doc, SchemaMetadata(), "CAD_CLI")


def test_no_model_configured_is_said_plainly() -> None:
    settings = load_settings()
    assert suggestion_model(settings) is None and model_status(settings) == NO_MODEL
    configured = load_settings(suggest_base_url="http://127.0.0.1:9/v1", suggest_model="m")
    assert suggestion_model(configured) is not None
    assert "`m`" in model_status(configured)


def test_er_diagram() -> None:
    doc = merge(small_schema())
    dot = er_dot(doc, "CAD_CLI")
    assert '"MOV_PED" -> "CAD_CLI"' in dot and "LOG_X" not in dot
    assert "<svg" in er_html(doc, "CAD_CLI") or "<pre>" in er_html(doc, "CAD_CLI")


def test_serve_refuses_missing_tokens_and_broken_files(tmp_path: Path) -> None:
    ws = small_workspace(tmp_path / "ws")
    assert_bad_input(run("serve", "api", "-w", str(ws.root)), "no API tokens")
    ws.annotations.write_text('{\n  "objects": {\n    "CAD_CLI": {\n      "description": x\n')
    assert_bad_input(run("serve", "ui", "-w", str(ws.root), "--port", "1"), "line 4",
                     "Not overwriting")
    assert_bad_input(run("serve", "ui", "-w", str(tmp_path / "empty")), "no schema")
