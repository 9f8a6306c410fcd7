"""A Firebird server restart while schemachat is running: the call that finds its
connection lost gets a one-line DatabaseUnavailable (HTTP 503 from the API), calls while
the server is down say it cannot connect, and once the server is back the next call
works, with no restart of the app. And graceful shutdown: stopping the API closes its
database connections.

Each test has a private Firebird 3 server of its own (the `restartable_server` fixture
of tests/support/fbserver.py), stopped and started again on the same port.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from firebird.driver import connect as fb_connect
from firebird.driver import create_database

from schemachat.agent.retrieval.embeddings import SentenceEmbeddings
from schemachat.agent.retrieval.index import build_index
from schemachat.agent.sql.guard import run_read_only
from schemachat.configs import Settings, load_settings
from schemachat.ingest.firebird import (
    DatabaseUnavailable,
    SharedConnection,
    ensure_client,
    is_connection_lost,
)
from schemachat.ui.api import create_app
from tests.support import retrieval_fixtures
from tests.support.api import TOKEN, running
from tests.support.fbserver import RestartableServer

SQL = "SELECT CLI_COD, CLI_NOMRAZ FROM CAD_CLI ORDER BY CLI_COD"
ROWS = [[1, "Ana Souza"], [2, "Bruno Lima"]]


def make_database(server: RestartableServer) -> str:
    """CAD_CLI of the tiny retrieval schema with two rows, on `server`; its DSN."""
    ensure_client()
    fb = server.server
    dsn = fb.dsn(fb.data_dir / "erp.fdb")
    con = create_database(dsn, user=fb.user, password=fb.password, charset="UTF8")
    try:
        for statement in (
            "CREATE TABLE CAD_CLI (CLI_COD INTEGER NOT NULL PRIMARY KEY, "
            "CLI_NOMRAZ VARCHAR(60), CID_COD INTEGER, CLI_LIMCRED NUMERIC(15,2), "
            "SITUACAO CHAR(1))",
            "INSERT INTO CAD_CLI (CLI_COD, CLI_NOMRAZ) VALUES (1, 'Ana Souza')",
            "INSERT INTO CAD_CLI (CLI_COD, CLI_NOMRAZ) VALUES (2, 'Bruno Lima')",
        ):
            con.execute_immediate(statement)
            con.commit()
    finally:
        con.close()
    return dsn


def lost_message(server: RestartableServer, why: str) -> str:
    return (f"the Firebird server at {server.server.host}/{server.port} is unreachable "
            f"({why}); retrying on the next request")


def user_attachments(server: RestartableServer, dsn: str) -> int:
    """Attachments to `dsn` other than system ones and the one asking."""
    fb = server.server
    con = fb_connect(dsn, user=fb.user, password=fb.password)
    try:
        with con.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM MON$ATTACHMENTS WHERE MON$SYSTEM_FLAG = 0 "
                        "AND MON$ATTACHMENT_ID <> CURRENT_CONNECTION")
            return int(cur.fetchone()[0])
    finally:
        con.close()


def test_shared_connection_recovers_after_a_restart(
        restartable_server: RestartableServer, make_settings: Callable[..., Settings]) -> None:
    server = restartable_server
    dsn = make_database(server)
    settings = make_settings(fb_database=dsn, fb_user=server.server.user,
                             fb_password=server.server.password)
    shared = SharedConnection(settings)
    try:
        with shared.use() as con:
            assert run_read_only(con, SQL, settings).rows == [(1, "Ana Souza"),
                                                               (2, "Bruno Lima")]
        server.stop()
        with pytest.raises(DatabaseUnavailable) as lost, shared.use() as con:
            run_read_only(con, SQL, settings)
        assert str(lost.value) == lost_message(server, "connection lost")
        assert is_connection_lost(lost.value.__cause__)  # the driver's error, classified
        with pytest.raises(DatabaseUnavailable) as down, shared.use():
            pass
        assert str(down.value) == lost_message(server, "cannot connect")
        server.start()
        with shared.use() as con:
            assert len(run_read_only(con, SQL, settings).rows) == 2
    finally:
        shared.close()


@pytest.fixture
def workspace(tmp_path: Path, embeddings: SentenceEmbeddings) -> Path:
    """The tiny retrieval schema (CAD_CLI among others) with its index."""
    root = tmp_path / "ws"
    build_index(retrieval_fixtures.tiny_workspace(root), embeddings=embeddings)
    return root


def test_api_answers_503_while_the_server_restarts_then_recovers(
        restartable_server: RestartableServer, workspace: Path) -> None:
    server = restartable_server
    dsn = make_database(server)
    settings = load_settings(workspace=workspace, model_backend="fake", fake_responses=[SQL],
                             api_tokens=[TOKEN], fb_database=dsn, fb_user=server.server.user,
                             fb_password=server.server.password)
    ask = {"question": "código e nome dos clientes", "run": True}
    with running(create_app(settings)) as base, httpx.Client(
            base_url=base, timeout=120, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        first = client.post("/sql", json=ask)
        assert first.status_code == 200, first.text
        assert first.json()["rows"] == ROWS and first.json()["error"] is None
        assert user_attachments(server, dsn) == 1  # the agent's connection, kept open

        server.stop()
        lost = client.post("/sql", json=ask)
        assert lost.status_code == 503, lost.text
        assert lost.json() == {"detail": lost_message(server, "connection lost")}
        down = client.post("/sql", json=ask)
        assert down.status_code == 503, down.text
        assert down.json() == {"detail": lost_message(server, "cannot connect")}
        assert client.get("/health").status_code == 200  # the app itself is fine

        server.start()
        again = client.post("/sql", json=ask)
        assert again.status_code == 200, again.text
        assert again.json()["rows"] == ROWS and again.json()["error"] is None
        assert user_attachments(server, dsn) == 1
    # Graceful shutdown: the app's lifespan closed the agent's connection.
    assert user_attachments(server, dsn) == 0
