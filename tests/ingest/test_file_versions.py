"""Database files of other Firebird versions: the ODS read from the header page before
attaching, an ODS 12 file made by Debian's Firebird 3 opened with Firebird 3's engine
inside the Firebird 5 client, and the one-line "what to do" for files no engine here opens.

No engine here writes ODS 11 or InterBase files, so those are a real ODS 12 file whose
header's version field is rewritten: enough for the check that refuses them before
the engine is involved, which is what is tested.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
from pathlib import Path

import pytest

from schemachat.configs import load_settings
from schemachat.ingest.firebird import create_database, ods_problem, opened, read_only
from schemachat.ingest.ods import Ods, read_ods
from tests.support import cli
from tests.support.legacy_databases import fb3_erp


@pytest.fixture(scope="module")
def fb3_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ODS 12 file written by Debian's Firebird 3 (read-only use: copy to change it)."""
    return fb3_erp(tmp_path_factory.mktemp("fb3file"))


def with_ods(source: Path, target: Path, raw_version: int) -> Path:
    """A copy of `source` whose header says ODS `raw_version` (0x800B: Firebird 2.x)."""
    data = bytearray(source.read_bytes())
    struct.pack_into("<H", data, 18, raw_version)
    struct.pack_into("<H", data, 62, 2)  # ODS 11's minor sits here: 11.2, Firebird 2.5
    target.write_bytes(bytes(data))
    return target


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_header_says_which_engine_wrote_the_file(fb3_file: Path, tmp_path: Path) -> None:
    assert read_ods(fb3_file) == Ods(major=12, minor=0, firebird=True, page_size=8192)
    assert read_ods(fb3_file).made_by == "Firebird 3"
    fb5 = tmp_path / "fb5.fdb"
    create_database(fb5).close()
    ods5 = read_ods(fb5)
    assert (ods5.major, ods5.minor, ods5.made_by) == (13, 1, "Firebird 5")
    old = read_ods(with_ods(fb3_file, tmp_path / "old.fdb", 0x800B))
    assert (str(old), old.made_by) == ("11.2", "Firebird 2.5")
    ib = read_ods(with_ods(fb3_file, tmp_path / "ib.gdb", 10))
    assert (ib.firebird, ib.made_by) == (False, "InterBase")
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all, just some text")
    assert read_ods(text) is None


def test_fb3_file_opens_with_firebird3_engine(fb3_file: Path) -> None:
    with opened(load_settings(fb_database=str(fb3_file))) as con:
        assert con.info.engine_version == 3.0
        assert con.info.ods == 12.0
        with read_only(con) as tra, tra.cursor() as cur:
            cur.execute("SELECT NOME, CIDADE, ATIVO FROM CLIENTE ORDER BY CLI_COD")
            assert cur.fetchall() == [("Ana Souza", "São Paulo", True),
                                      ("Bruno Lima", "Maceió", False)]


@pytest.mark.parametrize("made_by", ["Firebird 3", "Firebird 5"])
def test_attaching_changes_only_header_and_transaction_pages(fb3_file: Path, tmp_path: Path,
                                                             made_by: str) -> None:
    # What docs/firebird.md says attaching changes in a user's file: the header page's
    # counters, the transaction inventory page of the read-only transaction, at most
    # data pages' record-version housekeeping; no other page, and never the ODS.
    copy = tmp_path / "copy.fdb"
    if made_by == "Firebird 3":
        shutil.copy(fb3_file, copy)
    else:
        con = create_database(copy)
        con.execute_immediate("CREATE TABLE CLIENTE (ID INTEGER)")
        con.commit()
        con.execute_immediate("INSERT INTO CLIENTE VALUES (1)")
        con.execute_immediate("INSERT INTO CLIENTE VALUES (2)")
        con.commit()
        con.close()
    ods = read_ods(copy)
    before = copy.read_bytes()
    with (opened(load_settings(fb_database=str(copy))) as con, read_only(con) as tra,
          tra.cursor() as cur):
        cur.execute("SELECT COUNT(*) FROM CLIENTE")
        assert cur.fetchone() == (2,)
    after = copy.read_bytes()
    size = read_ods(copy).page_size
    assert len(after) == len(before)
    changed = {after[i] for i in range(0, len(after), size)
               if after[i:i + size] != before[i:i + size]}
    # 1: header page, 3: transaction inventory page; 5: a data page, when the engine
    # tidies record versions while reading (seen with Firebird 5 on freshly written rows)
    assert {1, 3} <= changed <= {1, 3, 5}
    assert read_ods(copy) == ods  # the same ODS: never upgraded
    assert ods.made_by == made_by


def test_cli_extract_counts_samples_on_fb3_file(fb3_file: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    for command in ("extract", "counts", "samples"):
        done = cli.run(command, "--database", str(fb3_file), "--workspace", str(ws))
        assert done.returncode == 0, (command, done.stderr)
    schema = json.loads((ws / "technical_schema_details.json").read_text())
    assert schema["database"]["engine_version"].startswith("3.0")
    assert [t["name"] for t in schema["tables"]] == ["CLIENTE", "PEDIDO"]
    cliente = next(t for t in schema["tables"] if t["name"] == "CLIENTE")
    assert cliente["description"] == "Cadastro de clientes"
    samples = (ws / "samples.json").read_text(encoding="utf-8")
    assert "Maceió" in samples and "São Paulo" in samples


@pytest.mark.parametrize(("raw", "made_by"), [(0x800B, "Firebird 2.5 database (ODS 11.2)"),
                                              (10, "InterBase database (ODS 10)")])
def test_cli_old_file_says_what_to_do_and_leaves_it_alone(
    fb3_file: Path, tmp_path: Path, raw: int, made_by: str
) -> None:
    old = with_ods(fb3_file, tmp_path / "ERP.FDB", raw)
    before = digest(old)
    done = cli.run("extract", "--database", str(old), "--workspace", str(tmp_path / "ws"))
    cli.assert_bad_input(done, made_by, "--database HOST[/PORT]:/path/on/that/server",
                         "gbak -b -user SYSDBA", "gbak -c -user SYSDBA ERP.fbk ERP-fb3.fdb")
    assert digest(old) == before


def test_fb3_file_without_firebird3_engine_names_the_package(tmp_path: Path) -> None:
    ods = Ods(major=12, minor=0, firebird=True, page_size=8192)
    line = ods_problem(tmp_path / "erp3.fdb", ods, engine12=False)
    assert line is not None and "\n" not in line
    assert "apt-get install firebird3.0-server-core" in line and "HOST[/PORT]:" in line
    assert ods_problem(tmp_path / "erp3.fdb", ods, engine12=True) is None
    newer = ods_problem(tmp_path / "x.fdb", Ods(14, 0, True, 8192), engine12=True)
    assert newer is not None and "Firebird 6" in newer and "newer" in newer
