"""`combined_schema_details.json`: technical schema + annotations + counts + distributions.

This is what retrieval and training read. Annotations of objects or columns that no
longer exist are kept under `orphans`, never dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from schemachat.ingest.models.annotations import ColumnNote, ObjectNote
from schemachat.ingest.models.base import FileModel, Part
from schemachat.ingest.models.counts import TableCount
from schemachat.ingest.models.samples import ValueCount
from schemachat.ingest.models.technical import (
    Column,
    DatabaseInfo,
    Domain,
    Generator,
    Procedure,
    Relation,
    Trigger,
)

FILENAME = "combined_schema_details.json"


class CombinedColumn(Column):
    annotation: ColumnNote | None = None
    distribution: list[ValueCount] | None = None
    referenced_by: int = Field(0, description="How many FK columns reference this column.")


class CombinedRelation(Relation):
    columns: list[CombinedColumn]  # type: ignore[assignment]
    annotation: ObjectNote | None = None
    rows: TableCount | None = None


class CombinedProcedure(Procedure):
    annotation: ObjectNote | None = None


class Orphans(Part):
    objects: dict[str, ObjectNote] = Field(
        default_factory=dict, description="Annotated objects that no longer exist."
    )
    columns: dict[str, ColumnNote] = Field(
        default_factory=dict, description="'TABLE.COLUMN' annotated but no longer there."
    )


class Sources(Part):
    extracted_at: datetime
    annotations_fingerprint: str | None = None
    counted_at: datetime | None = None
    sampled_at: datetime | None = None


class CombinedSchema(FileModel):
    version: Literal[1] = 1
    kind: Literal["combined_schema"] = "combined_schema"
    merged_at: datetime
    fingerprint: str = Field(
        description="sha256 of the content (timestamps excluded): changes iff the content does."
    )
    sources: Sources
    database: DatabaseInfo
    tables: list[CombinedRelation]
    views: list[CombinedRelation] = Field(default_factory=list)
    triggers: list[Trigger] = Field(default_factory=list)
    procedures: list[CombinedProcedure] = Field(default_factory=list)
    generators: list[Generator] = Field(default_factory=list)
    domains: list[Domain] = Field(default_factory=list)
    fk_reference_counts: dict[str, int] = Field(default_factory=dict)
    orphans: Orphans = Field(default_factory=Orphans)

    def relations(self) -> list[CombinedRelation]:
        """Tables then views."""
        return [*self.tables, *self.views]

    def relation(self, name: str) -> CombinedRelation | None:
        """The table or view called `name`, or None."""
        return next((r for r in self.relations() if r.name == name), None)
