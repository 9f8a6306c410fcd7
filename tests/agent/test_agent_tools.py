"""The agent for models that can call tools (`agent_tools`): the model looks the schema
up with the schema tools, runs read-only SQL through the guard, and the result keeps to
the contract (SQL, rows and citations from the tools; sentences naming what the
document lacks dropped). Fake tool-calling models for the graph, and the real
`ChatOpenAI` client against a fake OpenAI server over HTTP; the real demo database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import FakeListChatModel, FakeMessagesListChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from pydantic import Field

from schemachat.agent.session import Agent
from schemachat.agent.sql.guard import run_read_only
from schemachat.configs import BadInput
from schemachat.ingest.firebird import opened
from tests.support import agent_fixtures
from tests.support.fake_llm_servers import FakeServer, fake_server

ACTIVE = "quantos clientes ativos temos?"
COUNT_ACTIVE = "SELECT COUNT(*) FROM CAD_CLI c WHERE c.SITUACAO = 'A'"
TOOL_NAMES = {"search_schema", "describe_table", "join_path", "value_mappings",
              "sample_rows", "run_readonly_sql"}


class ToolCallingFake(FakeMessagesListChatModel):
    """Answers scripted messages in turn; records the prompts and the tools bound."""

    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    bound: list[str] = Field(default_factory=list)

    def bind_tools(self, tools: Any, **kwargs: Any) -> ToolCallingFake:  # type: ignore[override]
        self.bound = [t.name for t in tools]
        return self

    def _generate(self, messages: list[BaseMessage], stop: Any = None,
                  run_manager: Any = None, **kwargs: Any) -> Any:
        if self.i >= len(self.responses):
            raise AssertionError(f"model asked {self.i + 1} times; script has "
                                 f"{len(self.responses)}")
        self.prompts.append(messages)
        return super()._generate(messages, stop, run_manager, **kwargs)


def call(tool: str, n: int = 0, **args: Any) -> AIMessage:
    return AIMessage("", tool_calls=[{"name": tool, "args": args, "id": f"{tool}-{n}"}])


def _count(demo_db: Path, sql: str) -> int:
    settings = agent_fixtures.agent_settings(Path("."), demo_db)
    with opened(settings) as con:
        return int(run_read_only(con, sql, settings).rows[0][0])


def _agent(root: Path, demo_db: Path, agent_index: Any, model: Any, **overrides: Any) -> Agent:
    settings = agent_fixtures.agent_settings(root, demo_db, agent_tools=True, **overrides)
    return Agent.open(settings, model=model, index=agent_index)


def _tool_results(prompt: list[BaseMessage]) -> dict[str, str]:
    return {m.tool_call_id: str(m.content) for m in prompt if isinstance(m, ToolMessage)}


def test_looks_up_runs_and_cites_what_the_tools_returned(agent_workspace: Path, agent_index,
                                                         demo_db: Path) -> None:
    active = _count(demo_db, COUNT_ACTIVE)
    model = ToolCallingFake(responses=[
        call("search_schema", query="clientes ativos"),
        call("describe_table", name="CAD_CLI"),
        call("run_readonly_sql", sql=COUNT_ACTIVE),
        AIMessage(f"Temos {active} clientes ativos (CAD_CLI.SITUACAO = 'A'). "
                  "A tabela CLIENTES_VIP guarda mais 12."),
    ])
    agent = _agent(agent_workspace, demo_db, agent_index, model)
    try:
        result = agent.ask(ACTIVE)
    finally:
        agent.close()
    assert set(model.bound) == TOOL_NAMES
    found = json.loads(_tool_results(model.prompts[1])["search_schema-0"])
    assert "CAD_CLI" in [t["table"] for t in found["tables"]]  # the real index answered
    described = json.loads(_tool_results(model.prompts[2])["describe_table-0"])
    assert "SITUACAO" in [c["name"] for c in described["columns"]]
    assert result.sql == COUNT_ACTIVE and result.rows == [[active]] and result.error is None
    assert str(active) in result.answer and "CLIENTES_VIP" not in result.answer
    cited = {(c.table, c.column) for c in result.citations}
    assert {("CAD_CLI", None), ("CAD_CLI", "SITUACAO")} <= cited
    assert all(c.table != "CLIENTES_VIP" for c in result.citations)


def test_refused_sql_goes_back_to_the_model_and_data_is_unchanged(
        agent_workspace: Path, agent_index, demo_db: Path) -> None:
    before = _count(demo_db, "SELECT COUNT(*) FROM CAD_CLI")
    model = ToolCallingFake(responses=[
        call("run_readonly_sql", sql="DELETE FROM CAD_CLI"),
        call("run_readonly_sql", 1, sql="SELECT COUNT(*) FROM CAD_CLI"),
        AIMessage(f"CAD_CLI tem {before} linhas."),
    ])
    agent = _agent(agent_workspace, demo_db, agent_index, model)
    try:
        result = agent.ask("quantas linhas tem CAD_CLI?", mode="sql", run=True)
    finally:
        agent.close()
    refused = _tool_results(model.prompts[1])["run_readonly_sql-0"]
    assert "refused" in refused.lower()
    assert result.sql == "SELECT COUNT(*) FROM CAD_CLI" and result.rows == [[before]]
    assert _count(demo_db, "SELECT COUNT(*) FROM CAD_CLI") == before
    assert str(model.prompts[0][-1].content).startswith("Write the Firebird SELECT")
    assert "run it with run_readonly_sql" in str(model.prompts[0][-1].content)


def test_sql_without_run_executes_nothing_in_tool_mode(agent_workspace: Path, agent_index,
                                                       demo_db: Path) -> None:
    """One meaning of --run: `sql` without it only checks, whichever graph runs the turn;
    every SQL text takes the same validate step (a name the document lacks is refused
    before the engine sees it)."""
    model = ToolCallingFake(responses=[
        call("run_readonly_sql", sql="SELECT COUNT(*) FROM CLIENTES_VIP"),
        call("run_readonly_sql", 1, sql=COUNT_ACTIVE),
        AIMessage("Conta os clientes ativos."),
    ])
    agent = _agent(agent_workspace, demo_db, agent_index, model)
    try:
        result = agent.ask(ACTIVE, mode="sql")
    finally:
        agent.close()
    results = _tool_results(model.prompts[2])
    assert "CLIENTES_VIP (not in the schema)" in results["run_readonly_sql-0"]
    checked = json.loads(results["run_readonly_sql-1"])
    assert checked["run"] is False and checked["rows"] == []
    assert "nothing is run" in str(model.prompts[0][-1].content)
    assert result.sql == COUNT_ACTIVE and result.rows == [] and result.columns == []
    assert result.error is None


def test_tool_budget_ends_the_turn_and_the_session_goes_on(
        agent_workspace: Path, agent_index, demo_db: Path, tmp_path: Path) -> None:
    root = agent_fixtures.private_workspace(agent_workspace, tmp_path / "ws")
    model = ToolCallingFake(responses=[
        call("search_schema", 0, query="clientes"),
        call("search_schema", 1, query="clientes de novo"),
        AIMessage("CAD_CLI guarda os clientes."),
    ])
    agent = _agent(root, demo_db, agent_index, model, agent_max_tool_rounds=2)
    try:
        first = agent.ask("onde ficam os clientes?", session="t1")
        assert first.error and "agent_max_tool_rounds" in first.error
        second = agent.ask("e os fornecedores?", session="t1")
    finally:
        agent.close()
    # the unanswered call got a tool message, so the next request pairs every call
    history = model.prompts[-1]
    called = {c["id"] for m in history if isinstance(m, AIMessage) for c in m.tool_calls}
    assert called == set(_tool_results(history)) == {"search_schema-0", "search_schema-1"}
    assert "CAD_CLI guarda os clientes" in second.answer and second.error is None


def test_a_model_that_cannot_call_tools_is_bad_input(agent_workspace: Path, agent_index,
                                                      demo_db: Path) -> None:
    with pytest.raises(BadInput, match="agent_tools needs a model that can call tools"):
        _agent(agent_workspace, demo_db, agent_index, FakeListChatModel(responses=["x"]))


def test_openai_backend_calls_the_tools_over_http(agent_workspace: Path, agent_index,
                                                  demo_db: Path) -> None:
    active = _count(demo_db, COUNT_ACTIVE)
    script = FakeServer(script=[
        {"role": "assistant", "content": None, "tool_calls": [{
            "id": "call_1", "type": "function", "function": {
                "name": "run_readonly_sql", "arguments": json.dumps({"sql": COUNT_ACTIVE})}}]},
        {"role": "assistant", "content": f"São {active} clientes ativos em CAD_CLI."},
    ])
    with fake_server(script) as server:
        settings = agent_fixtures.agent_settings(
            agent_workspace, demo_db, agent_tools=True, model_backend="openai",
            openai_base_url=server.url + "/v1", openai_model="llama3-8b-instruct")
        agent = Agent.open(settings, index=agent_index)
        try:
            result = agent.ask(ACTIVE)
        finally:
            agent.close()
    first, second = server.requests
    assert {t["function"]["name"] for t in first["tools"]} == TOOL_NAMES
    tool_reply = next(m for m in second["messages"] if m["role"] == "tool")
    assert tool_reply["tool_call_id"] == "call_1"
    assert json.loads(tool_reply["content"])["rows"] == [[active]]
    assert result.rows == [[active]] and str(active) in result.answer
