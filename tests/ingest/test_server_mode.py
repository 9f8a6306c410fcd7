"""Server mode against a real Firebird 3 server (Debian's firebird3.0-server) on loopback.

The client is the firebird-embedded wheel's Firebird 5 library (`ensure_client()`); it
talks wire protocol 15 to the FB3 server. Covered: connecting with settings, the one-line
errors (library and CLI, password by flag and by env), a user with only SELECT grants,
a role, extraction through the server compared with the same schema embedded, and the
Firebird 3 fallbacks: READ COMMITTED RECORD_VERSION instead of READ CONSISTENCY, and a
timer that cancels the operation instead of a statement timeout.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from firebird.driver import DatabaseError, create_database

from schemachat.configs import BadInput, Settings, load_settings
from schemachat.ingest import firebird as fbmod
from schemachat.ingest.counts import exact_counts
from schemachat.ingest.extract import extract_schema
from schemachat.ingest.firebird import (
    connect,
    ensure_client,
    fetch_timed,
    is_timeout,
    opened,
    read_only,
)
from schemachat.ingest.models.technical import TechnicalSchema
from tests.support import fbserver
from tests.support.fbserver import FirebirdServer

# Firebird 3 has no INT128, DECFLOAT or time zones, so not tests/data/mini_schema.sql:
# a small ERP slice with every object kind extraction reads.
SCHEMA = [
    "CREATE DOMAIN D_SITUACAO CHAR(1) DEFAULT 'A' NOT NULL CHECK (VALUE IN ('A', 'I'))",
    "CREATE TABLE CLIENTE (CLI_COD INTEGER NOT NULL PRIMARY KEY, NOME VARCHAR(60) NOT NULL, "
    "SITUACAO D_SITUACAO, CRIADO_EM TIMESTAMP DEFAULT CURRENT_TIMESTAMP, ATIVO BOOLEAN, "
    "OBS BLOB SUB_TYPE TEXT)",
    "CREATE TABLE PEDIDO (PED_NUM INTEGER NOT NULL, PED_SERIE CHAR(3) NOT NULL, "
    "CLI_COD INTEGER NOT NULL REFERENCES CLIENTE ON DELETE CASCADE, VALOR NUMERIC(15,2), "
    "CONSTRAINT PK_PEDIDO PRIMARY KEY (PED_NUM, PED_SERIE), "
    "CONSTRAINT CK_VALOR CHECK (VALOR >= 0))",
    "CREATE TABLE ITEM (PED_NUM INTEGER NOT NULL, PED_SERIE CHAR(3) NOT NULL, "
    "SEQ SMALLINT NOT NULL, QTD DOUBLE PRECISION, "
    "CONSTRAINT PK_ITEM PRIMARY KEY (PED_NUM, PED_SERIE, SEQ), "
    "CONSTRAINT FK_ITEM_PEDIDO FOREIGN KEY (PED_NUM, PED_SERIE) "
    "REFERENCES PEDIDO (PED_NUM, PED_SERIE))",
    "CREATE UNIQUE INDEX UQ_CLIENTE_NOME ON CLIENTE (NOME)",
    "CREATE DESCENDING INDEX IDX_PEDIDO_VALOR ON PEDIDO (VALOR)",
    "CREATE SEQUENCE GEN_CLIENTE",
    "CREATE VIEW V_CLIENTE_ATIVO AS SELECT CLI_COD, NOME FROM CLIENTE WHERE SITUACAO = 'A'",
    "CREATE TRIGGER TRG_CLIENTE_BI FOR CLIENTE BEFORE INSERT AS BEGIN "
    "IF (NEW.CLI_COD IS NULL) THEN NEW.CLI_COD = NEXT VALUE FOR GEN_CLIENTE; END",
    "CREATE PROCEDURE SP_TOTAL (P_CLI INTEGER) RETURNS (TOTAL NUMERIC(18,2)) AS BEGIN "
    "SELECT SUM(VALOR) FROM PEDIDO WHERE CLI_COD = :P_CLI INTO :TOTAL; SUSPEND; END",
    "COMMENT ON TABLE CLIENTE IS 'Cadastro de clientes'",
    "COMMENT ON COLUMN CLIENTE.SITUACAO IS 'A = ativo, I = inativo'",
]
ROWS = [
    "INSERT INTO CLIENTE (CLI_COD, NOME, SITUACAO) VALUES (1, 'Ana Souza', 'A')",
    "INSERT INTO CLIENTE (CLI_COD, NOME, SITUACAO) VALUES (2, 'Bruno Lima', 'I')",
    "INSERT INTO PEDIDO VALUES (10, 'A01', 1, 99.90)",
]
# The SQL docs/firebird.md shows: a user that may only read one table, and a role.
READER, READER_PASSWORD = "READER", "leitor-123"
ANALYST, ANALYST_PASSWORD, ROLE = "ANALISTA", "analista-456", "R_LEITURA"
GRANTS = [
    f"CREATE OR ALTER USER {READER} PASSWORD '{READER_PASSWORD}'",
    f"GRANT SELECT ON CLIENTE TO {READER}",
    f"CREATE OR ALTER USER {ANALYST} PASSWORD '{ANALYST_PASSWORD}'",
    f"CREATE ROLE {ROLE}",
    f"GRANT SELECT ON CLIENTE TO ROLE {ROLE}",
    f"GRANT {ROLE} TO {ANALYST}",
]
WRONG = "not-the-password-7"


def run_all(con: Any, statements: list[str]) -> None:
    """Execute and commit statements one by one (DDL is visible only after commit)."""
    for statement in statements:
        con.execute_immediate(statement)
        con.commit()


@pytest.fixture(scope="module")
def server_dsn(firebird_server: FirebirdServer) -> str:
    """A database on the server holding SCHEMA, ROWS and GRANTS, created over the wire."""
    ensure_client()
    dsn = firebird_server.dsn(firebird_server.data_dir / "erp.fdb")
    con = create_database(dsn, user=firebird_server.user, password=firebird_server.password,
                          charset="UTF8", overwrite=True)
    try:
        run_all(con, [*SCHEMA, *ROWS, *GRANTS])
    finally:
        con.close()
    return dsn


@pytest.fixture
def as_sysdba(firebird_server: FirebirdServer, server_dsn: str,
              make_settings: Callable[..., Settings]) -> Settings:
    """Settings that reach the server database as SYSDBA with the right password."""
    return make_settings(fb_database=server_dsn, fb_user=firebird_server.user,
                         fb_password=firebird_server.password)


# --- connecting ----------------------------------------------------------------------


def test_fb5_client_talks_to_fb3_server(as_sysdba: Settings) -> None:
    with opened(as_sysdba) as con:
        assert con.info.engine_version == 3.0
        assert "Firebird 3" in con.info.server_version
        with con.cursor() as cur:
            cur.execute("SELECT MON$REMOTE_PROTOCOL, MON$AUTH_METHOD FROM MON$ATTACHMENTS "
                        "WHERE MON$ATTACHMENT_ID = CURRENT_CONNECTION")
            assert cur.fetchone() == ("TCPv4", "Srp")
            cur.execute("SELECT NOME FROM CLIENTE ORDER BY CLI_COD")
            assert cur.fetchall() == [("Ana Souza",), ("Bruno Lima",)]


def test_read_only_query_through_server(as_sysdba: Settings) -> None:
    with opened(as_sysdba) as con, read_only(con) as tra, tra.cursor() as cur:
        cur.execute("SELECT CLI_COD, NOME FROM CLIENTE ORDER BY CLI_COD")
        assert cur.fetchall() == [(1, "Ana Souza"), (2, "Bruno Lima")]


def test_read_only_transaction_refuses_writes(as_sysdba: Settings) -> None:
    with opened(as_sysdba) as con, read_only(con) as tra, tra.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM CLIENTE")
        assert cur.fetchone() == (2,)
        with pytest.raises(DatabaseError, match="read-only transaction"):
            cur.execute("DELETE FROM CLIENTE")


@pytest.mark.parametrize("user", ["SYSDBA", "NOBODY"])
def test_wrong_password_is_one_line_bad_input(
    server_dsn: str, make_settings: Callable[..., Settings], user: str
) -> None:
    settings = make_settings(fb_database=server_dsn, fb_user=user, fb_password=WRONG)
    with pytest.raises(BadInput) as info:
        connect(settings)
    assert str(info.value) == f"wrong user or password for {server_dsn}"


def test_unreachable_server_and_missing_file(
    firebird_server: FirebirdServer, make_settings: Callable[..., Settings]
) -> None:
    fb = firebird_server
    closed = f"{fb.host}/{fbserver.free_port()}:{fb.data_dir / 'erp.fdb'}"
    with pytest.raises(BadInput) as info:
        connect(make_settings(fb_database=closed, fb_password=fb.password))
    assert str(info.value) == f"cannot reach the Firebird server for {closed}"

    missing = fb.dsn(fb.data_dir / "nope.fdb")
    with pytest.raises(BadInput) as info:
        connect(make_settings(fb_database=missing, fb_password=fb.password))
    assert str(info.value) == f"database file not found: {missing}"


def test_silent_server_gives_up_after_the_statement_timeout(
    make_settings: Callable[..., Settings]
) -> None:
    # Something listens on the port but never answers (a wrong port, a hung server):
    # Firebird's own ConnectTimeout would wait 180 s.
    with socket.socket() as silent:
        silent.bind((fbserver.HOST, 0))
        silent.listen(4)
        dsn = f"{fbserver.HOST}/{silent.getsockname()[1]}:/srv/erp.fdb"
        started = time.monotonic()
        with pytest.raises(BadInput) as info:
            connect(make_settings(fb_database=dsn, fb_password="x", statement_timeout_ms=1500))
        elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 10
    assert str(info.value).startswith(f"cannot reach the Firebird server for {dsn}: no answer "
                                      "within 2 s (SCHEMACHAT_STATEMENT_TIMEOUT_MS)")


# --- the command line ----------------------------------------------------------------


def schemachat_cli() -> str:
    """The installed console script next to this interpreter."""
    found = shutil.which("schemachat", path=str(Path(sys.executable).parent))
    assert found, f"no schemachat console script beside {sys.executable}"
    return found


def run_cli(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """Run `schemachat ARGS` with the test env (no SCHEMACHAT_* of the developer) plus env."""
    return subprocess.run([schemachat_cli(), *args], env={**os.environ, **env}, text=True,
                          capture_output=True, timeout=120, check=False)


@pytest.mark.parametrize("via", ["flag", "env"])
def test_cli_wrong_password_exits_2_with_one_line(server_dsn: str, tmp_path: Path,
                                                  via: str) -> None:
    args = ["extract", "--database", server_dsn, "--user", "SYSDBA",
            "--workspace", str(tmp_path / "ws")]
    env = {}
    if via == "flag":
        args += ["--password", WRONG]
    else:
        env["SCHEMACHAT_FB_PASSWORD"] = WRONG
    done = run_cli(args, **env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"error: wrong user or password for {server_dsn}"
    ]
    assert "Traceback" not in done.stderr and WRONG not in done.stderr + done.stdout
    assert not (tmp_path / "ws" / "technical_schema_details.json").exists()


def test_cli_extract_through_server(firebird_server: FirebirdServer, server_dsn: str,
                                    tmp_path: Path) -> None:
    done = run_cli(["extract", "--database", server_dsn, "--workspace", str(tmp_path)],
                   SCHEMACHAT_FB_USER="SYSDBA", SCHEMACHAT_FB_PASSWORD=firebird_server.password)
    if done.returncode != 0 and "transaction parameter block" in done.stderr:
        raise DatabaseError(done.stderr.strip().splitlines()[-1])
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "technical_schema_details.json").read_text())
    assert [t["name"] for t in data["tables"]] == ["CLIENTE", "ITEM", "PEDIDO"]


# --- a user with only SELECT grants, and a role ---------------------------------------


def test_select_only_user_reads_but_cannot_write(
    server_dsn: str, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(fb_database=server_dsn, fb_user=READER, fb_password=READER_PASSWORD)
    with opened(settings) as con, con.cursor() as cur:
        cur.execute("SELECT NOME FROM CLIENTE WHERE SITUACAO = 'A'")
        assert cur.fetchall() == [("Ana Souza",)]
        # The insert trigger's generator is checked first: any "no permission" will do.
        with pytest.raises(DatabaseError, match="no permission for"):
            cur.execute("INSERT INTO CLIENTE (CLI_COD, NOME) VALUES (3, 'Carla')")
        with pytest.raises(DatabaseError, match="no permission for UPDATE access to TABLE CLIENTE"):
            cur.execute("UPDATE CLIENTE SET NOME = 'x'")
        with pytest.raises(DatabaseError, match="no permission for SELECT access to TABLE PEDIDO"):
            cur.execute("SELECT * FROM PEDIDO")


def test_role_from_env_grants_select(
    server_dsn: str, make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHEMACHAT_FB_DATABASE", server_dsn)
    monkeypatch.setenv("SCHEMACHAT_FB_USER", ANALYST)
    monkeypatch.setenv("SCHEMACHAT_FB_PASSWORD", ANALYST_PASSWORD)
    with (opened(load_settings()) as con, con.cursor() as cur,  # no role: no rights
          pytest.raises(DatabaseError, match="no permission for SELECT")):
        cur.execute("SELECT COUNT(*) FROM CLIENTE")
    monkeypatch.setenv("SCHEMACHAT_FB_ROLE", ROLE)
    with opened(load_settings()) as con, con.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM CLIENTE")
        assert cur.fetchone() == (2,)


# --- extraction through the server ---------------------------------------------------


@pytest.fixture(scope="module")
def embedded_schema(tmp_path_factory: pytest.TempPathFactory) -> TechnicalSchema:
    """SCHEMA built in an embedded Firebird 5 database and extracted."""
    path = tmp_path_factory.mktemp("embedded") / "erp.fdb"
    con = fbmod.create_database(path)
    try:
        run_all(con, SCHEMA)
        return extract_schema(con, database_name="erp.fdb")
    finally:
        con.close()


@pytest.fixture
def server_schema(as_sysdba: Settings) -> Iterator[TechnicalSchema]:
    """SCHEMA extracted through the Firebird 3 server as SYSDBA."""
    with opened(as_sysdba) as con:
        yield extract_schema(con, database_name="erp.fdb")


def test_extract_through_server_matches_embedded(
    server_schema: TechnicalSchema, embedded_schema: TechnicalSchema
) -> None:
    assert server_schema.database.engine_version.startswith("3.0")
    assert embedded_schema.database.engine_version.startswith("5.")
    skip = {"extracted_at", "database"}
    assert server_schema.model_dump(mode="json", exclude=skip) == embedded_schema.model_dump(
        mode="json", exclude=skip)
    assert [t.name for t in server_schema.tables] == ["CLIENTE", "ITEM", "PEDIDO"]
    assert [v.name for v in server_schema.views] == ["V_CLIENTE_ATIVO"]


def test_select_only_user_can_extract(
    server_dsn: str, server_schema: TechnicalSchema, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(fb_database=server_dsn, fb_user=READER, fb_password=READER_PASSWORD)
    with opened(settings) as con:
        schema = extract_schema(con, database_name="erp.fdb")
    skip = {"extracted_at", "database"}
    assert schema.model_dump(mode="json", exclude=skip) == server_schema.model_dump(
        mode="json", exclude=skip)


def test_fb3_counts_exact_and_estimate(as_sysdba: Settings) -> None:
    with opened(as_sysdba) as con:
        exact = exact_counts(con, ["CLIENTE"], timeout_s=30)
        assert exact.tables["CLIENTE"].rows == 2 and exact.tables["CLIENTE"].method == "exact"


def test_fb3_timeout_cancels_a_runaway_query(as_sysdba: Settings) -> None:
    # Firebird 3 has no statement timeout: fetch_timed cancels the operation from a timer.
    runaway = ("select count(*) from rdb$fields a, rdb$fields b, rdb$fields c, "
               "rdb$relation_fields d")
    with opened(as_sysdba) as con, read_only(con) as tra:
        cur = tra.cursor()
        with pytest.raises(DatabaseError) as exc:
            fetch_timed(cur, runaway, 300)
        assert is_timeout(exc.value)
        assert fetch_timed(cur, "select count(*) from CLIENTE", 5_000) == [(2,)]
