"""The agent graph with scripted fake models over the indexed demo ERP: every node and
branch, the repair loop's bounds, grounding (an invented name is never presented as a
fact), conversation memory, streaming."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from schemachat.agent.context import AgentContext
from schemachat.agent.graph.graph import build_graph
from schemachat.agent.graph.nodes.draft import extract_sql
from schemachat.agent.graph.nodes.route import is_follow_up, rule_intent
from schemachat.agent.graph.state import new_turn
from schemachat.agent.session import Agent
from schemachat.agent.sql.check import NO_SQL
from schemachat.configs import BadInput
from tests.support import agent_fixtures
from tests.support.agent_fixtures import scripted

LIMCRED = "onde fica o limite de crédito do cliente?"
ACTIVE = "quantos clientes ativos temos?"
COUNT_ACTIVE = "SELECT COUNT(*) FROM CAD_CLI c WHERE c.SITUACAO = 'A';"


@pytest.mark.parametrize(("question", "intent"), [
    ("onde fica o limite de crédito do cliente?", "schema"),
    ("o que significa SITUACAO em CAD_CLI?", "schema"),
    ("which table stores invoices?", "schema"),
    ("write the SQL for total sales per state last month", "sql"),
    ("escreva uma consulta dos pedidos por cliente", "sql"),
    ("quantos clientes ativos temos?", "run"),
    ("how many invoices were issued in 2024?", "run"),
    ("liste os 10 maiores clientes", "run"),
    ("bom dia!", "smalltalk"),
    ("thanks", "smalltalk"),
    ("CAD_CLI", None),
])
def test_route_rules(question: str, intent: str | None) -> None:
    assert rule_intent(question) == intent


@pytest.mark.parametrize(("question", "follow"), [
    ("and only for São Paulo?", True), ("e só para SP?", True), ("agora por mês", True),
    ("quantos clientes ativos temos?", False),
    ("e quais tabelas guardam os pedidos de venda, notas fiscais e títulos a receber do "
     "cliente?", False),
])
def test_follow_up_rule(question: str, follow: bool) -> None:
    assert is_follow_up(question) is follow


@pytest.mark.parametrize(("reply", "sql"), [
    (" SELECT 1 FROM RDB$DATABASE;", "SELECT 1 FROM RDB$DATABASE"),
    ("```sql\nselect * from CAD_CLI\n```", "select * from CAD_CLI"),
    ("Here it is: WITH x AS (SELECT 1 A FROM RDB$DATABASE) SELECT A FROM x",
     "WITH x AS (SELECT 1 A FROM RDB$DATABASE) SELECT A FROM x"),
    ("I don't know", ""),
])
def test_extract_sql(reply: str, sql: str) -> None:
    assert extract_sql(reply) == sql


def test_graph_has_every_node() -> None:
    nodes = set(build_graph().get_graph().nodes)
    assert {"route", "smalltalk", "retrieve", "answer", "draft", "validate", "repair",
            "respond"} <= nodes


def test_router_falls_back_to_the_model(make_agent) -> None:
    agent, model = make_agent("smalltalk")
    result = agent.ask("CAD_CLI")  # no rule fits a bare name
    assert model.calls == 1 and "Hello" in result.answer
    agent, model = make_agent("banana", "nothing useful")  # unknown word -> schema
    result = agent.ask("CAD_CLI")
    assert model.calls == 2
    assert any(c.table == "CAD_CLI" for c in result.citations)


def test_smalltalk_needs_no_model_or_retrieval(make_agent) -> None:
    agent, model = make_agent()
    result = agent.ask("bom dia!")
    assert model.calls == 0
    assert result.sql is None and result.citations == [] and result.error is None


def test_schema_answer_facts_come_from_the_document(make_agent) -> None:
    agent, model = make_agent(
        "O limite de crédito fica na coluna CLI_LIMCRED da tabela CAD_CLI. "
        "Também existe a tabela CLIENTES_VIP com 999 registros. "
        "O limite máximo é 50000 reais.")
    result = agent.ask(LIMCRED)
    assert "CLI_LIMCRED" in result.answer and "CAD_CLI" in result.answer
    # the invented table and the invented figures are dropped
    assert "CLIENTES_VIP" not in result.answer
    assert "999" not in result.answer and "50000" not in result.answer
    assert "Limite de crédito" in result.answer  # the annotation, verbatim
    cited = {(c.table, c.column) for c in result.citations}
    assert ("CAD_CLI", "CLI_LIMCRED") in cited
    assert result.sql is None and result.error is None
    # the prompt carried the facts, not the model's knowledge
    assert "CAD_CLI.CLI_LIMCRED" in model.prompt_text()


def test_schema_answer_without_model_wording_is_still_the_facts(make_agent) -> None:
    agent, _ = make_agent("a tabela guarda os dados de um projeto de projeto")
    result = agent.ask("o que significa a coluna SITUACAO do cliente?")
    assert "projeto" not in result.answer
    assert "SITUACAO" in result.answer and "ativo" in result.answer  # value mapping


def test_invented_table_is_rejected_and_never_cited(make_agent) -> None:
    agent, model = make_agent(*["SELECT COUNT(*) FROM CLIENTES_VIP"] * 3, agent_max_repairs=2)
    result = agent.ask(ACTIVE)
    assert model.calls == 3  # first draft + 2 repairs, then it gives up
    # the drafts failed: the answer says so (naming the rejected table as rejected) and
    # offers the engine-checked starting query over real tables, not run
    assert "could not draft" in result.answer and "rejected" in result.answer
    assert "Table unknown: CLIENTES_VIP" in result.answer
    assert "does NOT answer" in result.answer
    assert result.sql and "CLIENTES_VIP" not in result.sql
    assert all(c.table != "CLIENTES_VIP" for c in result.citations)
    assert result.rows == [] and result.columns == []
    # the engine's message went back to the model
    assert "Table unknown: CLIENTES_VIP" in model.prompt_text(-1)


def test_invented_table_repaired_with_the_engine_message(make_agent) -> None:
    agent, model = make_agent("SELECT COUNT(*) FROM CAD_CLIENTES c WHERE c.SITUACAO = 'A'",
                              COUNT_ACTIVE)
    result = agent.ask(ACTIVE)
    assert model.calls == 2
    assert result.error is None and result.sql is not None and "CAD_CLI " in result.sql
    assert result.columns == ["COUNT"] and result.rows[0][0] > 0
    assert {c.table for c in result.citations} == {"CAD_CLI"}
    assert ("CAD_CLI", "SITUACAO") in {(c.table, c.column) for c in result.citations}


def test_unknown_column_repaired_from_firebirds_message(make_agent) -> None:
    agent, model = make_agent("SELECT c.CLI_LIMITE FROM CAD_CLI c",
                              "SELECT FIRST 3 c.CLI_LIMCRED FROM CAD_CLI c")
    result = agent.ask("escreva o SQL do limite de crédito dos clientes")
    assert model.calls == 2
    assert "CLI_LIMITE" in model.prompt_text(-1)  # Firebird's message names the column
    assert result.error is None and result.rows == []  # sql intent: checked, not run
    assert "CLI_LIMITE" not in {c.column for c in result.citations}


@pytest.mark.parametrize("repairs", [0, 1, 3])
def test_repair_loop_is_bounded(make_agent, repairs: int) -> None:
    agent, model = make_agent(*["SELECT nonsense FROM"] * (repairs + 1),
                              agent_max_repairs=repairs)
    result = agent.ask("write the SQL for sales per state")
    assert model.calls == repairs + 1
    assert "could not draft" in result.answer  # then the starting query (see test_sql_fallback)


def test_dialect_fixer_runs_before_the_engine(make_agent) -> None:
    agent, model = make_agent("SELECT CLI_NOMRAZ FROM CAD_CLI ORDER BY CLI_COD LIMIT 3")
    result = agent.ask("liste 3 clientes")
    assert model.calls == 1
    assert "LIMIT" not in (result.sql or "")
    assert len(result.rows) == 3 and result.columns == ["CLI_NOMRAZ"]


@pytest.mark.parametrize("reply", [
    "DELETE FROM CAD_CLI",
    "SELECT NEXT VALUE FOR GEN_CAD_CLI FROM RDB$DATABASE",
    "SELECT * FROM CAD_CLI FOR UPDATE WITH LOCK",
])
def test_writes_are_refused_not_run(make_agent, reply: str) -> None:
    agent, _ = make_agent(reply, agent_max_repairs=0)
    result = agent.ask("apague os clientes e conte")
    assert result.rows == []
    # refused outright, or replaced by the (not run) starting query that says so
    if result.error is None:
        assert "does NOT answer" in result.answer
        assert not any(w in (result.sql or "").upper() for w in ("DELETE", "NEXT VALUE"))


def test_a_second_statement_is_cut_at_the_semicolon(make_agent) -> None:
    agent, _ = make_agent("SELECT 1 FROM RDB$DATABASE; DELETE FROM CAD_CLI")
    result = agent.ask("liste 1")
    assert result.sql == "SELECT 1 FROM RDB$DATABASE" and result.rows == [[1]]


def test_no_sql_in_the_reply(make_agent) -> None:
    agent, _ = make_agent("I cannot help with that", agent_max_repairs=0)
    result = agent.ask("write the SQL for sales per state")
    assert result.error is not None and result.error.endswith(NO_SQL)


def test_rows_are_capped(make_agent) -> None:
    agent, _ = make_agent("SELECT CLI_COD FROM CAD_CLI", agent_rows_shown=7, row_cap=20)
    result = agent.ask("liste os clientes")
    assert len(result.rows) == 7 and "capped" in result.answer


def test_sql_mode_drafts_without_running_unless_asked(make_agent) -> None:
    agent, _ = make_agent(COUNT_ACTIVE, COUNT_ACTIVE)
    drafted = agent.ask(ACTIVE, mode="sql")
    assert drafted.error is None and drafted.rows == [] and "not run" in drafted.answer
    ran = agent.ask(ACTIVE, mode="sql", run=True)
    assert ran.rows and ran.columns == ["COUNT"]


def test_one_attempt_tokenises_once_and_prepares_once(make_agent, monkeypatch) -> None:
    """The hot path: a draft that needs no dialect fix is cut into tokens once and
    prepared by Firebird once, though it is fixed, name-checked, guarded, run and cited."""
    from schemachat.agent.sql import guard, parsed

    counts = {"tokenize": 0, "prepare": 0}

    def counting(name: str, real):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(parsed, "tokenize", counting("tokenize", parsed.tokenize))
    monkeypatch.setattr(guard, "prepare_select", counting("prepare", guard.prepare_select))
    agent, _ = make_agent(COUNT_ACTIVE)
    result = agent.ask(ACTIVE, mode="sql", run=True)
    assert result.error is None and result.rows and result.citations
    assert counts == {"tokenize": 1, "prepare": 1}


def test_without_a_database_sql_is_only_name_checked(make_agent) -> None:
    agent, _ = make_agent(COUNT_ACTIVE, "SELECT * FROM NOPE", database=False,
                          agent_max_repairs=0)
    result = agent.ask(ACTIVE, mode="sql")
    assert result.error and "not checked" in result.error and result.sql
    bad = agent.ask(ACTIVE, mode="sql")
    assert bad.error and "NOPE" in bad.error


def test_sql_prompt_has_the_join_skeleton_and_firebird_rules(make_agent) -> None:
    agent, model = make_agent(COUNT_ACTIVE)
    agent.ask("write the SQL for total sales per state last month", mode="sql")
    prompt = model.prompt_text()
    assert "Joins: FROM" in prompt
    assert "FIRST n" in prompt and "CONTAINING" in prompt and "RDB$DATABASE" in prompt
    # the worked examples are over the turn's own tables, not the made-up PRODUTOS
    assert "PRODUTOS" not in prompt
    base = re.search(r"Joins: FROM (\S+)", prompt)
    assert base is not None
    examples = [line for line in prompt.splitlines() if line.startswith("SELECT ")]
    assert examples and any(f"FROM {base.group(1)} " in line for line in examples)


def test_a_run_error_goes_to_repair(make_agent) -> None:
    # Prepares (CHAR compared with a number), fails row by row when it runs.
    agent, model = make_agent("SELECT COUNT(*) FROM CAD_CLI c WHERE c.SITUACAO = 1",
                              COUNT_ACTIVE)
    result = agent.ask(ACTIVE)
    assert model.calls == 2 and "conversion error" in model.prompt_text(-1)
    assert result.error is None and result.rows[0][0] > 0


def test_a_run_error_after_the_last_repair_is_reported(make_agent) -> None:
    agent, model = make_agent("SELECT COUNT(*) FROM CAD_CLI c WHERE c.SITUACAO = 1",
                              agent_max_repairs=0)
    result = agent.ask(ACTIVE)
    assert model.calls == 1 and result.error and "conversion error" in result.error


def test_repair_names_the_columns_of_the_aliased_table(make_agent) -> None:
    agent, model = make_agent("SELECT c.CLI_NOPE FROM CAD_CLI c", COUNT_ACTIVE)
    agent.ask("escreva o SQL dos clientes ativos")
    assert "CAD_CLI c has no column CLI_NOPE; its columns are CLI_COD" in \
        model.prompt_text(-1)


def test_follow_up_uses_the_previous_sql(make_agent, agent_workspace: Path,
                                         tmp_path: Path) -> None:
    root = agent_fixtures.private_workspace(agent_workspace, tmp_path / "ws")
    follow = ("SELECT COUNT(*) FROM CAD_CLI c JOIN CAD_CID cc ON cc.CID_COD = c.CID_COD "
              "WHERE c.SITUACAO = 'A' AND cc.UF_SIGLA = 'SP'")
    agent, model = make_agent(COUNT_ACTIVE, follow, workspace=root)
    first = agent.ask(ACTIVE, session="s1")
    assert first.rows and first.error is None
    second = agent.ask("e só para São Paulo?", session="s1")
    assert "Previous SQL: SELECT COUNT(*) FROM CAD_CLI c WHERE c.SITUACAO = 'A'" in \
        model.prompt_text(-1)
    assert "CAD_CLI" in model.prompt_text(-1)
    assert second.error is None and second.rows[0][0] < first.rows[0][0]
    # the memory is in the workspace: a new agent (another process) sees both turns
    other, _ = make_agent(workspace=root)
    turns = other.history("s1")
    assert [t["question"] for t in turns] == [ACTIVE, "e só para São Paulo?"]
    assert turns[-1]["tables"][:2] == ["CAD_CLI", "CAD_CID"]
    # another session knows nothing of them
    assert other.history("s2") == []


def test_a_new_session_is_not_a_follow_up(make_agent, agent_workspace: Path,
                                          tmp_path: Path) -> None:
    root = agent_fixtures.private_workspace(agent_workspace, tmp_path / "ws")
    agent, model = make_agent(COUNT_ACTIVE, "nothing", workspace=root)
    agent.ask(ACTIVE, session="a")
    agent.ask("e só para São Paulo?", session="b")  # no previous SQL in session b
    assert "Previous SQL" not in model.prompt_text(-1)


def test_stream_yields_text_then_the_result(make_agent) -> None:
    agent, _ = make_agent("O limite de crédito fica na coluna CLI_LIMCRED da tabela "
                          "CAD_CLI.")
    events = list(agent.stream(LIMCRED))
    texts = [e.text for e in events if e.kind == "text"]
    assert len(texts) >= 2 and events[-1].kind == "result"
    assert events[-1].result is not None
    assert "".join(texts) == events[-1].result.answer


def test_bad_questions(make_agent) -> None:
    agent, _ = make_agent()
    for question in ("", "   ", "x" * 5000):
        with pytest.raises(BadInput):
            agent.ask(question)


def test_adapters_are_passed_per_request(make_agent, agent_workspace: Path,
                                         agent_index) -> None:
    model = scripted("O limite fica em CAD_CLI.CLI_LIMCRED.")
    ctx = AgentContext(settings=agent_fixtures.agent_settings(agent_workspace, None),
                       model=model, adapters=["schema"], _index=agent_index)
    Agent(ctx).ask(LIMCRED)
    assert model.kwargs[0]["adapters"] == ["schema"]
    assert model.kwargs[0]["max_new_tokens"] > 0


def test_new_turn_resets_per_turn_fields() -> None:
    state = new_turn("q", mode="sql", run=True)
    assert state["sql"] is None and state["attempts"] == 0 and state["rows"] == []
    assert "turns" not in state
