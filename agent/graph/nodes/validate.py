"""validate: the turn's SQL through `sql.check.validate`, the one step every SQL text
takes (dialect fixes, names against the schema document, the guard, the engine's
prepare as a SELECT in a read-only transaction) and, when the turn runs SQL, the same
prepared statement executed read-only (statement timeout, row cap; the answer carries
at most `settings.agent_rows_shown` rows). Counts attempts; the graph sends a rejected
or failed draft to repair at most `settings.agent_max_repairs` times (not after a
timeout: the fix would run as long).

When the last allowed draft is rejected too, the deterministic starting query of
`nodes.fallback` is checked by the engine instead (never run); if the engine prepares
it, it becomes `sql` (checked, no error) and `fallback_error` keeps the last draft's
error, so respond says the drafts failed. No fallback without a database (nothing
engine-checks it) or after a draft the guard refused (a write, a generator: the
question may ask for something the agent will not do)."""

from __future__ import annotations

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from schemachat.agent.answer import json_rows
from schemachat.agent.context import AgentContext
from schemachat.agent.graph.nodes.fallback import starting_query
from schemachat.agent.graph.state import AgentState
from schemachat.agent.sql.check import Verdict, validate
from schemachat.agent.sql.grounding import sql_citations


def repairs_left(attempts: int, ctx: AgentContext) -> bool:
    """Whether another repair is allowed after `attempts` judged drafts."""
    return attempts - 1 < ctx.settings.agent_max_repairs


def verdict_state(verdict: Verdict, ctx: AgentContext) -> AgentState:
    """The state fields a verdict sets: SQL, engine check, error, rows, citations."""
    state = AgentState(sql=verdict.sql or None, checked=verdict.checked,
                       sql_error=verdict.error, timed_out=verdict.timed_out,
                       citations=[c.model_dump() for c in
                                  sql_citations(verdict.parsed, ctx.doc())],
                       sql_tables=[t for t in verdict.parsed.relations()
                                   if ctx.doc().relation(t) is not None],
                       columns=[], rows=[], truncated=False)
    if verdict.result is not None:
        rows, more = verdict.result.shown(ctx.settings.agent_rows_shown)
        state.update(columns=verdict.result.columns, rows=json_rows(rows), truncated=more)
    return state


def validate_sql(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Set `sql` (fixed), `checked`, `sql_error`, the rows when the turn runs, and count
    the attempt; after the last rejected draft, try the starting query."""
    ctx = runtime.context
    run = bool(state.get("run"))
    if run and ctx.has_database:
        get_stream_writer()({"status": "checking and running SQL"})
    verdict = validate(state.get("sql") or "", ctx.doc(), ctx.settings, ctx.opener(),
                       run=run, names=ctx.names())
    attempts = (state.get("attempts") or 0) + 1
    out = verdict_state(verdict, ctx)
    if verdict.error and not verdict.refused and not verdict.timed_out \
            and ctx.has_database and not repairs_left(attempts, ctx):
        fallback = starting_query(state, ctx)
        if fallback:
            get_stream_writer()({"status": "no draft was accepted: checking a starting "
                                           "query over the retrieved tables"})
            start = validate(fallback, ctx.doc(), ctx.settings, ctx.opener(),
                             names=ctx.names())
            if start.ok:
                out = verdict_state(start, ctx)
                out.update(fallback_error=verdict.error)
    out.update(attempts=attempts)
    return out


def after_validate(state: AgentState, runtime: Runtime[AgentContext]) -> str:
    """Next node: repair (rejected or failed, not by timeout, tries left) or respond."""
    if state.get("sql_error") and not state.get("timed_out") and not state.get(
            "fallback_error") and repairs_left(state.get("attempts") or 1, runtime.context):
        return "repair"
    return "respond"
