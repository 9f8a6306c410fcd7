"""The spreadsheet's cell format for value mappings, reading files back, and how an
import plan decides when the store's history cannot say what was exported."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemachat.configs import BadInput
from schemachat.ingest.annotation_checks import Catalog
from schemachat.ingest.models.annotations import ColumnNote, ObjectNote, SchemaMetadata
from schemachat.ingest.spreadsheet import (
    HEADERS,
    RawRow,
    SheetRow,
    format_values,
    parse_values,
    read_rows,
    write_rows,
)
from schemachat.ingest.spreadsheet_import import plan_sheet_import


@pytest.mark.parametrize("values", [
    {"A": "ativo", "I": "inativo"},
    {" ": "em branco", "": "vazio", '"X"': "entre aspas"},
    {"a;b": "x = y; z", "\\": "barra\\invertida", "=": "igual"},
    {},
])
def test_mappings_cell_round_trips(values: dict[str, str]) -> None:
    text = format_values(values)
    assert "\n" not in text
    assert parse_values(text) == values


def test_mappings_cell_reads_what_people_type() -> None:
    assert format_values({"A": "ativo", "I": "inativo"}) == "A = ativo; I = inativo"
    assert parse_values("A=ativo\nI = inativo ;") == {"A": "ativo", "I": "inativo"}


@pytest.mark.parametrize(("text", "needle"), [
    ("A ativo", "has no '='"),
    ("= ativo", "no value before"),
    ("A =", "no meaning"),
    ("A = ativo; A = aberto", "given twice"),
])
def test_malformed_mappings_cell(text: str, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        parse_values(text)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_files_read_back_what_was_written(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"sheet{suffix}"
    rows = [SheetRow("T", None, "TABLE", "=não é fórmula", revision=3),
            SheetRow("T", "C", "CHAR(1)", None, {"A": "ativo"}, "R$", "A, B", "Sugestão", 3)]
    assert write_rows(path, rows) == 2
    read = read_rows(path)
    assert [r.number for r in read] == [2, 3]
    assert [[r.cells[h] for h in HEADERS] for r in read] == [
        [str(c) for c in row.cells()] for row in rows]


def test_a_file_without_the_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("nome,descrição\nCAD_CLI,x\n", encoding="utf-8")
    with pytest.raises(BadInput, match="no column 'table'"):
        read_rows(path)


def _row(number: int, column: str, description: str, revision: int) -> RawRow:
    cells = dict.fromkeys(HEADERS, "") | {"table": "T", "column": column,
                                          "description": description,
                                          "revision": str(revision)}
    return RawRow(number, cells)


def test_without_the_exported_version_a_difference_is_a_conflict() -> None:
    # Revision 2 in the workspace, the file from revision 1, and no history saying what
    # revision 1 held: who changed C cannot be told, so it is not overwritten.
    catalog = Catalog({"T": {"C": "CHAR(1)", "D": "CHAR(1)"}})
    meta = SchemaMetadata(objects={"T": ObjectNote(revision=2, columns={
        "C": ColumnNote(description="novo"), "D": ColumnNote(description="igual")})})
    plan = plan_sheet_import([_row(2, "C", "velho", 1), _row(3, "D", "igual", 1)], meta,
                             catalog, history=[])
    assert [(c.row, c.workspace, c.file) for c in plan.conflicts] == [(2, "novo", "velho")]
    assert not plan.changes and not plan.edits and not plan.valid


def test_a_revision_newer_than_the_workspace_is_a_problem() -> None:
    catalog = Catalog({"T": {"C": "CHAR(1)"}})
    plan = plan_sheet_import([_row(2, "C", "x", 5)], SchemaMetadata(), catalog, history=[])
    assert [(p.row, "another workspace" in p.message) for p in plan.problems] == [(2, True)]
