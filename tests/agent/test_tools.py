"""The schema tools (agent/tools.py) on the indexed demo ERP, one tool-calling round
through LangGraph's ToolNode with a fake tool-calling model, and the deterministic
starting-query fallback of the SQL path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from schemachat.agent.context import AgentContext
from schemachat.agent.graph.nodes.fallback import starting_query
from schemachat.agent.graph.state import AgentState, Hit
from schemachat.agent.retrieval import SchemaIndex
from schemachat.agent.sql.guard import run_read_only
from schemachat.agent.tools import schema_tools
from schemachat.ingest.firebird import connect
from tests.support import agent_fixtures
from tests.support.agent_fixtures import scripted


@pytest.fixture
def tools(agent_workspace: Path, agent_index: SchemaIndex, demo_db: Path) -> dict[str, BaseTool]:
    settings = agent_fixtures.agent_settings(agent_workspace, demo_db, agent_rows_shown=4)
    return {t.name: t for t in schema_tools(settings, index=agent_index)}


def test_the_six_tools_have_schemas(tools: dict[str, BaseTool]) -> None:
    assert set(tools) == {"search_schema", "describe_table", "join_path", "value_mappings",
                          "sample_rows", "run_readonly_sql"}
    assert set(tools["value_mappings"].args) == {"table", "column"}
    assert tools["search_schema"].args["k"]["maximum"] == 20


def test_search_schema(tools: dict[str, BaseTool]) -> None:
    out = tools["search_schema"].invoke({"query": "limite de crédito do cliente", "k": 3})
    assert out["tables"][0]["table"] == "CAD_CLI"


def test_describe_table(tools: dict[str, BaseTool]) -> None:
    out = tools["describe_table"].invoke({"name": "cad_cli"})  # folded like Firebird
    assert out["table"] == "CAD_CLI" and out["primary_key"] == ["CLI_COD"]
    cols = {c["name"]: c for c in out["columns"]}
    assert cols["SITUACAO"]["values"].get("A") == "ativo"
    assert "Limite de crédito" in (cols["CLI_LIMCRED"]["description"] or "")
    assert cols["CID_COD"]["references"] == "CAD_CID"
    assert any(fk["ref_table"] == "CAD_CID" for fk in out["foreign_keys"])
    assert any(r["table"] == "MOV_PED" for r in out["referenced_by"])
    assert out["rows"] and out["rows"] > 0


def test_join_path(tools: dict[str, BaseTool]) -> None:
    out = tools["join_path"].invoke({"tables": ["CAD_CLI", "CAD_CID"]})
    assert out["from_clause"].startswith("FROM CAD_CLI")
    assert "CID_COD" in out["joins"][1]["on"] and out["unjoined"] == []


def test_value_mappings(tools: dict[str, BaseTool]) -> None:
    out = tools["value_mappings"].invoke({"table": "CAD_CLI", "column": "SITUACAO"})
    assert out["values"]["A"] == "ativo"
    assert out["distribution"] and {d["value"] for d in out["distribution"]} >= {"A"}


def test_sample_rows(tools: dict[str, BaseTool]) -> None:
    out = tools["sample_rows"].invoke({"table": "CAD_CLI", "n": 2})
    assert "CLI_COD" in out["columns"] and len(out["rows"]) == 2


def test_run_readonly_sql_is_capped(tools: dict[str, BaseTool]) -> None:
    out = tools["run_readonly_sql"].invoke({"sql": "SELECT CLI_COD FROM CAD_CLI LIMIT 10"})
    assert out["columns"] == ["CLI_COD"] and len(out["rows"]) == 4 and out["truncated"]
    assert "LIMIT" not in out["sql"]  # the dialect fixer ran first


@pytest.mark.parametrize(("name", "args", "named"), [
    ("describe_table", {"name": "CLIENTES_VIP"}, "unknown table: CLIENTES_VIP"),
    ("join_path", {"tables": ["CAD_CLI", "NOPE"]}, "unknown table: NOPE"),
    ("value_mappings", {"table": "CAD_CLI", "column": "CLI_LIMITE"},
     "unknown column: CLI_LIMITE in table CAD_CLI"),
    ("sample_rows", {"table": "NOPE"}, "unknown table: NOPE"),
])
def test_unknown_names_come_back_as_text(tools: dict[str, BaseTool], name: str,
                                         args: dict[str, Any], named: str) -> None:
    out = tools[name].invoke(args)
    assert isinstance(out, str) and named in out


def test_arguments_out_of_bounds_come_back_as_text(tools: dict[str, BaseTool]) -> None:
    assert isinstance(tools["sample_rows"].invoke({"table": "CAD_CLI", "n": 999}), str)


def test_a_write_is_refused_through_the_tool(tools: dict[str, BaseTool], demo_db: Path,
                                             agent_workspace: Path) -> None:
    settings = agent_fixtures.agent_settings(agent_workspace, demo_db)
    count = "SELECT COUNT(*) FROM CAD_CLI"
    with connect(settings) as con:
        before = run_read_only(con, count, settings).rows
    out = tools["run_readonly_sql"].invoke({"sql": "DELETE FROM CAD_CLI"})
    assert isinstance(out, str) and "refused" in out.lower()
    with connect(settings) as con:
        assert run_read_only(con, count, settings).rows == before


def test_tool_calling_round_with_tool_node(tools: dict[str, BaseTool]) -> None:
    calls = [{"name": "describe_table", "args": {"name": "CAD_CLI"}, "id": "c1"},
             {"name": "value_mappings", "args": {"table": "CAD_CLI", "column": "NOPE"},
              "id": "c2"}]
    model = GenericFakeChatModel(messages=iter([
        AIMessage(content="", tool_calls=calls),
        AIMessage(content="SITUACAO = 'A' means ativo."),
    ]))

    def call_model(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("model", call_model)
    graph.add_node("tools", ToolNode(list(tools.values())))
    graph.add_edge(START, "model")
    graph.add_conditional_edges("model", tools_condition, ["tools", END])
    graph.add_edge("tools", "model")
    final = graph.compile().invoke({"messages": [HumanMessage("o que é SITUACAO?")]})
    results = [m for m in final["messages"] if isinstance(m, ToolMessage)]
    assert [m.tool_call_id for m in results] == ["c1", "c2"]
    assert json.loads(str(results[0].content))["table"] == "CAD_CLI"
    assert "unknown column: NOPE in table CAD_CLI" in str(results[1].content)
    assert final["messages"][-1].content == "SITUACAO = 'A' means ativo."


# -- the SQL path's starting-query fallback (agent/nodes/fallback.py) ------------------

BAD = "SELECT COUNT(*) FROM CLIENTES_VIP"


def test_fallback_is_checked_not_run_and_says_so(make_agent, demo_db: Path,
                                                 agent_workspace: Path) -> None:
    agent, model = make_agent(BAD, BAD, agent_max_repairs=1, agent_rows_shown=6)
    result = agent.ask("quantos clientes ativos temos?")  # a run intent
    assert model.calls == 2
    assert result.error and result.error.startswith("no draft was accepted: ")
    assert "CLIENTES_VIP" in result.error and result.rows == [] and result.columns == []
    assert result.sql and result.sql.startswith("SELECT FIRST 6 ")
    assert "could not draft" in result.answer and "does NOT answer" in result.answer
    assert result.citations  # real tables of the document
    assert all(c.table != "CLIENTES_VIP" for c in result.citations)
    settings = agent_fixtures.agent_settings(agent_workspace, demo_db)
    with connect(settings) as con:  # it really runs, and returns at most FIRST rows
        assert len(run_read_only(con, result.sql, settings).rows) <= 6


def test_fallback_uses_the_skeleton_the_model_was_given(make_agent) -> None:
    agent, model = make_agent("SELECT nonsense FROM", agent_max_repairs=0)
    result = agent.ask("write the SQL for total sales per state last month", mode="sql")
    assert result.error and result.sql
    from_clause = " ".join(result.sql.split("\n", 1)[1].split())
    assert from_clause in " ".join(model.prompt_text(0).split())


def test_starting_query_joins_on_keys(agent_workspace: Path, agent_index: SchemaIndex,
                                      demo_db: Path) -> None:
    settings = agent_fixtures.agent_settings(agent_workspace, demo_db, agent_rows_shown=5)
    ctx = AgentContext(settings=settings, model=scripted(), _index=agent_index)
    hits = [Hit(name=n, kind="table", text="", added_for_join=False, joins=[])
            for n in ("CAD_CLI", "CAD_CID")]
    sql = starting_query(AgentState(question="clientes por cidade", hits=hits), ctx)
    assert sql.startswith("SELECT FIRST 5 ") and ".CLI_COD, " in sql and ".CID_NOME" in sql
    assert "FROM CAD_CLI " in sql and "JOIN CAD_CID " in sql and ".CID_COD = " in sql
    with connect(settings) as con:
        result = run_read_only(con, sql, settings)
    assert 0 < len(result.rows) <= 5 and len(set(result.columns)) == len(result.columns)


def test_fallback_is_not_a_follow_up_basis(make_agent, agent_workspace: Path,
                                           tmp_path: Path) -> None:
    root = agent_fixtures.private_workspace(agent_workspace, tmp_path / "ws")
    agent, model = make_agent(BAD, "nothing", workspace=root, agent_max_repairs=0)
    agent.ask("quantos clientes ativos temos?", session="f")
    agent.ask("e só para São Paulo?", session="f")
    assert "Previous SQL" not in model.prompt_text(-1)


def test_no_fallback_without_a_database(make_agent) -> None:
    agent, _ = make_agent(BAD, database=False, agent_max_repairs=0)
    result = agent.ask("quantos clientes ativos temos?")
    assert result.error and "CLIENTES_VIP" in result.error
