"""The choose node (agent/graph/nodes/choose.py) in the agent over the indexed demo ERP,
with scripted models that record what they were asked: when several plans fit closely,
the model is asked under the pick schema, and its pick answers (chosen_by "model") with
that plan's rows; an answer that is not a valid choice, or a model that fails, leaves the
ranking's plan standing (chosen_by "ranking"); a confident ranking asks no model; with
agent_choose off the model is never asked; and `schemachat sql --json` carries
chosen_by."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from schemachat.agent.graph.nodes.plan import fits
from schemachat.agent.plans.choose import Choice, choice_for
from schemachat.agent.plans.compile import compile_plan
from schemachat.agent.plans.plan import QueryPlan
from schemachat.agent.plans.question import read_question
from schemachat.agent.retrieval import SchemaIndex
from schemachat.agent.session import Agent
from schemachat.agent.sql.guard import run_read_only
from schemachat.configs import load_settings
from schemachat.ingest.firebird import opened
from tests.support.agent_fixtures import ScriptedModel, agent_settings, scripted
from tests.support.cli import run

# Questions with several plans that fit on the demo. Which of them the ranking is unsure
# about changes as the linker is tuned, so the pick tests widen choose.CLOSE (every
# fitting plan is then an option) and take the first that has two or more.
SEVERAL = ["quantos clientes de Campinas?", "quantos clientes ativos temos?",
           "quais clientes inadimplentes são de Curitiba?", "liste os pedidos cancelados",
           "quantos produtos existem por grupo de produto?"]
# Questions one plan answers clearly; the confident test takes the first the ranking is
# sure of with the real margin.
CLEAR = ["qual a média de comissão dos vendedores?", "quantas cidades existem por UF?",
         "liste os fornecedores de São Paulo", "quantos clientes ativos temos?"]


@pytest.fixture
def wide_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fitting plan is close enough for the model to be asked."""
    from schemachat.agent.plans import choose

    monkeypatch.setattr(choose, "CLOSE", 1e9)


@pytest.fixture
def choose_agent(agent_workspace: Path, agent_index: SchemaIndex, demo_db: Path,
                 tmp_path: Path) -> Iterator[Callable[..., Agent]]:
    """choose_agent(model, **settings): plans and the model's choice on, over a private
    copy of the demo workspace (document and value index; the shared retrieval index)."""
    agents: list[Agent] = []

    def make(model: Any, **overrides: Any) -> Agent:
        root = tmp_path / f"ws{len(agents)}"
        root.mkdir()
        for name in ("combined_schema_details.json", "text_values.json"):
            shutil.copy(agent_workspace / name, root)
        overrides.setdefault("agent_plans", True)
        overrides.setdefault("agent_choose", True)
        settings = agent_settings(root, demo_db, model_backend="fake", **overrides)
        agent = Agent.open(settings, model=model, index=agent_index)
        agents.append(agent)
        return agent

    yield make
    for agent in agents:
        agent.close()


def the_choice(agent: Agent, text: str) -> Choice | None:
    """The choice the choose node puts to the model for `text` (as it computes it)."""
    ctx = agent.context
    q = read_question(text)
    hits = list(ctx.index().search(text, ctx.settings.retrieval_k).tables)
    cands = ctx.linker().propose(q, hits)
    return choice_for(cands, q, ctx.doc(), fitting=[c for c in cands if fits(c, q)])


def close_question(agent: Agent) -> tuple[str, Choice]:
    for text in SEVERAL:
        choice = the_choice(agent, text)
        if choice is not None and choice.mode == "pick":
            return text, choice
    raise AssertionError(f"none of {SEVERAL} has two plans that fit any more: update it")


def clear_question(agent: Agent) -> str:
    for text in CLEAR:
        if the_choice(agent, text) is None:
            return text
    raise AssertionError(f"the ranking is unsure of all of {CLEAR}: update it")


def rows_of(demo_db: Path, plan: QueryPlan, agent: Agent) -> list[list[Any]]:
    settings = load_settings(fb_database=str(demo_db))
    with opened(settings) as con:
        sql = compile_plan(plan, agent.context.doc())
        return [list(r) for r in run_read_only(con, sql, settings).rows]


def test_the_models_pick_answers(choose_agent: Callable[..., Agent], demo_db: Path,
                                 wide_close: None) -> None:
    # the second option, then the same plan where it moved: first, of the options
    # moved up one place
    model = scripted('{"pick":1}', '{"pick":0}')
    agent = choose_agent(model)
    text, choice = close_question(agent)
    result = agent.ask(text, mode="sql", run=True)
    assert model.calls == 2
    asked = model.kwargs[0]
    assert asked["json_schema"] == choice.schema  # the pick schema, enums 0..n-1
    assert asked["json_schema"]["properties"]["pick"]["enum"] == list(range(len(choice.options)))
    assert text in model.prompt_text()
    picked = choice.options[1].plan
    assert result.error is None and result.chosen_by == "model"
    assert QueryPlan.model_validate(result.plan) == picked
    assert result.rows == rows_of(demo_db, picked, agent)


def test_a_pick_that_follows_the_position_leaves_the_ranking(
        choose_agent: Callable[..., Agent], wide_close: None) -> None:
    # the second option both times: the options moved, so that is another plan
    model = scripted('{"pick":1}', '{"pick":1}')
    agent = choose_agent(model)
    text, choice = close_question(agent)
    result = agent.ask(text, mode="sql", run=True)
    assert model.calls == 2 and result.error is None
    first, second = model.prompt_text(0), model.prompt_text(1)
    assert first != second and text in second  # the same question, options moved
    assert result.chosen_by == "ranking"
    assert QueryPlan.model_validate(result.plan) == choice.options[0].plan


@pytest.mark.parametrize("answer", ["the second one", '{"pick": 9}', '{"table": "X"}'])
def test_an_answer_that_is_no_valid_choice_leaves_the_ranking(
        choose_agent: Callable[..., Agent], answer: str, wide_close: None) -> None:
    model = scripted(answer)
    agent = choose_agent(model)
    text, choice = close_question(agent)
    result = agent.ask(text, mode="sql", run=True)
    assert model.calls == 1 and result.error is None
    assert result.chosen_by == "ranking"
    assert QueryPlan.model_validate(result.plan) == choice.options[0].plan


class FailingModel(ScriptedModel):
    """A model whose backend fails (a server gone)."""

    def _call(self, *args: Any, **kwargs: Any) -> str:
        raise ConnectionError("model server unreachable")


def test_a_failing_model_leaves_the_ranking(choose_agent: Callable[..., Agent],
                                            wide_close: None) -> None:
    agent = choose_agent(FailingModel(responses=["x"], prompts=[], kwargs=[]))
    text, choice = close_question(agent)
    result = agent.ask(text, mode="sql", run=True)
    assert result.error is None and result.chosen_by == "ranking"
    assert QueryPlan.model_validate(result.plan) == choice.options[0].plan


def test_a_confident_ranking_asks_no_model(choose_agent: Callable[..., Agent]) -> None:
    model = scripted('{"pick":1}')
    agent = choose_agent(model)
    text = clear_question(agent)
    result = agent.ask(text, mode="sql", run=True)
    assert model.calls == 0 and result.chosen_by == "ranking" and result.plan is not None


def test_choose_off_asks_no_model(choose_agent: Callable[..., Agent], wide_close: None) -> None:
    model = scripted('{"pick":1}')
    off = choose_agent(model, agent_choose=False)
    text, _ = close_question(off)
    assert off.ask(text, mode="sql", run=True).chosen_by == "ranking" and model.calls == 0


@pytest.mark.slow  # a subprocess that loads the index; the key is checked by default in
# test_plans_agent's CLI test
def test_sql_json_carries_chosen_by(agent_workspace: Path, demo_db: Path,
                                    tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(agent_workspace, root)
    done = run("sql", CLEAR[0], "--run", "--json", "-w", str(root),
               env={"SCHEMACHAT_MODEL_BACKEND": "none", "SCHEMACHAT_FB_DATABASE": str(demo_db)})
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["plan"] is not None and data["chosen_by"] == "ranking"
