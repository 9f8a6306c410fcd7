"""validate: the deterministic dialect fixer, then the names check against the schema
document, then the engine (prepared in a read-only transaction; it must be a SELECT —
sql_guard.check_sql). Counts attempts; the graph sends a rejected draft to repair at
most `settings.agent_max_repairs` times."""

from __future__ import annotations

from langgraph.runtime import Runtime

from schemachat.agent.context import AgentContext
from schemachat.agent.dialect import fix_dialect, known_names
from schemachat.agent.grounding import unknown_relations
from schemachat.agent.sql_guard import SQLError, check_sql
from schemachat.agent.state import AgentState

NO_SQL = "the model wrote no SELECT statement"


def engine_verdict(sql: str, ctx: AgentContext) -> tuple[str, bool, str | None]:
    """(the fixed SQL, whether the engine prepared it, its error or None). Without a
    configured database only the document check runs (checked is False)."""
    if not sql.strip():
        return sql, False, NO_SQL
    doc = ctx.doc()
    sql = fix_dialect(sql, known_names(doc)).sql
    unknown = unknown_relations(sql, doc)
    if unknown:
        return sql, False, f"Table unknown: {', '.join(unknown)} (not in the schema)"
    if not ctx.has_database:
        return sql, False, None
    try:
        with ctx.database() as con:
            checked = check_sql(con, sql, ctx.settings)
    except SQLError as exc:
        return sql, False, exc.reason
    return checked.sql, True, None


def validate_sql(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Set `sql` (fixed), `checked`, `sql_error`, and count the attempt."""
    sql, checked, error = engine_verdict(state.get("sql") or "", runtime.context)
    return AgentState(sql=sql or None, checked=checked, sql_error=error,
                      attempts=(state.get("attempts") or 0) + 1)


def after_validate(state: AgentState, runtime: Runtime[AgentContext]) -> str:
    """Next node: repair (rejected, tries left), run (checked and wanted) or respond."""
    if state.get("sql_error"):
        repairs_done = (state.get("attempts") or 1) - 1
        return "repair" if repairs_done < runtime.context.settings.agent_max_repairs \
            else "respond"
    return "run" if state.get("run") and state.get("checked") else "respond"
