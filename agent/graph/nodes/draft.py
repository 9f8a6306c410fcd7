"""draft / repair: the model writes SQL from the retrieved tables' listing and the
FROM/JOIN skeleton built from the schema's keys; on an engine error it gets the
statement back with Firebird's message and tries again (validate bounds the loop)."""

from __future__ import annotations

import re
from typing import NamedTuple

from langchain_core.messages import BaseMessage
from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from schemachat.agent.context import AgentContext
from schemachat.agent.feedback import read_golden
from schemachat.agent.graph.state import AgentState, last_sql_turn
from schemachat.agent.prompts.examples import golden_examples, schema_examples, skeleton_tables
from schemachat.agent.prompts.facts import sql_schema
from schemachat.agent.prompts.messages import SQL_STOP, repair_messages, sql_messages

SQL_TOKENS = 120
HINT_COLUMNS = 16  # columns a repair hint lists
_UNKNOWN_COLUMN = re.compile(r"Column unknown: (?:\"?([A-Za-z0-9_$]+)\"?\.)?\"?([A-Za-z0-9_$]+)")
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


class _Inputs(NamedTuple):
    schema: str
    skeleton: str
    previous: str | None
    examples: list[tuple[str, str]]


def _inputs(state: AgentState, ctx: AgentContext) -> _Inputs:
    previous = last_sql_turn(state) if state.get("follow_up") else None
    doc, question = ctx.doc(), state["question"]
    schema = sql_schema(doc, state.get("tables") or [], question, ctx.analyzer)
    skeleton = state.get("skeleton") or ""
    examples = schema_examples(doc, skeleton, question, ctx.analyzer)
    examples += golden_examples(read_golden(ctx.settings.workspace), question, doc,
                                ctx.analyzer)
    return _Inputs(schema, skeleton, previous["sql"] if previous else None, examples)


def column_hint(state: AgentState, ctx: AgentContext, error: str) -> str:
    """For 'Column unknown: A.X', the columns the table behind alias A has; '' else."""
    m = _UNKNOWN_COLUMN.search(error)
    if m is None:
        return ""
    prefix = (m.group(1) or "").upper()
    # The draft's own aliases first: the model may have renamed the skeleton's.
    tables = skeleton_tables(ctx.doc(), state.get("sql") or "") or \
        skeleton_tables(ctx.doc(), state.get("skeleton") or "")
    for t in tables:
        if prefix in (t.alias.upper(), t.rel.name) or (not prefix and len(tables) == 1):
            names = [c.name for c in t.rel.columns][:HINT_COLUMNS]
            return (f"{t.rel.name} {t.alias} has no column {m.group(2)}; its columns are "
                    f"{', '.join(names)}.")
    return ""


def _ask(ctx: AgentContext, messages: list[BaseMessage]) -> str:
    return extract_sql(ctx.generate(messages, stop=SQL_STOP, max_new_tokens=SQL_TOKENS))


def draft_sql(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Set `sql` to the model's first draft."""
    ctx = runtime.context
    got = _inputs(state, ctx)
    get_stream_writer()({"status": "drafting SQL"})
    sql = _ask(ctx, sql_messages(got.schema, got.skeleton, state["question"], got.previous,
                                 got.examples))
    return AgentState(sql=sql, sql_error=None)


def repair_sql(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Set `sql` to the model's fix of the rejected statement."""
    ctx = runtime.context
    got = _inputs(state, ctx)
    error = state.get("sql_error") or ""
    get_stream_writer()({"status": f"repairing SQL: {error}"})
    sql = _ask(ctx, repair_messages(got.schema, got.skeleton, state["question"],
                                    state.get("sql") or "", error, got.previous,
                                    got.examples, column_hint(state, ctx, error)))
    return AgentState(sql=sql, sql_error=None)
