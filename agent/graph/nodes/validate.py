"""validate: the deterministic dialect fixer, then the names check against the schema
document, then the engine (prepared in a read-only transaction; it must be a SELECT —
sql_guard.check_sql). Counts attempts; the graph sends a rejected draft to repair at
most `settings.agent_max_repairs` times.

When the last allowed draft is rejected too, the deterministic starting query of
`nodes.fallback` is checked by the engine instead; if the engine prepares it, it becomes
`sql` (checked, no error) and `fallback_error` keeps the last draft's error, so respond
says the drafts failed. No fallback without a database (nothing engine-checks it) or
after a draft the guard refused (a write, a generator: the question may ask for
something the agent will not do)."""

from __future__ import annotations

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from schemachat.agent.context import AgentContext
from schemachat.agent.graph.nodes.fallback import starting_query
from schemachat.agent.graph.state import AgentState
from schemachat.agent.sql.dialect import fix_dialect, known_names
from schemachat.agent.sql.grounding import unknown_relations
from schemachat.agent.sql.guard import SQLError, SQLRefused, check_sql

NO_SQL = "the model wrote no SELECT statement"


def engine_verdict(sql: str, ctx: AgentContext) -> tuple[str, bool, str | None]:
    """(the fixed SQL, whether the engine prepared it, its error or None). Without a
    configured database only the document check runs (checked is False)."""
    sql, checked, error, _ = _verdict(sql, ctx)
    return sql, checked, error


def _verdict(sql: str, ctx: AgentContext) -> tuple[str, bool, str | None, bool]:
    # engine_verdict, and whether the guard refused the statement (SQLRefused).
    if not sql.strip():
        return sql, False, NO_SQL, False
    doc = ctx.doc()
    sql = fix_dialect(sql, known_names(doc)).sql
    unknown = unknown_relations(sql, doc)
    if unknown:
        return sql, False, f"Table unknown: {', '.join(unknown)} (not in the schema)", False
    if not ctx.has_database:
        return sql, False, None, False
    try:
        with ctx.database() as con:
            checked = check_sql(con, sql, ctx.settings)
    except SQLError as exc:
        return sql, False, exc.reason, isinstance(exc, SQLRefused)
    return checked.sql, True, None, False


def repairs_left(attempts: int, ctx: AgentContext) -> bool:
    """Whether another repair is allowed after `attempts` judged drafts."""
    return attempts - 1 < ctx.settings.agent_max_repairs


def validate_sql(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Set `sql` (fixed), `checked`, `sql_error`, and count the attempt; after the last
    rejected draft, try the starting query (`fallback_error` set when it is used)."""
    ctx = runtime.context
    sql, checked, error, refused = _verdict(state.get("sql") or "", ctx)
    attempts = (state.get("attempts") or 0) + 1
    if error and not refused and ctx.has_database and not repairs_left(attempts, ctx):
        fallback = starting_query(state, ctx)
        if fallback:
            get_stream_writer()({"status": "no draft was accepted: checking a starting "
                                           "query over the retrieved tables"})
            fixed, ok, problem, _ = _verdict(fallback, ctx)
            if ok and problem is None:
                return AgentState(sql=fixed, checked=True, sql_error=None,
                                  fallback_error=error, attempts=attempts)
    return AgentState(sql=sql or None, checked=checked, sql_error=error, attempts=attempts)


def after_validate(state: AgentState, runtime: Runtime[AgentContext]) -> str:
    """Next node: repair (rejected, tries left), run (checked and wanted) or respond
    (the starting query is never run)."""
    if state.get("sql_error"):
        return "repair" if repairs_left(state.get("attempts") or 1, runtime.context) \
            else "respond"
    if state.get("fallback_error"):
        return "respond"
    return "run" if state.get("run") and state.get("checked") else "respond"
