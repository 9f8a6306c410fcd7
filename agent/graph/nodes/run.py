"""run: the checked statement, read-only (sql_guard.run_read_only: read-only
transaction, statement timeout, row cap); the answer carries at most
`settings.agent_rows_shown` rows. A statement the engine prepared can still fail when
it runs (a string compared with a number converts row by row): that error goes to
repair like a rejected draft, within the same bound; a timeout does not (the fix would
run as long)."""

from __future__ import annotations

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from schemachat.agent.answer import json_rows
from schemachat.agent.context import AgentContext
from schemachat.agent.graph.nodes.validate import repairs_left
from schemachat.agent.graph.state import AgentState
from schemachat.agent.sql.guard import SQLError, SQLTimeout, run_read_only


def run_sql(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Set `columns`, `rows`, `truncated`; `sql_error` when the engine fails it."""
    ctx = runtime.context
    get_stream_writer()({"status": "running SQL"})
    try:
        with ctx.database() as con:
            result = run_read_only(con, state.get("sql") or "", ctx.settings)
    except SQLError as exc:
        return AgentState(sql_error=exc.reason, timed_out=isinstance(exc, SQLTimeout))
    cap = ctx.settings.agent_rows_shown
    return AgentState(columns=result.columns, rows=json_rows(result.rows[:cap]),
                      truncated=result.truncated or len(result.rows) > cap)


def after_run(state: AgentState, runtime: Runtime[AgentContext]) -> str:
    """Next node: repair (the run failed, not by timeout, tries left) or respond."""
    if state.get("sql_error") and not state.get("timed_out") \
            and repairs_left(state.get("attempts") or 1, runtime.context):
        return "repair"
    return "respond"
