"""`schema_metadata.json`: what people wrote about the schema (the source of truth they edit).

Keys are sorted and each object (table, view, procedure) is one entry, so a diff of
the file shows who changed what. `revision` grows by one on every save of an object;
a save that read an older revision is refused (optimistic concurrency).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from schemachat.ingest.models.base import FileModel, Part

FILENAME = "schema_metadata.json"


class ColumnNote(Part):
    description: str | None = None
    values: dict[str, str] = Field(
        default_factory=dict, description="Stored value -> meaning, e.g. 'A' -> 'ativo'."
    )
    unit: str | None = None
    notes: str | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None

    def is_empty(self) -> bool:
        """True when nothing is written here."""
        return not (self.description or self.values or self.unit or self.notes)


class ObjectNote(Part):
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    notes: str | None = None
    columns: dict[str, ColumnNote] = Field(default_factory=dict)
    revision: int = Field(0, ge=0, description="Grows by one on every save of this object.")
    updated_by: str | None = None
    updated_at: datetime | None = None


class SchemaMetadata(FileModel):
    version: Literal[1] = 1
    kind: Literal["schema_metadata"] = "schema_metadata"
    objects: dict[str, ObjectNote] = Field(
        default_factory=dict, description="Table, view or procedure name -> its notes."
    )


HISTORY_FILENAME = "schema_metadata.history.jsonl"


class HistoryEntry(Part):
    """One line of `schema_metadata.history.jsonl`: one save of one object.

    `old` and `new` are the whole object note before and after (None when absent), so
    any entry can be reverted; `changed` names what differs, e.g. `columns.SITUACAO.values`.
    """

    id: str = Field(description="Unique id of this entry (what `revert` takes).")
    at: datetime
    who: str
    object: str
    column: str | None = Field(None, description="The column, when the save touched only one.")
    action: Literal["edit", "revert", "import"] = "edit"
    revision: int = Field(ge=0, description="Revision of the object after this save.")
    changed: list[str] = Field(default_factory=list)
    reverts: str | None = Field(None, description="Id of the entry this one reverted.")
    old: ObjectNote | None = None
    new: ObjectNote | None = None
