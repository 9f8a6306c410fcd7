"""Adapters record the schema they were trained on, and are never used on another one:
the fingerprint itself, `adapters add`, an adapter asked for by name, and the active
schema adapter the chat model follows. Adapters from before the record are used with a
warning."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from schemachat.agent.adapters.active import ActiveAdapter, ActiveAdapterWatch, write_active
from schemachat.agent.adapters.schema import (
    SchemaFingerprint,
    check_schema,
    read_schema_fingerprint,
    write_schema_fingerprint,
)
from schemachat.agent.models import adapter_store, chat_model
from schemachat.configs import BadInput
from schemachat.ingest.merge import merge
from schemachat.ingest.models.technical import Column, Relation
from schemachat.ingest.schema_fingerprint import schema_fingerprint, shape_of, workspace_shape
from schemachat.ingest.workspace import Workspace, write_model
from tests.support.adapters import LLAMA, peft_folder
from tests.support.small_schema import small_schema, small_workspace


def _other_workspace(root: Path) -> Workspace:
    """The small schema with one more table: another database."""
    schema = small_schema()
    schema.tables.append(Relation(name="PACIENTE", kind="table", columns=[
        Column(name="PAC_ID", position=0, type="INTEGER", nullable=False)]))
    ws = Workspace(root).ensure()
    write_model(ws.technical, schema)
    return ws


def _trained_for(folder: Path, workspace: Path, db: str | None = None) -> Path:
    """An adapter folder recording the schema of `workspace` (as training writes it)."""
    shape = workspace_shape(workspace)
    assert shape is not None
    write_schema_fingerprint(folder, SchemaFingerprint.of(shape, db))
    return folder


def test_the_fingerprint_is_the_shape_of_tables_and_columns() -> None:
    schema = small_schema()
    first = schema_fingerprint(schema)
    assert first == schema_fingerprint(merge(schema)), "the document keeps the same shape"
    same = small_schema()
    same.tables[0].columns.reverse()  # column order and descriptions change no SQL
    same.tables[0].description = "clientes"
    same.tables[0].columns[0].description = "código"
    assert schema_fingerprint(same) == first
    retyped = small_schema()
    retyped.tables[0].columns[1].type = "VARCHAR(80)"
    assert schema_fingerprint(retyped) != first
    renamed = small_schema()
    renamed.tables[0].name = "CAD_CLIENTE"
    assert schema_fingerprint(renamed) != first
    assert shape_of(schema).short == first[:12] and shape_of(schema).tables == 5


def test_an_adapter_of_another_database_is_refused_naming_both(tmp_path: Path) -> None:
    mine = small_workspace(tmp_path / "mine").root
    theirs = _other_workspace(tmp_path / "theirs").root
    adapter = _trained_for(peft_folder(tmp_path / "schema-a", LLAMA), theirs, db="clinic")
    check_schema("schema-a", adapter, theirs, db="clinic")  # its own database: fine
    mine_fp = workspace_shape(mine).fingerprint  # type: ignore[union-attr]
    theirs_fp = workspace_shape(theirs).fingerprint  # type: ignore[union-attr]
    with pytest.raises(BadInput) as refused:
        check_schema("schema-a", adapter, mine, db="erp")
    message = str(refused.value)
    for needle in ("adapter 'schema-a'", "'clinic' (small.fdb", theirs_fp[:12],
                   "'erp' (small.fdb", mine_fp[:12], "only used on the database it was trained"):
        assert needle in message, message


def test_a_changed_schema_of_the_same_database_asks_for_a_retrain(tmp_path: Path) -> None:
    before = small_workspace(tmp_path / "before").root
    adapter = _trained_for(peft_folder(tmp_path / "schema-a", LLAMA), before, db="erp")
    after = _other_workspace(tmp_path / "after").root  # a table added since
    with pytest.raises(BadInput, match=r"changed since: retrain it \(schemachat retrain --db "
                                       r"erp\)"):
        check_schema("schema-a", adapter, after, db="erp")


def test_adapters_without_a_record_are_used_with_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    mine = small_workspace(tmp_path / "mine").root
    old = peft_folder(tmp_path / "old", LLAMA)
    with caplog.at_level(logging.WARNING):
        check_schema("old", old, mine)
    assert "adapter old records no schema fingerprint" in caplog.text
    caplog.clear()
    fresh = _trained_for(peft_folder(tmp_path / "new", LLAMA), mine)
    with caplog.at_level(logging.WARNING):
        check_schema("new", fresh, tmp_path / "not-extracted")
    assert "has no schema yet" in caplog.text


def test_add_and_use_by_name_refuse_another_databases_adapter(tmp_path: Path,
                                                              make_settings) -> None:
    settings = make_settings(model_backend="local", model_id=LLAMA, db=None)
    small_workspace(settings.workspace)
    theirs = _other_workspace(tmp_path / "theirs").root
    foreign = _trained_for(peft_folder(tmp_path / "foreign", LLAMA), theirs)
    store = adapter_store(settings)
    with pytest.raises(BadInput, match="adapter 'foreign' was trained on database"):
        store.add("foreign", foreign)
    assert not (settings.workspace / "adapters" / "foreign").exists()
    own = _trained_for(peft_folder(tmp_path / "own", LLAMA), settings.workspace)
    info = store.add("own", own)
    assert info.trained_on is not None
    assert info.trained_on == read_schema_fingerprint(own)

    # One trained elsewhere and copied in by hand is still refused when asked for.
    _trained_for(peft_folder(settings.workspace / "adapters" / "copied", LLAMA), theirs)
    with pytest.raises(BadInput, match="adapter 'copied' was trained on database"):
        chat_model(settings, adapters=["copied"])
    assert chat_model(settings, adapters=["own"]).adapters == ["own"]  # nothing loaded yet


def test_the_active_adapter_of_another_database_is_not_followed(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    mine = small_workspace(tmp_path / "mine").root
    theirs = _other_workspace(tmp_path / "theirs").root
    _trained_for(peft_folder(mine / "adapters" / "schema-x", LLAMA), theirs, db="clinic")
    write_active(mine, ActiveAdapter(adapter="schema-x", base=LLAMA))
    watch = ActiveAdapterWatch(workspace=mine, base_names=[LLAMA], db="erp")
    with caplog.at_level(logging.WARNING):
        assert watch.current() is None
    assert "active adapter not used: adapter 'schema-x' was trained on database 'clinic'" \
        in caplog.text
    _trained_for(peft_folder(mine / "adapters" / "schema-y", LLAMA), mine, db="erp")
    write_active(mine, ActiveAdapter(adapter="schema-y", base=LLAMA))
    assert watch.current() == ("schema-y", str(mine / "adapters" / "schema-y"))
