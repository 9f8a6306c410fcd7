"""`schemachat annotate` and `schemachat annotations ...` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.workspace import read_model
from tests.support.cli import assert_bad_input, run
from tests.support.small_schema import small_workspace


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    small_workspace(root)
    assert run("merge", "-w", str(root)).returncode == 0
    return root


def test_annotate_saves_and_remerges(ws: Path) -> None:
    result = run("annotate", "cad_cli.situacao", "--description", "Situação do cliente",
                 "--value", "A=ativo", "--value", "I=inativo", "--who", "ana", "-w", str(ws))
    assert result.returncode == 0, result.stderr
    assert "saved CAD_CLI.SITUACAO (revision 1)" in result.stderr
    data = json.loads((ws / "schema_metadata.json").read_text())
    assert data["objects"]["CAD_CLI"]["columns"]["SITUACAO"]["values"] == {"A": "ativo",
                                                                           "I": "inativo"}
    combined = read_model(ws / "combined_schema_details.json", CombinedSchema)
    col = next(c for c in combined.relation("CAD_CLI").columns if c.name == "SITUACAO")
    assert col.annotation and col.annotation.description == "Situação do cliente"
    status = run("annotations", "status", "-w", str(ws))
    assert status.returncode == 0 and "all" in status.stdout


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["CAD_XYZ", "-D", "x"], ["unknown table or view 'CAD_XYZ'"]),
        (["CAD_CLI.NOPE", "-D", "x"], ["unknown column CAD_CLI.NOPE"]),
        (["CAD_CLI.CLI_NOM", "-D", ""], ["empty description of CAD_CLI.CLI_NOM"]),
        (["CAD_CLI.SITUACAO", "--value", "AB=x"], ["'AB'", "longer than CHAR(1)"]),
        (["CAD_CLI.TP_PES", "--value", "F=física"], ["'F'", "not a whole number", "SMALLINT"]),
        (["CAD_CLI.SITUACAO", "--value", "A"], ["VALUE=MEANING"]),
        (["CAD_CLI"], ["nothing to change"]),
    ],
)
def test_annotate_bad_input(ws: Path, args: list[str], needles: list[str]) -> None:
    assert_bad_input(run("annotate", *args, "-w", str(ws)), *needles)
    assert not (ws / "schema_metadata.json").exists()


def test_export_import_history_revert(ws: Path, tmp_path: Path) -> None:
    run("annotate", "CAD_CLI.SITUACAO", "-V", "A=ativo", "-w", str(ws))
    exported = tmp_path / "team.json"
    assert run("annotations", "export", str(exported), "-w", str(ws)).returncode == 0
    data = json.loads(exported.read_text())
    data["objects"]["CAD_CLI"]["columns"]["SITUACAO"]["values"] = {"A": "aberto", "I": "inativo"}
    data["objects"]["MOV_PED"] = {"description": "Pedidos"}
    exported.write_text(json.dumps(data))
    result = run("annotations", "import", str(exported), "-w", str(ws))
    assert result.returncode == 0, result.stderr
    assert "1 new objects, 2 fields filled, 1 conflicts" in result.stderr
    assert "columns.SITUACAO.values.A: workspace 'ativo', file 'aberto'" in result.stderr
    values = json.loads((ws / "schema_metadata.json").read_text())["objects"]["CAD_CLI"][
        "columns"]["SITUACAO"]["values"]
    assert values == {"A": "ativo", "I": "inativo"}

    history = run("annotations", "history", "CAD_CLI.SITUACAO", "-w", str(ws))
    assert history.returncode == 0 and "import" in history.stdout
    entry = json.loads((ws / "schema_metadata.history.jsonl").read_text().splitlines()[-2])
    assert entry["object"] == "CAD_CLI" and entry["action"] == "import"
    reverted = run("annotations", "revert", entry["id"], "-w", str(ws))
    assert reverted.returncode == 0, reverted.stderr
    values = json.loads((ws / "schema_metadata.json").read_text())["objects"]["CAD_CLI"][
        "columns"]["SITUACAO"]["values"]
    assert values == {"A": "ativo"}
    assert_bad_input(run("annotations", "revert", "nope", "-w", str(ws)), "no history entry")


def test_corrupt_annotations_file_is_not_overwritten(ws: Path) -> None:
    (ws / "schema_metadata.json").write_text('{\n  "objects": {\n    "CAD_CLI": {,\n  }\n}\n')
    before = (ws / "schema_metadata.json").read_text()
    result = run("annotate", "CAD_CLI", "-D", "Clientes", "-w", str(ws))
    assert_bad_input(result, "line 3", "Not overwriting")
    assert (ws / "schema_metadata.json").read_text() == before
