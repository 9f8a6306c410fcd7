"""How much of the schema is documented: tables and columns described, overall and per
area (the name prefix before the first `_`, e.g. CAD, MOV, FIN)."""

from __future__ import annotations

from dataclasses import dataclass

from schemachat.ingest.models.annotations import SchemaMetadata
from schemachat.ingest.models.combined import CombinedSchema


@dataclass(frozen=True)
class Coverage:
    """Described objects (tables and views) and columns of one area, or of everything."""

    area: str
    objects: int
    objects_described: int
    columns: int
    columns_described: int

    @property
    def objects_percent(self) -> float:
        return 100.0 * self.objects_described / self.objects if self.objects else 0.0

    @property
    def columns_percent(self) -> float:
        return 100.0 * self.columns_described / self.columns if self.columns else 0.0


def area_of(name: str) -> str:
    """The area of an object: its name up to the first `_` (the whole name if none)."""
    return name.split("_", 1)[0]


def documentation_status(doc: CombinedSchema, metadata: SchemaMetadata | None = None
                         ) -> tuple[Coverage, list[Coverage]]:
    """(overall, per area sorted by name). An object or column counts as described when
    it has a description in `metadata` (default: the annotations merged into `doc`) or
    a Firebird `RDB$DESCRIPTION`."""
    counts: dict[str, list[int]] = {}
    for rel in doc.relations():
        note = (metadata.objects.get(rel.name) if metadata is not None else rel.annotation)
        described = bool(rel.description or (note and note.description))
        row = counts.setdefault(area_of(rel.name), [0, 0, 0, 0])
        row[0] += 1
        row[1] += described
        for col in rel.columns:
            col_note = (note.columns.get(col.name) if note else None) if metadata is not None \
                else col.annotation
            row[2] += 1
            row[3] += bool(col.description or (col_note and col_note.description))
    areas = [Coverage(a, *row) for a, row in sorted(counts.items())]
    total = Coverage("all", *(sum(getattr(c, f) for c in areas) for f in
                              ("objects", "objects_described", "columns", "columns_described")))
    return total, areas
