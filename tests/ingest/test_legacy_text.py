"""Text in charset NONE: a database created with DEFAULT CHARACTER SET NONE holding
Windows-1252 bytes, as legacy Brazilian ERPs do, read through every path without a decode
error; its encoding detected from the bytes and stored in the workspace; a column whose
bytes fit no encoding named in one line and shown escaped; SCHEMACHAT_FB_CHARSET wins."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from schemachat.configs import load_settings
from schemachat.ingest.legacy_text import detect
from tests.support import cli
from tests.support.api import TOKEN, running
from tests.support.legacy_databases import CLIENTS, none_erp

SQL = "SELECT NOME, CIDADE, LIXO FROM CLIENTE ORDER BY CLI_COD"


@pytest.fixture(scope="module")
def none_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A charset NONE database; text written as Windows-1252 bytes, and a column (LIXO)
    of bytes Windows-1252 leaves undefined (0x81 0x8D 0x8F)."""
    return none_erp(tmp_path_factory.mktemp("none") / "erp.fdb")


def test_detect_from_bytes() -> None:
    words = ["São Paulo", "Maceió", "Ação de cobrança", "Conceição do Araguaia", "Pão"]
    assert detect([w.encode("utf-8") for w in words]) == "UTF8"
    assert detect([w.encode("cp1252") for w in words]) == "WIN1252"
    assert detect([w.encode("cp850") for w in words]) == "DOS850"
    assert detect([]) == "UTF8"


def test_cli_reads_none_text_and_names_the_undecodable_column(none_db: Path,
                                                              tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    for command in ("extract", "counts", "samples"):
        done = cli.run(command, "--database", str(none_db), "--workspace", str(ws))
        assert done.returncode == 0, (command, done.stderr)
        assert "Traceback" not in done.stderr and "UnicodeDecodeError" not in done.stderr
    assert json.loads((ws / "text_encoding.json").read_text())["charset"] == "WIN1252"
    named = [line for line in done.stderr.splitlines() if line.startswith("column ")]
    assert len(named) == 1 and named[0].startswith("column CLIENTE.LIXO: ")
    assert "WIN1252" in named[0]
    sample = json.loads((ws / "samples.json").read_text(encoding="utf-8"))["tables"]["CLIENTE"]
    assert [r[1:4] for r in sample["rows"]] == [list(c[1:]) for c in CLIENTS]
    assert {r[4] for r in sample["rows"]} == {"\\x81\\x8d\\x8fA"}
    assert sample["undecodable"] == ["LIXO"]
    values = json.loads((ws / "text_values.json").read_text(encoding="utf-8"))
    assert values["columns"]["CLIENTE.CIDADE"]["values"] == ["Belém", "Maceió", "São Paulo"]
    assert "CLIENTE.LIXO" in values["errors"]


def test_charset_setting_overrides_detection(none_db: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    env = {"SCHEMACHAT_FB_CHARSET": "UTF8"}  # wrong for this database, on purpose
    for command in ("extract", "samples"):
        done = cli.run(command, "--database", str(none_db), "--workspace", str(ws), env=env)
        assert done.returncode == 0, (command, done.stderr)
    assert not (ws / "text_encoding.json").exists()
    named = [line.split(":")[0] for line in done.stderr.splitlines()
             if line.startswith("column ")]
    assert named == ["column CLIENTE.NOME", "column CLIENTE.CIDADE", "column CLIENTE.LIXO"]
    sample = json.loads((ws / "samples.json").read_text(encoding="utf-8"))["tables"]["CLIENTE"]
    assert sample["rows"][0][2] == "S\\xe3o Paulo"


def test_stored_choice_is_used_by_later_connections(none_db: Path, tmp_path: Path) -> None:
    from schemachat.ingest.firebird import opened, read_only

    settings = load_settings(workspace=tmp_path, fb_database=str(none_db))
    with opened(settings) as con:
        assert con.charset == "WIN1252"
    stored = json.loads((tmp_path / "text_encoding.json").read_text())
    assert stored["database"] == str(none_db) and stored["values_seen"] >= 6
    (tmp_path / "text_encoding.json").write_text(
        json.dumps({**stored, "charset": "DOS850"}))  # a stored choice is not redone
    with opened(settings) as con, read_only(con) as tra, tra.cursor() as cur:
        assert con.charset == "DOS850"
        cur.execute("SELECT CIDADE FROM CLIENTE WHERE CLI_COD = 1")
        assert cur.fetchone()[0].rstrip() == "São Paulo".encode("cp1252").decode("cp850")


@pytest.mark.slow
def test_agent_sql_and_api_on_none_database(none_db: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    for command in ("extract", "counts", "samples", "merge", "index"):
        args = [command, "--workspace", str(ws)]
        if command in ("extract", "counts", "samples"):
            args += ["--database", str(none_db)]
        done = cli.run(*args)
        assert done.returncode == 0, (command, done.stderr)
    env = {"SCHEMACHAT_MODEL_BACKEND": "fake", "SCHEMACHAT_AGENT_PLANS": "false",
           "SCHEMACHAT_FAKE_RESPONSES": json.dumps([SQL])}
    done = cli.run("sql", "as cidades dos clientes", "--run", "--json", "--workspace", str(ws),
                   "--database", str(none_db), env=env)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert [r[1].rstrip() for r in answer["rows"]] == ["São Paulo", "Maceió", "Belém"]
    assert answer["rows"][0][2] == "\\x81\\x8d\\x8fA"

    from schemachat.ui.api.app import create_app

    settings = load_settings(workspace=ws, fb_database=str(none_db), model_backend="fake",
                             agent_plans=False, fake_responses=[SQL], api_tokens=[TOKEN])
    with running(create_app(settings)) as base:
        reply = httpx.post(f"{base}/sql", json={"question": "as cidades", "run": True},
                           headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
    assert reply.status_code == 200, reply.text
    assert [r[0] for r in reply.json()["rows"]] == [c[1] for c in CLIENTS]
