"""Query plans in the agent (graph node plan) over the indexed demo ERP: with no model at
all (model_backend none) a plan answers a data question, run by Firebird, stated in the
question's language, with the plan in the answer and its value mappings cited; a
question no plan fits says what it could not map, with `error` set and no rows; with a
model, a plan answers first and the model is not asked; a golden plan (✓) is reused for
the same question; a refused golden plan never reaches the engine. And `schemachat sql
--run --json` as a subprocess with SCHEMACHAT_MODEL_BACKEND=none."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from schemachat.agent.feedback import Feedback, read_golden, record_feedback
from schemachat.agent.plans.plan import Col, Expr, Filter, Item, QueryPlan
from schemachat.agent.retrieval import SchemaIndex
from schemachat.agent.session import Agent
from schemachat.agent.sql.grounding import sql_relations
from schemachat.agent.sql.guard import run_read_only
from schemachat.configs import load_settings
from schemachat.ingest.firebird import opened
from tests.support.agent_fixtures import agent_settings, scripted

SCHEMACHAT = str(Path(sys.executable).parent / "schemachat")
CAMPINAS = "quantos clientes de Campinas?"
CAMPINAS_SQL = ("SELECT COUNT(*) FROM CAD_CLI c JOIN CAD_CID d ON d.CID_COD = c.CID_COD "
                "WHERE d.CID_NOME = 'Campinas'")
UNMAPPABLE = "quantos clientes têm garantia estendida?"


def hand(demo_db: Path, sql: str) -> list[list[Any]]:
    """The rows of a hand-written statement on the demo database."""
    settings = load_settings(fb_database=str(demo_db))
    with opened(settings) as con:
        return [list(r) for r in run_read_only(con, sql, settings).rows]


@pytest.fixture
def plan_agent(agent_workspace: Path, agent_index: SchemaIndex, demo_db: Path,
               tmp_path: Path) -> Iterator[Callable[..., Agent]]:
    """plan_agent(**settings) -> an agent with plans on and no model (model_backend
    none) over a private copy of the demo workspace (its document and value index; the
    shared retrieval index); `model=` gives it a scripted model instead."""
    opened_agents: list[Agent] = []

    def make(*, model: Any = None, database: bool = True, **overrides: Any) -> Agent:
        root = tmp_path / f"ws{len(opened_agents)}"
        root.mkdir()
        for name in ("combined_schema_details.json", "text_values.json"):
            shutil.copy(agent_workspace / name, root)
        overrides.setdefault("model_backend", "fake" if model is not None else "none")
        overrides.setdefault("agent_plans", True)
        settings = agent_settings(root, demo_db if database else None, **overrides)
        agent = Agent.open(settings, model=model, index=agent_index)
        opened_agents.append(agent)
        return agent

    yield make
    for agent in opened_agents:
        agent.close()


def test_without_a_model_a_plan_answers_and_runs(plan_agent: Callable[..., Agent],
                                                 demo_db: Path) -> None:
    agent = plan_agent()
    assert not agent.context.has_model
    result = agent.ask(CAMPINAS, mode="sql", run=True)
    assert result.error is None and result.plan is not None
    plan = QueryPlan.model_validate(result.plan)  # the answer carries a valid plan
    assert plan.table == "CAD_CLI" and "CAD_CID" in plan.tables()
    assert result.rows == hand(demo_db, CAMPINAS_SQL) == [[198]]
    assert result.sql is not None and "CID_NOME = 'Campinas'" in result.sql
    # stated in the question's language, with the engine's figure
    assert result.answer.startswith("Contei as linhas de CAD_CLI") and "198" in result.answer
    cited = {(c.table, c.column) for c in result.citations}
    assert {("CAD_CLI", "CID_COD"), ("CAD_CID", "CID_NOME")} <= cited


def test_value_mappings_are_cited_with_their_meaning(plan_agent: Callable[..., Agent],
                                                     demo_db: Path) -> None:
    result = plan_agent().ask("quantos títulos cancelados?", mode="sql", run=True)
    assert result.plan is not None and result.error is None
    assert result.rows == hand(demo_db, "SELECT COUNT(*) FROM CAR_TIT WHERE SITUACAO = 'C'")
    mapping = [c for c in result.citations if c.value is not None]
    assert [(c.table, c.column, c.value, c.meaning) for c in mapping] == \
        [("CAR_TIT", "SITUACAO", "C", "cancelado")]
    assert "SITUACAO = 'C' (cancelado)" in result.answer


def test_english_question_english_answer(plan_agent: Callable[..., Agent],
                                         demo_db: Path) -> None:
    result = plan_agent().ask("how many customers have a credit limit above 20000?",
                              mode="sql", run=True)
    assert result.plan is not None
    assert result.rows == hand(demo_db, "SELECT COUNT(*) FROM CAD_CLI WHERE CLI_LIMCRED > 20000")
    assert result.answer.startswith("Counted the rows of CAD_CLI where CLI_LIMCRED > 20000")


def test_counted_groups_answer_through_the_agent(plan_agent: Callable[..., Agent],
                                                demo_db: Path) -> None:
    # a derived table (SELECT COUNT(*) FROM (SELECT ... HAVING ...) G) passes the
    # validate step: its inner select list is no FROM list, so no alias reads as a table
    result = plan_agent().ask("how many customers placed more than 5 orders in 2023?",
                              mode="sql", run=True)
    assert result.error is None and result.plan is not None
    assert QueryPlan.model_validate(result.plan).count_groups
    assert result.rows == hand(demo_db, "SELECT COUNT(*) FROM (SELECT CLI_COD FROM MOV_PED "
                               "WHERE DT_EMISSAO BETWEEN '2023-01-01' AND '2023-12-31' "
                               "GROUP BY CLI_COD HAVING COUNT(*) > 5)")
    assert result.answer.startswith("Counted the groups of rows of MOV_PED")


@pytest.mark.parametrize(("sql", "tables"), [
    ("SELECT COUNT(*) FROM (SELECT mp.CLI_COD AS K1, cc.CLI_NOMRAZ AS K2 FROM MOV_PED mp "
     "JOIN CAD_CLI cc ON mp.CLI_COD = cc.CLI_COD GROUP BY 1, 2) G", ["MOV_PED", "CAD_CLI"]),
    ("SELECT a.X, b.Y FROM CAD_CLI a, CAD_CID b WHERE a.CID_COD = b.CID_COD",
     ["CAD_CLI", "CAD_CID"]),
])
def test_the_tables_a_statement_reads(sql: str, tables: list[str]) -> None:
    assert sql_relations(sql) == tables


def test_sql_mode_prepares_the_plan_without_running_it(plan_agent: Callable[..., Agent]
                                                       ) -> None:
    result = plan_agent().ask(CAMPINAS, mode="sql")
    assert result.plan is not None and result.error is None and result.rows == []
    assert "não executada" in result.answer  # prepared by Firebird, not run


def test_without_a_database_the_plan_is_not_checked(plan_agent: Callable[..., Agent]
                                                    ) -> None:
    result = plan_agent(database=False).ask(CAMPINAS, mode="sql")
    assert result.plan is not None and result.sql and result.rows == []
    assert result.error and "not checked" in result.error


def test_a_question_no_plan_fits_says_what_it_could_not_map(
        plan_agent: Callable[..., Agent]) -> None:
    result = plan_agent().ask(UNMAPPABLE, mode="sql", run=True)
    assert result.plan is None and result.sql is None
    assert result.rows == [] and result.columns == []
    assert result.error and "no query plan fits" in result.error
    assert "'garantia'" in result.answer and "'estendida'" in result.answer
    assert result.answer.startswith("Não encontrei no esquema")  # in Portuguese


def test_with_a_model_a_plan_answers_first(plan_agent: Callable[..., Agent],
                                           demo_db: Path) -> None:
    model = scripted("SELECT 1 FROM RDB$DATABASE")
    result = plan_agent(model=model).ask(CAMPINAS, mode="sql", run=True)
    assert model.calls == 0  # the plan answered; the model was never asked
    assert result.plan is not None and result.rows == [[198]]


def test_with_a_model_a_question_no_plan_fits_is_drafted(plan_agent: Callable[..., Agent]
                                                         ) -> None:
    model = scripted("SELECT COUNT(*) FROM CAD_CLI")
    result = plan_agent(model=model).ask(UNMAPPABLE, mode="sql", run=True)
    assert model.calls == 1  # no plan fits: the model drafts, as before plans
    assert result.plan is None and result.sql == "SELECT COUNT(*) FROM CAD_CLI"


def test_plans_off_the_model_drafts(plan_agent: Callable[..., Agent]) -> None:
    model = scripted(CAMPINAS_SQL)
    result = plan_agent(model=model, agent_plans=False).ask(CAMPINAS, mode="sql", run=True)
    assert model.calls == 1 and result.plan is None and result.rows == [[198]]


def _golden(agent: Agent, question: str, plan: QueryPlan, sql: str) -> None:
    record_feedback(agent.context.settings.workspace,
                    Feedback(rating="up", question=question, answer="ok", sql=sql,
                             plan=plan.model_dump()))


def test_a_golden_plan_is_reused_for_the_same_question(plan_agent: Callable[..., Agent],
                                                       demo_db: Path) -> None:
    agent = plan_agent()
    # A person confirmed this plan (Campinas customers who are active) for the question.
    confirmed = QueryPlan.model_validate(agent.ask(CAMPINAS, mode="sql").plan)
    confirmed = confirmed.model_copy(update={"filters": [*confirmed.filters, Filter(
        expr=Expr(column=Col(table="CAD_CLI", column="SITUACAO")), op="=", value="A",
        meaning="ativo")]})
    _golden(agent, CAMPINAS, confirmed, "SELECT ...")
    stored = read_golden(agent.context.settings.workspace)[-1].plan
    assert QueryPlan.model_validate(stored) == confirmed
    again = agent.ask("Quantos clientes de Campinas?", mode="sql", run=True)  # same words
    assert QueryPlan.model_validate(again.plan) == confirmed
    assert again.rows == hand(demo_db, CAMPINAS_SQL + " AND c.SITUACAO = 'A'")
    assert again.rows != [[198]]
    other = agent.ask("quantos títulos cancelados?", mode="sql", run=True)
    assert QueryPlan.model_validate(other.plan) != confirmed  # another question


def test_a_refused_golden_plan_never_reaches_the_engine(plan_agent: Callable[..., Agent],
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    from schemachat.agent.graph.nodes import plan as plan_node

    agent = plan_agent()
    bad = QueryPlan(table="CAD_CLI", select=[Item(agg="COUNT")], filters=[Filter(
        expr=Expr(column=Col(table="CAD_CLI", column="CLI_GARANTIA")), op="=", value="S")])
    _golden(agent, CAMPINAS, bad, "SELECT COUNT(*) FROM CAD_CLI WHERE CLI_GARANTIA = 'S'")
    seen: list[str] = []
    real = plan_node.validate

    def spy(sql: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(sql)
        return real(sql, *args, **kwargs)

    monkeypatch.setattr(plan_node, "validate", spy)
    result = agent.ask(CAMPINAS, mode="sql", run=True)
    assert seen and not any("CLI_GARANTIA" in sql for sql in seen)
    assert result.plan is not None and result.rows == [[198]]  # the linker's plan answered


# ---------------------------------------------------------------- the command line

@pytest.fixture(scope="module")
def cli_workspace(agent_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plans_cli") / "ws"
    shutil.copytree(agent_workspace, root)
    return root


def _cli(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMACHAT_")}
    env["SCHEMACHAT_MODEL_BACKEND"] = "none"
    env["SCHEMACHAT_FB_DATABASE"] = str(database)
    return subprocess.run([SCHEMACHAT, *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


def test_cli_sql_run_json_with_no_model(cli_workspace: Path, demo_db: Path) -> None:
    proc = _cli("sql", CAMPINAS, "--run", "--json", "-w", str(cli_workspace), database=demo_db)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, proc.stdout
    data = json.loads(lines[0])
    assert set(data) == {"answer", "sql", "columns", "rows", "citations", "error", "plan",
                         "chosen_by"}
    assert data["plan"] is not None and data["plan"]["table"] == "CAD_CLI"
    assert data["error"] is None and data["rows"] == hand(demo_db, CAMPINAS_SQL)


def test_cli_unmappable_question_exits_1_with_the_message(cli_workspace: Path,
                                                          demo_db: Path) -> None:
    proc = _cli("sql", UNMAPPABLE, "--run", "--json", "-w", str(cli_workspace),
                database=demo_db)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["plan"] is None and data["rows"] == [] and data["sql"] is None
    assert "no query plan fits" in data["error"] and "'garantia'" in data["answer"]
    human = _cli("sql", UNMAPPABLE, "--run", "-w", str(cli_workspace), database=demo_db)
    assert human.returncode == 1
    assert "garantia" in human.stdout + human.stderr


def test_a_name_the_value_index_had_no_room_for_is_looked_up(
        plan_agent: Callable[..., Agent], agent_workspace: Path, demo_db: Path) -> None:
    # CAD_CLI has more names than the index keeps (value_index_max): this customer's is
    # not in text_values.json, so only the database can say the words are a customer
    values = json.loads((agent_workspace / "text_values.json").read_text("utf-8"))
    names = values["columns"]["CAD_CLI.CLI_NOMRAZ"]
    assert not names["complete"]
    assert not [v for v in names["values"] if "SERRALHERIA MINEIRA" in v]
    agent = plan_agent()
    result = agent.ask("Which price list is Serralheria Mineira on?", mode="sql", run=True)
    gold = ("SELECT T.TPR_COD, T.TPR_DESCR FROM CAD_CLI C JOIN TB_TABPRECO T "
            "ON T.TPR_COD = C.TPR_COD WHERE C.CLI_NOMRAZ = 'SERRALHERIA MINEIRA LTDA ME'")
    assert result.error is None and result.sql is not None
    assert "SERRALHERIA MINEIRA" in result.sql and "CAD_CLI" in result.sql
    assert result.rows == hand(demo_db, gold)
    # the name joined the index: linked with no lookup from now on
    assert ("Serralheria", "Mineira") in agent.context.linker().values.asked


def test_without_a_database_no_name_is_looked_up(plan_agent: Callable[..., Agent]) -> None:
    agent = plan_agent(database=False)
    result = agent.ask("Which price list is Serralheria Mineira on?", mode="sql", run=False)
    assert not agent.context.linker().values.asked
    assert result.sql is None or "SERRALHERIA" not in result.sql


def test_a_name_looked_up_is_found_without_its_accents(
        plan_agent: Callable[..., Agent], agent_workspace: Path, demo_db: Path) -> None:
    # 'VINÍCIUS MOREIRA' is past the index's cap; typed "Vinicius", it is still found
    values = json.loads((agent_workspace / "text_values.json").read_text("utf-8"))
    assert "VINÍCIUS MOREIRA" not in values["columns"]["CAD_CLI.CLI_NOMRAZ"]["values"]
    result = plan_agent().ask("qual o limite de crédito do cliente Vinicius Moreira?",
                              mode="sql", run=True)
    gold = "SELECT CLI_LIMCRED FROM CAD_CLI WHERE CLI_NOMRAZ = 'VINÍCIUS MOREIRA'"
    assert result.error is None and result.sql is not None and "VINÍCIUS" in result.sql
    assert result.rows == hand(demo_db, gold)


def test_a_document_number_the_index_had_no_room_for_is_looked_up(
        plan_agent: Callable[..., Agent], agent_workspace: Path, demo_db: Path) -> None:
    # FIN_PAGAR.NUM_DOC has more codes than the index keeps: pick one it left out
    values = json.loads((agent_workspace / "text_values.json").read_text("utf-8"))
    docs = values["columns"]["FIN_PAGAR.NUM_DOC"]
    assert not docs["complete"]
    stored = [r[0] for r in hand(demo_db, "SELECT FIRST 200 NUM_DOC FROM FIN_PAGAR "
                                          "WHERE NUM_DOC STARTING WITH 'NF ' ORDER BY PAG_ID")]
    doc = next(d.rstrip() for d in stored if d.rstrip() not in docs["values"])
    agent = plan_agent()
    result = agent.ask(f"a conta a pagar {doc} é de qual fornecedor?", mode="sql", run=True)
    assert result.error is None and result.sql is not None and f"'{doc}'" in result.sql
    want = hand(demo_db, f"SELECT FOR_COD FROM FIN_PAGAR WHERE NUM_DOC = '{doc}'")
    assert [[row[0]] for row in result.rows] == want, result.sql
    assert (doc,) in agent.context.linker().values.asked
