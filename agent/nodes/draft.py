"""draft / repair: the model writes SQL from the retrieved tables' listing and the
FROM/JOIN skeleton built from the schema's keys; on an engine error it gets the
statement back with Firebird's message and tries again (validate bounds the loop)."""

from __future__ import annotations

import re

from langchain_core.messages import BaseMessage
from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from schemachat.agent.context import AgentContext
from schemachat.agent.prompts import SQL_STOP, repair_messages, sql_messages
from schemachat.agent.schema_facts import sql_schema
from schemachat.agent.state import AgentState, last_sql_turn

SQL_TOKENS = 120
# SELECT, or a WITH that opens a common table expression ("help with that" is not one).
_START = re.compile(r"\bSELECT\b|\bWITH\s+(?:RECURSIVE\s+)?\w+\s*(?:\([^)]*\)\s*)?AS\s*\(",
                    re.IGNORECASE)
_FENCE = re.compile(r"```(?:sql)?", re.IGNORECASE)


def extract_sql(text: str) -> str:
    """The statement in a model's reply: from the first SELECT/WITH, without code fences,
    surrounding whitespace or the trailing ';'. '' when there is none."""
    text = _FENCE.sub(" ", text)
    m = _START.search(text)
    if m is None:
        return ""
    return text[m.start():].strip().rstrip(";").strip()


def _inputs(state: AgentState, ctx: AgentContext) -> tuple[str, str, str | None]:
    previous = last_sql_turn(state) if state.get("follow_up") else None
    schema = sql_schema(ctx.doc(), state.get("tables") or [], state["question"], ctx.analyzer)
    return (schema, state.get("skeleton") or "",
            previous["sql"] if previous else None)


def _ask(ctx: AgentContext, messages: list[BaseMessage]) -> str:
    return extract_sql(ctx.generate(messages, stop=SQL_STOP, max_new_tokens=SQL_TOKENS))


def draft_sql(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Set `sql` to the model's first draft."""
    ctx = runtime.context
    schema, skeleton, previous = _inputs(state, ctx)
    get_stream_writer()({"status": "drafting SQL"})
    sql = _ask(ctx, sql_messages(schema, skeleton, state["question"], previous))
    return AgentState(sql=sql, sql_error=None)


def repair_sql(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Set `sql` to the model's fix of the rejected statement."""
    ctx = runtime.context
    schema, skeleton, previous = _inputs(state, ctx)
    error = state.get("sql_error") or ""
    get_stream_writer()({"status": f"repairing SQL: {error}"})
    sql = _ask(ctx, repair_messages(schema, skeleton, state["question"],
                                    state.get("sql") or "", error, previous))
    return AgentState(sql=sql, sql_error=None)
