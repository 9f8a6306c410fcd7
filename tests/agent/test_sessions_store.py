"""Where conversations are kept (`sessions_url`): the workspace's SQLite file by default,
another SQLite file, or a Postgres database that two agents share (two app replicas
behind a load balancer), so a follow-up asked of one sees the turn the other answered.
A real private Postgres on loopback, the real embedded demo database, scripted models."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemachat.agent.session import memory
from schemachat.configs import BadInput, load_settings
from tests.support import pgserver
from tests.support.agent_fixtures import private_workspace

ACTIVE = "quantos clientes ativos temos?"
FOLLOW = "e só para São Paulo?"
COUNT_ACTIVE = "SELECT COUNT(*) FROM CAD_CLI c WHERE c.SITUACAO = 'A'"
COUNT_SP = ("SELECT COUNT(*) FROM CAD_CLI c JOIN CAD_CID cc ON cc.CID_COD = c.CID_COD "
            "WHERE c.SITUACAO = 'A' AND cc.UF_SIGLA = 'SP'")


def test_sqlite_url_keeps_sessions_in_that_file(make_agent, agent_workspace: Path,
                                                tmp_path: Path) -> None:
    root = private_workspace(agent_workspace, tmp_path / "ws")
    elsewhere = tmp_path / "shared" / "sessions.sqlite"
    agent, _ = make_agent(COUNT_ACTIVE, workspace=root, sessions_url=f"sqlite:///{elsewhere}")
    agent.ask(ACTIVE, session="s1")
    assert elsewhere.exists() and not memory.sessions_path(root).exists()
    other, _ = make_agent(workspace=private_workspace(agent_workspace, tmp_path / "ws2"),
                          sessions_url=f"sqlite:///{elsewhere}")
    assert [t["question"] for t in other.history("s1")] == [ACTIVE]


@pytest.mark.parametrize(("url", "says"), [
    ("mysql://u:secret@db/x", "must start with sqlite:/// or postgresql://"),
    ("redis://secret@cache", "SCHEMACHAT_SESSIONS_URL"),
])
def test_unknown_scheme_is_bad_input(tmp_path: Path, url: str, says: str) -> None:
    settings = load_settings(workspace=tmp_path, sessions_url=url)
    with pytest.raises(BadInput, match=says) as caught:
        memory.open_checkpointer(settings)
    assert "secret" not in str(caught.value)


def test_unreachable_postgres_is_one_line_without_the_password(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "POSTGRES_WAIT_S", 1.0)
    port = pgserver.free_port()  # nothing listens there
    settings = load_settings(workspace=tmp_path,
                             sessions_url=f"postgresql://bob:hunter2@127.0.0.1:{port}/chat")
    with pytest.raises(BadInput) as caught:
        memory.open_checkpointer(settings)
    message = str(caught.value)
    assert f"127.0.0.1:{port}/chat" in message and "unreachable" in message
    assert "hunter2" not in message and "\n" not in message


def test_two_replicas_share_sessions_in_postgres(make_agent, agent_workspace: Path,
                                                 tmp_path: Path, postgres_url: str) -> None:
    # Two agents with their own workspaces, as two replicas on two hosts would have.
    first, _ = make_agent(COUNT_ACTIVE, sessions_url=postgres_url,
                          workspace=private_workspace(agent_workspace, tmp_path / "a"))
    second, model = make_agent(COUNT_SP, sessions_url=postgres_url,
                               workspace=private_workspace(agent_workspace, tmp_path / "b"))
    answered = first.ask(ACTIVE, session="pg-1")
    follow = second.ask(FOLLOW, session="pg-1")  # the load balancer sent it elsewhere
    assert f"Previous SQL: {COUNT_ACTIVE}" in model.prompt_text(-1)
    assert follow.error is None and follow.rows[0][0] < answered.rows[0][0]
    assert [t["question"] for t in first.history("pg-1")] == [ACTIVE, FOLLOW]
    assert second.history("pg-2") == []
    for root in (tmp_path / "a", tmp_path / "b"):
        assert not memory.sessions_path(root).exists()  # nothing went to SQLite


def test_postgres_sessions_survive_closing_the_agent(make_agent, agent_workspace: Path,
                                                     tmp_path: Path, postgres_url: str) -> None:
    agent, _ = make_agent(COUNT_ACTIVE, sessions_url=postgres_url,
                          workspace=private_workspace(agent_workspace, tmp_path / "c"))
    agent.ask(ACTIVE, session="pg-3")
    agent.close()  # releases the pool; a later agent (a restarted app) reads it back
    later, _ = make_agent(workspace=private_workspace(agent_workspace, tmp_path / "d"),
                          sessions_url=postgres_url)
    assert [t["question"] for t in later.history("pg-3")] == [ACTIVE]
