"""POST /ask and POST /sql: one agent turn, the answer object of docs/architecture.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio
from fastapi import APIRouter, Depends, Request

from schemachat.agent.answer import AgentAnswer
from schemachat.ui.api.auth import bearer
from schemachat.ui.api.database_routes import current
from schemachat.ui.api.models import COMMON, AskRequest, SqlRequest, errors

if TYPE_CHECKING:
    from schemachat.ui.api.metrics import Metrics

router = APIRouter(tags=["agent"], dependencies=[Depends(bearer)],
                   responses=errors(400, 503, *COMMON))


async def run_turn(request: Request, body: AskRequest, *, mode: str, run: bool,
                   endpoint: str) -> AgentAnswer:
    """One agent turn in a worker thread (at most `agent_threads` at once). BadInput
    (empty question, unknown adapter, missing index) becomes 400 in the app's handler."""
    metrics: Metrics = request.app.state.metrics
    database = current(request)

    def work() -> AgentAnswer:
        agent = database.agents.get(body.backend, body.adapters)
        result: AgentAnswer = agent.ask(body.question, session=database.session(body.session),
                                        mode=mode, run=run)
        return result

    try:
        answer = await anyio.to_thread.run_sync(work, limiter=request.app.state.agent_slots)
    except Exception:
        metrics.turns.labels(endpoint, "failed").inc()
        raise
    metrics.turns.labels(endpoint, "error" if answer.error else "ok").inc()
    return answer


@router.post("/ask", response_model=AgentAnswer)
async def ask(request: Request, body: AskRequest) -> AgentAnswer:
    """One agent turn: where something is stored, what a column means, or the SQL (run
    read-only when the question asks for data and a database is configured)."""
    return await run_turn(request, body, mode="ask", run=False, endpoint="ask")


@router.post("/sql", response_model=AgentAnswer)
async def sql(request: Request, body: SqlRequest) -> AgentAnswer:
    """Draft Firebird SQL for the question, checked by the engine; with `run`, its rows.
    A query the engine keeps rejecting comes back with `error` set (still 200)."""
    return await run_turn(request, body, mode="sql", run=body.run, endpoint="sql")

