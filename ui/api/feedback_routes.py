"""POST /feedback: a thumbs up or down on an answer."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Depends, Request

from schemachat.ui.api.auth import bearer
from schemachat.ui.api.database_routes import current
from schemachat.ui.api.feedback import record_feedback
from schemachat.ui.api.models import COMMON, FeedbackRequest, FeedbackStored, errors

router = APIRouter(tags=["agent"], dependencies=[Depends(bearer)],
                   responses=errors(400, *COMMON))


@router.post("/feedback", response_model=FeedbackStored, status_code=201)
async def feedback(request: Request, body: FeedbackRequest) -> FeedbackStored:
    """A thumbs up or down on an answer, kept in the database's
    <workspace>/feedback.jsonl."""
    entry = body.model_dump(exclude_none=True)
    entry["source"] = "api"
    workspace = current(request).settings.workspace  # the database's own feedback file
    stored = await anyio.to_thread.run_sync(
        lambda: record_feedback(workspace, entry, who=f"api:{request.state.who}"))
    request.app.state.metrics.feedback.labels(body.rating).inc()
    return FeedbackStored(id=stored)
