"""`schemachat annotations export --format xlsx|csv` and `annotations import FILE.xlsx|csv`
as a person uses them: export from a copy of the demo workspace, edit cells (openpyxl, or
the csv module as a spreadsheet program would save them), import, look at the store and
the merged document."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from schemachat.ingest.models.annotations import ObjectNote
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.samples import Samples
from schemachat.ingest.workspace import read_model
from tests.support.cli import assert_bad_input, run

HEADER = ["table", "column", "type", "description", "value mappings", "unit",
          "sample values", "suggested description", "revision"]


@pytest.fixture
def ws(demo_workspace: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(demo_workspace, root)
    return root


def _export(ws: Path, path: Path) -> None:
    result = run("annotations", "export", "--format", path.suffix[1:], "--output", str(path),
                 "-w", str(ws))
    assert result.returncode == 0, result.stderr
    assert path.is_file()


def _import(ws: Path, path: Path, *flags: str) -> tuple[int, list[str]]:
    result = run("annotations", "import", str(path), *flags, "--who", "sheet", "-w", str(ws))
    assert "Traceback" not in result.stderr
    return result.returncode, [line for line in result.stderr.splitlines() if line.strip()]


def _meta(ws: Path) -> dict:
    return json.loads((ws / "schema_metadata.json").read_text(encoding="utf-8"))["objects"]


def _column(ws: Path, table: str, column: str) -> object:
    doc = read_model(ws / "combined_schema_details.json", CombinedSchema)
    rel = doc.relation(table)
    assert rel is not None
    return next(c for c in rel.columns if c.name == column).annotation


class Book:
    """The exported workbook, its cells found by (table, column) and header name."""

    def __init__(self, path: Path):
        self.path = path
        self.book = load_workbook(path)
        self.sheet = self.book.active
        header = [c.value for c in self.sheet[1]]
        self.col = {name: header.index(name) + 1 for name in header}
        self.rows = {(r[0].value, r[1].value or None): r[0].row
                     for r in self.sheet.iter_rows(min_row=2)}

    def get(self, table: str, column: str | None, name: str) -> object:
        return self.sheet.cell(self.rows[table, column], self.col[name]).value

    def set(self, table: str, column: str | None, name: str, value: object) -> int:
        """Set a cell; the row number as the spreadsheet shows it."""
        row = self.rows[table, column]
        self.sheet.cell(row, self.col[name]).value = value
        return row

    def save(self) -> None:
        self.book.save(self.path)


def test_xlsx_round_trip(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "anotacoes.xlsx"
    _export(ws, path)
    book = Book(path)
    sheet = book.sheet
    assert [c.value for c in sheet[1]] == HEADER
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width >= 30  # the description column is readable
    doc = read_model(ws / "combined_schema_details.json", CombinedSchema)
    assert len(book.rows) == sum(1 + len(r.columns) for r in doc.relations())
    # what the row shows comes from the store and samples.json
    meta = _meta(ws)
    situacao = meta["CAD_CLI"]["columns"]["SITUACAO"]
    assert book.get("CAD_CLI", "SITUACAO", "value mappings") == "; ".join(
        f"{k} = {v}" for k, v in situacao["values"].items())
    assert book.get("CAD_CLI", "SITUACAO", "revision") == meta["CAD_CLI"]["revision"]
    samples = read_model(ws / "samples.json", Samples).tables["CAD_CLI"]
    seen = [str(v.value) for v in samples.distributions["SITUACAO"]]
    assert book.get("CAD_CLI", "SITUACAO", "sample values") == ", ".join(seen[:5])
    # suggestions only where nobody wrote a description yet, and there are some
    described = [(t, c) for (t, c) in book.rows if book.get(t, c, "description")]
    assert described and not any(book.get(t, c, "suggested description") for t, c in described)
    assert any(book.get(t, c, "suggested description") for t, c in book.rows)

    book.set("CAD_CLI", "CLI_NOMFAN", "description", "Nome fantasia (como o cliente é "
             "conhecido).")
    book.set("CAD_CLI", "SITUACAO", "value mappings",
             "A = ativo; B = bloqueado; I = inativo; X = excluído")
    book.set("CAD_CLI", "CLI_END", "description", book.get("CAD_CLI", "CLI_END",
                                                           "suggested description"))
    book.save()
    history_before = (ws / "schema_metadata.history.jsonl").exists()
    code, lines = _import(ws, path)
    assert code == 0, lines
    assert "3 cells changed in 1 tables" in lines[-1]

    after = _meta(ws)
    assert after["CAD_CLI"]["revision"] == meta["CAD_CLI"]["revision"] + 1  # one save
    unchanged = {k: v["revision"] for k, v in meta.items() if k != "CAD_CLI"}
    assert {k: after[k]["revision"] for k in unchanged} == unchanged  # no revision bump
    assert not history_before
    history = (ws / "schema_metadata.history.jsonl").read_text().splitlines()
    assert [json.loads(h)["object"] for h in history] == ["CAD_CLI"]
    assert json.loads(history[0])["action"] == "import" and json.loads(history[0])["who"] == \
        "sheet"
    merged = _column(ws, "CAD_CLI", "CLI_NOMFAN")
    assert merged.description == "Nome fantasia (como o cliente é conhecido)."
    assert _column(ws, "CAD_CLI", "SITUACAO").values == {
        "A": "ativo", "B": "bloqueado", "I": "inativo", "X": "excluído"}
    assert _column(ws, "CAD_CLI", "CLI_END").description == book.get(
        "CAD_CLI", "CLI_END", "suggested description")

    # The same file again: everything it says is in the workspace, nothing is saved.
    code, lines = _import(ws, path)
    assert code == 0 and "0 cells changed" in lines[-1], lines
    assert _meta(ws)["CAD_CLI"]["revision"] == after["CAD_CLI"]["revision"]


def _read_csv(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


def test_csv_round_trip(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "anotacoes.csv"
    _export(ws, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    rows = _read_csv(path)
    assert rows[0] == HEADER
    where = {(r[0], r[1]): i for i, r in enumerate(rows)}
    desc, values, unit = (HEADER.index(n) for n in ("description", "value mappings", "unit"))
    rows[where["CAD_CLI", "SITUACAO"]][desc] = "Situação cadastral do cliente."
    rows[where["CAD_CLI", "CLI_LIMCRED"]][unit] = ""  # an emptied cell clears the unit
    rows[where["CAD_FOR", ""]][desc] = "Fornecedores de mercadorias e serviços."
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    code, lines = _import(ws, path)
    assert code == 0, lines
    assert _column(ws, "CAD_CLI", "SITUACAO").description == "Situação cadastral do cliente."
    assert _column(ws, "CAD_CLI", "CLI_LIMCRED").unit is None
    doc = read_model(ws / "combined_schema_details.json", CombinedSchema)
    assert doc.relation("CAD_FOR").annotation.description == \
        "Fornecedores de mercadorias e serviços."

    # Excel in a Brazilian locale saves "CSV" with ';' in Windows-1252: read it too.
    rows[where["CAD_CLI", "SITUACAO"]][values] += "; X = excluído"
    with open(path, "w", encoding="cp1252", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    code, lines = _import(ws, path)
    assert code == 0, lines
    assert _column(ws, "CAD_CLI", "SITUACAO").values["X"] == "excluído"


def test_stale_revision_is_a_conflict_and_nothing_is_written(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    _export(ws, path)
    book = Book(path)
    row = book.set("CAD_CLI", "SITUACAO", "description", "Situação (planilha).")
    book.set("CAD_FOR", None, "description", "Fornecedores (planilha).")  # valid on its own
    book.save()
    # Meanwhile someone changes the same annotation from the command line.
    cli = run("annotate", "CAD_CLI.SITUACAO", "-D", "Situação (terminal).", "--who", "bruno",
              "-w", str(ws))
    assert cli.returncode == 0, cli.stderr
    stored = (ws / "schema_metadata.json").read_bytes()

    code, lines = _import(ws, path)
    assert code == 2
    conflict = next(line for line in lines if "conflict" in line)
    assert conflict.startswith(f"row {row}: conflict CAD_CLI.SITUACAO description")
    assert "workspace 'Situação (terminal).'" in conflict and "bruno" in conflict
    assert "file 'Situação (planilha).'" in conflict
    assert "nothing written" in lines[-1]
    assert (ws / "schema_metadata.json").read_bytes() == stored


def test_another_column_edited_since_export_is_no_conflict(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    _export(ws, path)
    book = Book(path)
    book.set("CAD_CLI", "CLI_NOMFAN", "description", "Nome fantasia (planilha).")
    book.save()
    cli = run("annotate", "CAD_CLI.SITUACAO", "-D", "Situação (terminal).", "-w", str(ws))
    assert cli.returncode == 0, cli.stderr

    code, lines = _import(ws, path)
    assert code == 0, lines
    assert "1 newer workspace values kept" in lines[-1]
    assert _column(ws, "CAD_CLI", "CLI_NOMFAN").description == "Nome fantasia (planilha)."
    assert _column(ws, "CAD_CLI", "SITUACAO").description == "Situação (terminal)."


def _bad_file(ws: Path, tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """An export with one good edit and four bad rows; their row numbers by kind."""
    path = tmp_path / "edited.xlsx"
    _export(ws, path)
    book = Book(path)
    rows = {
        "good": book.set("CAD_CLI", "CLI_NOMFAN", "description", "Nome fantasia (bom)."),
        "unknown": book.set("CAD_CLI", "CLI_IE", "column", "CLI_NOPE"),
        "malformed": book.set("CAD_CLI", "TP_PES", "value mappings", "F pessoa física"),
        "too long": book.set("CAD_CLI", "SITUACAO", "value mappings", "AB = ambos"),
        "table unit": book.set("CAD_FOR", None, "unit", "R$"),
    }
    book.save()
    return path, rows


def test_bad_rows_are_listed_by_number_and_nothing_is_written(ws: Path, tmp_path: Path
                                                              ) -> None:
    path, rows = _bad_file(ws, tmp_path)
    stored = (ws / "schema_metadata.json").read_bytes()
    code, lines = _import(ws, path)
    assert code == 2
    listed = {int(line.split(":")[0].removeprefix("row ")): line for line in lines
              if line.startswith("row ")}
    assert sorted(listed) == sorted(n for k, n in rows.items() if k != "good")
    assert "unknown column CAD_CLI.CLI_NOPE" in listed[rows["unknown"]]
    assert "has no '='" in listed[rows["malformed"]]
    assert "longer than CHAR(1)" in listed[rows["too long"]]
    assert "are for columns" in listed[rows["table unit"]]
    assert "nothing written" in lines[-1] and "--partial" in lines[-1]
    assert (ws / "schema_metadata.json").read_bytes() == stored

    dry = run("annotations", "import", str(path), "--dry-run", "-w", str(ws))
    assert dry.returncode == 2
    assert f"row {rows['good']}: CAD_CLI.CLI_NOMFAN description: 'Nome fantasia.' -> " \
           f"'Nome fantasia (bom).'" in dry.stderr
    assert (ws / "schema_metadata.json").read_bytes() == stored


def test_partial_writes_the_good_rows_only(ws: Path, tmp_path: Path) -> None:
    path, rows = _bad_file(ws, tmp_path)
    before = _meta(ws)
    code, lines = _import(ws, path, "--partial")
    assert code == 2  # rows were left out: a script must notice
    listed = sorted(int(line.split(":")[0].removeprefix("row ")) for line in lines
                    if line.startswith("row "))
    assert listed == sorted(n for k, n in rows.items() if k != "good")
    assert "1 cells changed in 1 tables" in lines[-1]
    after = _meta(ws)
    assert _column(ws, "CAD_CLI", "CLI_NOMFAN").description == "Nome fantasia (bom)."
    cad_cli = {k: v for k, v in after["CAD_CLI"]["columns"].items() if k != "CLI_NOMFAN"}
    assert {k: v["values"] for k, v in cad_cli.items()} == {
        k: v["values"] for k, v in before["CAD_CLI"]["columns"].items() if k != "CLI_NOMFAN"}
    assert ObjectNote.model_validate(after["CAD_FOR"]) == ObjectNote.model_validate(
        before["CAD_FOR"])


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["import", "notas.txt"], ["notas.txt", ".json, .xlsx or .csv"]),
        (["import", "falta.xlsx"], ["falta.xlsx not found"]),
        (["export", "--format", "xlsx", "--output", "a.csv"], ["--format xlsx", "a.csv"]),
        (["export", "--format", "csv"], ["needs a file"]),
    ],
)
def test_refusals_are_one_line(ws: Path, args: list[str], needles: list[str]) -> None:
    assert_bad_input(run("annotations", *args, "-w", str(ws)), *needles)


def test_json_import_dry_run_writes_nothing(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "team.json"
    assert run("annotations", "export", "--output", str(path), "-w", str(ws)).returncode == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    data["objects"]["CAD_CLI"]["columns"]["CLI_END"] = {"description": "Endereço."}
    path.write_text(json.dumps(data), encoding="utf-8")
    stored = (ws / "schema_metadata.json").read_bytes()
    code, lines = _import(ws, path, "--dry-run")
    assert code == 0 and "would import" in lines[-1] and "1 fields filled" in lines[-1], lines
    assert (ws / "schema_metadata.json").read_bytes() == stored
