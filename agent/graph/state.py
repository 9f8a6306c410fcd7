"""The typed state of the agent graph.

A turn starts from `new_turn(...)` (which resets every per-turn field: with a
checkpointer the previous turn's values would otherwise linger) and ends in
`respond`, which writes `result` (the JSON contract) and appends a `Turn` to `turns`,
the conversation memory follow-up questions use.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages

Intent = Literal["schema", "sql", "run", "smalltalk"]
Mode = Literal["ask", "sql"]


class Hit(TypedDict):
    """One retrieved table as the nodes need it (plain data: it is checkpointed)."""

    name: str
    kind: str
    text: str
    added_for_join: bool
    joins: list[str]


class Turn(TypedDict):
    """What a later question may refer back to."""

    question: str
    intent: str
    sql: str | None
    tables: list[str]
    ok: bool


class AgentState(TypedDict, total=False):
    """Everything one turn reads and writes (see the nodes for who writes what)."""

    # input
    question: str
    mode: Mode  # ask: the router decides; sql: always draft SQL
    run: bool  # run the SQL (sql mode); ask mode runs when the intent is `run`
    # route
    intent: Intent
    follow_up: bool
    # retrieve
    hits: list[Hit]
    tables: list[str]  # tables the SQL draft starts from, joins included
    skeleton: str  # FROM ... JOIN ... ON ... from declared/inferred keys
    # plan: query plans from the document and the engine (no model)
    plan: dict[str, Any] | None  # the plan `sql` was compiled from (QueryPlan.model_dump())
    plan_text: str  # the plan in the question's language
    unmapped: list[str]  # question words no plan could place
    candidates: list[dict[str, Any]]  # the ranked plans (plans.choose.stash), for choose
    chosen_by: str | None  # who chose `plan`: "model", "ranking" or "golden"
    # draft, validate, repair (validate also runs the SQL when the turn runs it)
    sql: str | None
    sql_error: str | None
    attempts: int  # drafts the engine has judged
    checked: bool  # the engine prepared `sql` as a SELECT
    fallback_error: str | None  # set: `sql` is the starting query; the last draft's error
    sql_tables: list[str]  # relations `sql` reads that the document has (one parse)
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    timed_out: bool  # the run hit the statement timeout (no repair: it would run again)
    # answer / respond
    answer: str
    citations: list[dict[str, str | None]]  # of the schema answer, or of `sql`
    error: str | None
    result: dict[str, Any]  # AgentAnswer.model_dump()
    # memory across turns (appended, never reset)
    turns: Annotated[list[Turn], operator.add]


def new_turn(question: str, *, mode: Mode = "ask", run: bool = False) -> AgentState:
    """The input of one turn: the question and every per-turn field reset."""
    return AgentState(question=question, mode=mode, run=run, intent="schema",
                      follow_up=False, hits=[], tables=[], skeleton="", plan=None,
                      plan_text="", unmapped=[], candidates=[], chosen_by=None, sql=None,
                      sql_error=None, fallback_error=None, attempts=0, checked=False,
                      sql_tables=[], columns=[], rows=[], truncated=False, timed_out=False,
                      answer="", citations=[], error=None, result={})


def last_turn(state: AgentState) -> Turn | None:
    """The previous turn of this conversation, if any."""
    turns = state.get("turns") or []
    return turns[-1] if turns else None


def last_sql_turn(state: AgentState) -> Turn | None:
    """The most recent earlier turn that drafted SQL, if any."""
    return next((t for t in reversed(state.get("turns") or []) if t.get("sql")), None)


class ToolState(TypedDict, total=False):
    """One tool-calling turn (agent/graph/tool_graph.py): the conversation as chat messages
    (kept across turns by the checkpointer; a turn starts at its question, the last
    human message), the model calls of this turn, and its result."""

    messages: Annotated[list[AnyMessage], add_messages]
    rounds: int
    result: dict[str, Any]  # AgentAnswer.model_dump()
