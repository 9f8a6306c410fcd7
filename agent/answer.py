"""The result of one agent turn: the JSON contract of docs/architecture.md as a pydantic model.

    {"answer": str, "sql": str|null, "columns": [str], "rows": [[...]],
     "citations": [{"table": str, "column": str|null, "value": str|null,
                    "meaning": str|null}],
     "error": str|null, "plan": {...}|null, "chosen_by": str|null}

`plan` is the query plan the SQL was compiled from (`schemachat.agent.plans.plan`,
docs/schemas/plan.schema.json), null when a model drafted the SQL or for schema answers;
`chosen_by` says who chose it: "model" (the chat model picked or filled it under a JSON
Schema, docs/plans.md), "ranking" (the linker's best that stood, no model or the
model's choice failed) or "golden" (a plan a person confirmed); null without a plan.

`schemachat ask --json`, `schemachat sql --json`, the HTTP API and the Chat tab all
show this object. Rows hold JSON values only (`json_value` turns Decimals, dates and
bytes into numbers and strings).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Citation(BaseModel):
    """A table (and optionally one of its columns, and a value mapping of it) an answer
    or a query rests on; only names that exist in the schema document are ever cited."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str
    column: str | None = None
    value: str | None = Field(None, description="A stored code the query filters on.")
    meaning: str | None = Field(None, description="What that code means (the mapping).")


class AgentAnswer(BaseModel):
    """One agent turn, as the command-line contract (docs/architecture.md) spells it."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(description="What to tell the person (facts from the schema "
                                    "document or the engine; the model only words it).")
    sql: str | None = Field(None, description="The query drafted (checked by the engine "
                                              "unless `error` says otherwise).")
    columns: list[str] = Field(default_factory=list, description="Result columns, if run.")
    rows: list[list[Any]] = Field(default_factory=list, description="Result rows (capped).")
    citations: list[Citation] = Field(default_factory=list)
    error: str | None = Field(None, description="Why the SQL was not checked or did not run.")
    plan: dict[str, Any] | None = Field(None, description="The query plan the SQL came "
                                                          "from (null: drafted by a model).")
    chosen_by: Literal["model", "ranking", "golden"] | None = Field(
        None, description="Who chose the plan: the model (under a JSON Schema), the "
                          "linker's ranking, or a golden plan; null without a plan.")

    def to_json(self) -> str:
        """The contract object as one line of JSON (non-ASCII kept)."""
        return self.model_dump_json()


def json_value(value: Any) -> Any:
    """A database value as a JSON value: Decimal → float (int when whole), dates and
    times → ISO text, bytes → base64 text; str, int, float, bool and None as they are."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def json_rows(rows: list[tuple[Any, ...]] | list[list[Any]]) -> list[list[Any]]:
    """Rows with every value passed through `json_value`."""
    return [[json_value(v) for v in row] for row in rows]
