"""The agent graph (LangGraph): built here and nothing else.

    route ─┬─ smalltalk ──────────────────────────────────────────────┐
           └─ retrieve ─┬─ answer (schema) ───────────────────────────┤
                        └─ plan ─┬─ (choose) ─┬───────────────────────┤
                                 └────────────┴─ draft ─ validate ─┬─ repair ─ validate
                                                                   └──────────┴─ respond

plan answers data questions with query plans built from the document and the engine
(no model); with a model (agent_choose), choose lets it pick among the plans or fill the
best one's open slots under a JSON Schema, and its choice answers when it stands. A
question no plan fits goes on to the model's draft, or, without a model (model_backend
none), to respond, which says what could not be mapped.

validate is `sql.check.validate`: dialect fixes, names against the document, the
guard, the engine's prepare and, when the turn runs SQL, the run of that same
prepared statement; a rejected or failed statement goes to repair while tries last.

Nodes live in `schemachat.agent.graph.nodes`; dependencies (model, index, database) come
from the runtime context, `AgentContext`; the state is `AgentState`.
"""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from schemachat.agent.context import AgentContext
from schemachat.agent.graph.nodes import (
    answer_schema,
    draft_sql,
    repair_sql,
    respond,
    retrieve,
    route,
    smalltalk,
)
from schemachat.agent.graph.nodes.choose import after_choose, choose_plan
from schemachat.agent.graph.nodes.plan import after_plan, plan_sql
from schemachat.agent.graph.nodes.validate import after_validate, validate_sql
from schemachat.agent.graph.state import AgentState


def _after_route(state: AgentState) -> str:
    return "smalltalk" if state.get("intent") == "smalltalk" else "retrieve"


def _after_retrieve(state: AgentState, runtime: Runtime[AgentContext]) -> str:
    if state.get("intent") not in ("sql", "run"):
        return "answer"
    ctx = runtime.context
    if ctx.has_model and (state.get("follow_up") or not ctx.settings.agent_plans):
        return "draft"  # a follow-up changes the previous SQL: the model's job
    return "plan"


def build_graph(checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    """The compiled agent graph; with `checkpointer`, state persists per `thread_id`."""
    graph = StateGraph(AgentState, context_schema=AgentContext)
    graph.add_node("route", route)
    graph.add_node("smalltalk", smalltalk)
    graph.add_node("retrieve", retrieve)
    graph.add_node("answer", answer_schema)
    graph.add_node("plan", plan_sql)
    graph.add_node("choose", choose_plan)
    graph.add_node("draft", draft_sql)
    graph.add_node("validate", validate_sql)
    graph.add_node("repair", repair_sql)
    graph.add_node("respond", respond)
    graph.add_edge(START, "route")
    graph.add_conditional_edges("route", _after_route, ["smalltalk", "retrieve"])
    graph.add_edge("smalltalk", "respond")
    graph.add_conditional_edges("retrieve", _after_retrieve, ["answer", "plan", "draft"])
    graph.add_conditional_edges("plan", after_plan, ["choose", "respond", "draft"])
    graph.add_conditional_edges("choose", after_choose, ["respond", "draft"])
    graph.add_edge("answer", "respond")
    graph.add_edge("draft", "validate")
    graph.add_conditional_edges("validate", after_validate, ["repair", "respond"])
    graph.add_edge("repair", "validate")
    graph.add_edge("respond", END)
    return graph.compile(checkpointer=checkpointer)
