"""Headline figures of a combined schema document (for summaries and the Overview)."""

from __future__ import annotations

from dataclasses import dataclass, field

from schemachat.ingest.models.combined import CombinedSchema


@dataclass(frozen=True)
class SchemaStats:
    tables: int
    views: int
    columns: int
    foreign_keys: int
    procedures: int
    triggers: int
    rows: int = field(metadata={"help": "sum over tables with a known count"})
    rows_unknown: int = field(metadata={"help": "tables whose count is unknown"})
    tables_described: int = 0
    columns_described: int = 0
    most_referenced: list[tuple[str, int]] = field(default_factory=list)


def schema_stats(doc: CombinedSchema, top: int = 10) -> SchemaStats:
    """Count objects, rows and documentation in `doc`; `top` most FK-referenced columns."""
    rels = doc.relations()
    known = [t.rows.rows for t in doc.tables if t.rows and t.rows.rows is not None]
    referenced = sorted(doc.fk_reference_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return SchemaStats(
        tables=len(doc.tables),
        views=len(doc.views),
        columns=sum(len(r.columns) for r in rels),
        foreign_keys=sum(len(t.foreign_keys) for t in doc.tables),
        procedures=len(doc.procedures),
        triggers=len(doc.triggers),
        rows=sum(known),
        rows_unknown=len(doc.tables) - len(known),
        tables_described=sum(1 for r in rels if r.description or
                             (r.annotation and r.annotation.description)),
        columns_described=sum(1 for r in rels for c in r.columns if c.description or
                              (c.annotation and c.annotation.description)),
        most_referenced=referenced[:top],
    )
