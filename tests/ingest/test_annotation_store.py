"""The annotation store on a small schema: saves, stale saves, validation, history,
revert, corrupt files, and the fast re-merge of the combined document."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from schemachat.configs import BadInput
from schemachat.ingest.annotations import AnnotationStore, StaleEdit
from schemachat.ingest.merge import merge
from schemachat.ingest.models.annotations import ColumnNote, ObjectNote, SchemaMetadata
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.technical import TechnicalSchema
from schemachat.ingest.remerge import refresh_combined
from schemachat.ingest.workspace import Workspace, read_model, write_model
from tests.support.small_schema import small_workspace


@pytest.fixture
def store(tmp_path: Path) -> AnnotationStore:
    return AnnotationStore(small_workspace(tmp_path / "ws"))


def _with_column(note: ObjectNote, column: str, **fields: object) -> ObjectNote:
    cols = dict(note.columns)
    cols[column] = (cols.get(column) or ColumnNote()).model_copy(update=fields)
    return note.model_copy(update={"columns": cols})


def test_save_writes_sorted_file_and_history(store: AnnotationStore) -> None:
    note = _with_column(ObjectNote(description="Clientes", tags=["vendas"]), "SITUACAO",
                        description="Situação", values={"A": "ativo", "I": "inativo"})
    saved = store.save("CAD_CLI", note, based_on=0, who="ana")
    assert saved.revision == 1 and saved.updated_by == "ana"
    assert saved.columns["SITUACAO"].updated_by == "ana"
    data = json.loads(store.path.read_text())
    assert data["objects"]["CAD_CLI"]["columns"]["SITUACAO"]["values"] == {"A": "ativo",
                                                                           "I": "inativo"}
    assert "null" not in store.path.read_text()  # no noise in diffs
    [entry] = store.history("CAD_CLI")
    assert (entry.who, entry.revision, entry.old, entry.action) == ("ana", 1, None, "edit")
    assert entry.changed == ["description", "tags", "columns.SITUACAO.description",
                             "columns.SITUACAO.values"]


def test_unchanged_save_is_a_no_op(store: AnnotationStore) -> None:
    first = store.save("CAD_CLI", ObjectNote(description="Clientes"), based_on=0)
    again = store.save("CAD_CLI", ObjectNote(description=" Clientes "), based_on=1)
    assert again.revision == first.revision == 1
    assert len(store.history()) == 1


def test_stale_save_is_refused_and_shows_the_newer_value(store: AnnotationStore) -> None:
    read_by_both = store.get("CAD_CLI")
    store.save("CAD_CLI", _with_column(read_by_both, "SITUACAO", values={"A": "ativo"}),
               based_on=read_by_both.revision, who="ana")
    with pytest.raises(StaleEdit) as exc:
        store.save("CAD_CLI", _with_column(read_by_both, "SITUACAO", values={"A": "aberto"}),
                   based_on=read_by_both.revision, who="bob")
    msg = str(exc.value)
    assert "changed by ana" in msg and "revision 1" in msg and "'ativo'" in msg
    assert exc.value.current.columns["SITUACAO"].values == {"A": "ativo"}
    assert store.get("CAD_CLI").columns["SITUACAO"].values == {"A": "ativo"}


def test_patch_updates_keep_other_fields(store: AnnotationStore) -> None:
    store.update("CAD_CLI", lambda n: n.model_copy(update={"description": "Clientes"}))
    store.update("CAD_CLI", lambda n: _with_column(n, "CLI_NOM", description="Nome"))
    note = store.get("CAD_CLI")
    assert (note.description, note.columns["CLI_NOM"].description, note.revision) == (
        "Clientes", "Nome", 2)


@pytest.mark.parametrize(
    ("obj", "column", "fields", "message"),
    [
        ("CAD_XYZ", None, {}, "unknown table or view 'CAD_XYZ'"),
        ("CAD_CLI", "CLI_NOME", {"description": "x"}, "unknown column CAD_CLI.CLI_NOME"),
        ("CAD_CLI", "CLI_NOM", {"description": "   "}, "empty description of CAD_CLI.CLI_NOM"),
        ("CAD_CLI", "SITUACAO", {"values": {"AB": "x"}}, "longer than CHAR(1)"),
        ("CAD_CLI", "TP_PES", {"values": {"F": "física"}}, "not a whole number"),
        ("CAD_CLI", "TP_PES", {"values": {"70000": "x"}}, "out of the range of SMALLINT"),
        ("CAD_CLI", "CLI_VLLIM", {"values": {"1.234": "x"}}, "more than 2 decimal places"),
        ("CAD_CLI", "SITUACAO", {"values": {"A": " "}}, "empty meaning"),
        ("CAD_CLI", "CLI_EMAIL", {"values": {"x" * 81: "y"}}, "longer than VARCHAR(80)"),
    ],
)
def test_bad_input_names_the_thing_and_writes_nothing(
    store: AnnotationStore, obj: str, column: str | None, fields: dict, message: str
) -> None:
    note = ObjectNote(description="ok")
    if column:
        note = _with_column(note, column, **fields)
    with pytest.raises(BadInput, match=re.escape(message)):
        store.save(obj, note, based_on=0)
    assert not store.path.exists() and not store.workspace.history.exists()


def test_empty_table_description_refused(store: AnnotationStore) -> None:
    with pytest.raises(BadInput, match="empty description of CAD_CLI"):
        store.save("CAD_CLI", ObjectNote(description=""), based_on=0)


def test_views_and_procedure_parameters_can_be_annotated(store: AnnotationStore) -> None:
    store.save("V_CLI_ATIVO", ObjectNote(description="Clientes ativos"), based_on=0)
    store.save("SP_TOTAL", _with_column(ObjectNote(), "TOTAL", unit="R$"), based_on=0)
    assert store.get("SP_TOTAL").columns["TOTAL"].unit == "R$"


def test_history_per_column_and_revert(store: AnnotationStore) -> None:
    store.save("CAD_CLI", ObjectNote(description="v1"), based_on=0, who="ana")
    store.update("CAD_CLI", lambda n: _with_column(n, "SITUACAO", values={"A": "ativo"}))
    store.update("CAD_CLI", lambda n: n.model_copy(update={"description": "v2"}), who="bob")
    assert [e.revision for e in store.history("CAD_CLI", "SITUACAO")] == [2]
    bad_edit = store.history("CAD_CLI")[-1]
    reverted = store.revert(bad_edit.id, who="ana")
    assert reverted.description == "v1" and reverted.columns["SITUACAO"].values == {"A": "ativo"}
    assert reverted.revision == 4
    last = store.history("CAD_CLI")[-1]
    assert (last.action, last.reverts, last.who) == ("revert", bad_edit.id, "ana")
    with pytest.raises(BadInput, match="no history entry 'nope'"):
        store.revert("nope")


def test_corrupt_file_is_never_overwritten(store: AnnotationStore) -> None:
    store.save("CAD_CLI", ObjectNote(description="Clientes"), based_on=0)
    lines = store.path.read_text().splitlines()
    lines[3] = lines[3] + ","  # a stray comma on line 4
    broken = "\n".join(lines) + "\n"
    store.path.write_text(broken)
    with pytest.raises(BadInput, match=r"line \d+.*Not overwriting it"):
        store.save("CAD_CLI", ObjectNote(description="x"), based_on=1)
    with pytest.raises(BadInput, match="Not overwriting"):
        store.get("CAD_CLI")
    assert store.path.read_text() == broken


def test_wrong_shape_names_the_field(store: AnnotationStore) -> None:
    store.path.write_text('{"objects": {"CAD_CLI": {"revision": "many"}}}')
    with pytest.raises(BadInput, match=r"objects\.CAD_CLI\.revision"):
        store.read()


def test_cut_history_line_is_skipped_and_closed(store: AnnotationStore) -> None:
    store.save("CAD_CLI", ObjectNote(description="a"), based_on=0)
    with open(store.workspace.history, "a") as fh:
        fh.write('{"id": "half')  # a writer killed mid-line
    store.save("CAD_CLI", ObjectNote(description="b"), based_on=1)
    assert [e.new.description for e in store.history() if e.new] == ["a", "b"]


def test_refresh_combined_patches_only_changed_objects(store: AnnotationStore) -> None:
    ws: Workspace = store.workspace
    technical = read_model(ws.technical, TechnicalSchema)
    write_model(ws.combined, merge(technical, SchemaMetadata()))
    store.save("CAD_CLI", _with_column(ObjectNote(description="Clientes"), "SITUACAO",
                                       values={"A": "ativo"}), based_on=0)
    store.save("SP_TOTAL", ObjectNote(description="Total"), based_on=0)
    meta = store.read()
    patched = refresh_combined(ws, meta, ["CAD_CLI", "SP_TOTAL"])
    full = merge(technical, meta)
    assert patched is not None
    assert patched.fingerprint == full.fingerprint
    on_disk = read_model(ws.combined, CombinedSchema)
    assert on_disk.relation("CAD_CLI").columns[2].annotation.values == {"A": "ativo"}


def test_refresh_combined_keeps_orphans(tmp_path: Path) -> None:
    ws = small_workspace(tmp_path / "ws")
    technical = read_model(ws.technical, TechnicalSchema)
    meta = SchemaMetadata(objects={"GONE": ObjectNote(description="old table"),
                                   "CAD_CLI": ObjectNote(columns={"OLD": ColumnNote(
                                       description="renamed")})})
    write_model(ws.combined, merge(technical, SchemaMetadata()))
    patched = refresh_combined(ws, meta, ["GONE", "CAD_CLI"])
    assert patched is not None and patched.fingerprint == merge(technical, meta).fingerprint
    assert set(patched.orphans.objects) == {"GONE"}
    assert set(patched.orphans.columns) == {"CAD_CLI.OLD"}
