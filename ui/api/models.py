"""Request and response bodies of the API (the agent's answer is `AgentAnswer`, the JSON
contract of docs/architecture.md, defined in schemachat.agent.answer)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from schemachat.ingest.models.annotations import ColumnNote, ObjectNote
from schemachat.ui.api.agents import ADAPTER_NAME, MAX_ADAPTERS

QUESTION = Field(min_length=1, max_length=4_000, description="A question, pt or en.")
ADAPTER = Annotated[str, Field(pattern=f"^{ADAPTER_NAME}$")]
Backend = Literal["default", "local", "tgi", "openai", "fake"]
SESSION = Field(None, min_length=1, max_length=200, pattern=r"^[\w.:@-]+$",
                description="Conversation id: later turns of the same id see this one.")


class ModelHealth(BaseModel):
    state: Literal["loading", "ready", "none", "failed"] = Field(
        description="loading: the chat model is being prepared (the first start converts the "
                    "default model, about a minute and a half), questions wait; ready; none: "
                    "model_backend none (query plans answer); failed: see `error`.")
    name: str | None = Field(None, description="The configured model (None without one).")
    error: str | None = Field(None, description="Why preparing the model failed.")
    seconds: float | None = Field(None, description="How long preparing took (so far).")


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    schema_loaded: bool = Field(description="Whether the workspace has a combined document.")
    index: str = Field(description="`ready`, or why the agent cannot answer yet (no index, "
                                   "or stale after the document changed outside the API: "
                                   "run `schemachat index`).")
    model: ModelHealth = Field(description="The chat model's warm-up, started with the server.")


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = QUESTION
    session: str | None = SESSION
    backend: Backend | None = Field(None, description="Model backend (default: settings).")
    adapters: list[ADAPTER] | None = Field(None, max_length=MAX_ADAPTERS,
                                           description="LoRA adapters (default: settings).")


class SqlRequest(AskRequest):
    run: StrictBool = Field(False, description="Also run the SQL, read-only.")


class TableSummary(BaseModel):
    name: str
    kind: str
    description: str | None = None
    columns: int
    rows: int | None = Field(None, description="Row count (exact or estimate), if counted.")


class AnnotationEdit(BaseModel):
    """A whole-object save, as the Annotate tab does: `based_on` is the revision read."""

    model_config = ConfigDict(extra="forbid")

    based_on: int = Field(ge=0, description="Revision of the object the edit started from.")
    description: str | None = Field(None, max_length=10_000)
    tags: list[str] = Field(default_factory=list, max_length=100)
    notes: str | None = Field(None, max_length=10_000)
    columns: dict[str, ColumnNote] = Field(default_factory=dict)

    def note(self) -> ObjectNote:
        return ObjectNote(description=self.description, tags=self.tags, notes=self.notes,
                          columns=self.columns)


class ErrorBody(BaseModel):
    detail: str | list[dict[str, object]] = Field(
        description="One line saying what was wrong (a list of field errors for 422).")


def errors(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI `responses` for the error statuses a route can answer with."""
    said = {400: "Bad input (the reason names the field or name).",
            401: "No or wrong bearer token.",
            403: "No such database, or the token may not use it (one answer for both).",
            404: "No such table, view or procedure.",
            413: "Request body too large.",
            429: "Rate limit of the token reached (see Retry-After).",
            503: "The Firebird server is unreachable or dropped the connection (a restart): "
                 "try again; the next request reconnects."}
    return {code: {"model": ErrorBody, "description": said[code]} for code in codes}


COMMON = (401, 413, 429)


class StaleEditBody(BaseModel):
    detail: str
    current: ObjectNote


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: Literal["up", "down"]
    question: str = QUESTION
    answer: str | None = Field(None, max_length=20_000)
    sql: str | None = Field(None, max_length=20_000)
    comment: str | None = Field(None, max_length=4_000)
    session: str | None = SESSION


class FeedbackStored(BaseModel):
    id: str
