"""Feedback on agent answers, kept in the workspace:

- `feedback.jsonl`: one `Feedback` line per thumbs up/down (question, answer, SQL, who
  rated, backend and adapters);
- `golden_sql.jsonl`: one `GoldenExample` per confirmed question → SQL pair (a thumbs up
  on SQL the engine accepted), with its query plan when a plan wrote the SQL (a golden
  plan: the same question asked again reuses it first), for prompts and training.

Appends are serialised with a file lock, so several app workers can record at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemachat.configs import BadInput
from schemachat.ingest.workspace import Workspace

FEEDBACK = "feedback.jsonl"
GOLDEN = "golden_sql.jsonl"


class Feedback(BaseModel):
    """One rating of one answer."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    rating: Literal["up", "down"]
    question: str
    answer: str
    sql: str | None = None
    sql_error: str | None = None
    session: str | None = None
    who: str | None = None
    backend: str | None = None
    adapters: list[str] = Field(default_factory=list)
    comment: str | None = None
    plan: dict[str, Any] | None = Field(None, description="The query plan the SQL came from.")


class GoldenExample(BaseModel):
    """A question and the SQL a person confirmed answers it."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    question: str
    sql: str
    tables: list[str] = Field(default_factory=list)
    source: Literal["feedback", "import"] = "feedback"
    who: str | None = None
    plan: dict[str, Any] | None = Field(
        None, description="The query plan confirmed with the SQL: a golden plan, reused "
                          "first when the same question comes again.")


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # The workspace's lock of this file: the API's feedback appends take the same one.
    with Workspace(path.parent).lock(path.name), path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def record_feedback(workspace: Path, feedback: Feedback,
                    tables: list[str] | None = None) -> GoldenExample | None:
    """Append `feedback`; a thumbs up on SQL without an error also becomes a golden
    example (once per question and SQL). Returns the golden example written, if any."""
    _append(Path(workspace) / FEEDBACK, feedback.model_dump_json())
    if feedback.rating != "up" or not feedback.sql or feedback.sql_error:
        return None
    known = {(g.question.strip(), g.sql.strip()) for g in read_golden(workspace)}
    if (feedback.question.strip(), feedback.sql.strip()) in known:
        return None
    golden = GoldenExample(question=feedback.question, sql=feedback.sql, tables=tables or [],
                           who=feedback.who, plan=feedback.plan)
    _append(Path(workspace) / GOLDEN, golden.model_dump_json())
    return golden


def _read(path: Path, model: type[BaseModel]) -> list:
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if line.strip():
            try:
                out.append(model.model_validate_json(line))
            except ValidationError as exc:
                err = exc.errors()[0]
                raise BadInput(f"{path}: line {n}: field "
                               f"'{'.'.join(str(p) for p in err['loc'])}': {err['msg']}") from None
    return out


def read_feedback(workspace: Path) -> list[Feedback]:
    """Every rating so far (BadInput naming the line of a broken file)."""
    return _read(Path(workspace) / FEEDBACK, Feedback)


def read_golden(workspace: Path) -> list[GoldenExample]:
    """Every confirmed question → SQL pair (BadInput naming the line of a broken file)."""
    return _read(Path(workspace) / GOLDEN, GoldenExample)
