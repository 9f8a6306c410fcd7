"""Request and response bodies of the API (the agent's answer is `AgentAnswer`, DESIGN.md's
JSON contract, defined in schemachat.agent.answer)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemachat.ingest.models.annotations import ColumnNote, ObjectNote

QUESTION = Field(min_length=1, max_length=4_000, description="A question, pt or en.")
SESSION = Field(None, min_length=1, max_length=200, pattern=r"^[\w.:@-]+$",
                description="Conversation id: later turns of the same id see this one.")


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    schema_loaded: bool = Field(description="Whether the workspace has a combined document.")


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = QUESTION
    session: str | None = SESSION
    backend: str | None = Field(None, description="Model backend (default: settings).")
    adapters: list[str] | None = Field(None, description="LoRA adapters (default: settings).")


class SqlRequest(AskRequest):
    run: bool = Field(False, description="Also run the SQL, read-only.")


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
