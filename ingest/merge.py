"""Merge the technical schema, annotations, counts and value distributions into
`combined_schema_details.json`, the one document retrieval and training read.

Annotations whose object or column no longer exists are kept under `orphans`, never
dropped: a renamed table should not cost the team what they wrote about it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from schemachat.ingest.models.annotations import ObjectNote, SchemaMetadata
from schemachat.ingest.models.combined import (
    CombinedColumn,
    CombinedProcedure,
    CombinedRelation,
    CombinedSchema,
    Orphans,
    Sources,
)
from schemachat.ingest.models.counts import OverviewCounts
from schemachat.ingest.models.samples import Samples
from schemachat.ingest.models.technical import Relation, TechnicalSchema

# Left out of the fingerprint: when things happened, and row counts (they drift
# with daily use; a retrain should follow what people wrote, not the row counts).
_NOT_FINGERPRINTED = {"merged_at", "fingerprint", "sources"}


def merge(
    technical: TechnicalSchema,
    annotations: SchemaMetadata | None = None,
    counts: OverviewCounts | None = None,
    samples: Samples | None = None,
) -> CombinedSchema:
    """Combine the four sources; only `technical` is required."""
    notes = annotations.objects if annotations else {}

    def relation(rel: Relation) -> CombinedRelation:
        return _relation(rel, notes.get(rel.name), counts, samples, technical)

    combined = CombinedSchema(
        merged_at=datetime.now(UTC),
        fingerprint="",
        sources=Sources(
            extracted_at=technical.extracted_at,
            annotations_fingerprint=annotations_fingerprint(annotations) if annotations else None,
            counted_at=counts.counted_at if counts else None,
            sampled_at=samples.sampled_at if samples else None,
        ),
        database=technical.database,
        tables=[relation(r) for r in technical.tables],
        views=[relation(r) for r in technical.views],
        triggers=technical.triggers,
        procedures=[
            CombinedProcedure(**p.model_dump(), annotation=notes.get(p.name))
            for p in technical.procedures
        ],
        generators=technical.generators,
        domains=technical.domains,
        fk_reference_counts=technical.fk_reference_counts,
        orphans=_orphans(technical, notes),
    )
    combined.fingerprint = fingerprint(combined)
    return combined


def _relation(
    rel: Relation,
    note: ObjectNote | None,
    counts: OverviewCounts | None,
    samples: Samples | None,
    technical: TechnicalSchema,
) -> CombinedRelation:
    sample = samples.tables.get(rel.name) if samples else None
    columns = [
        CombinedColumn(
            **col.model_dump(),
            annotation=note.columns.get(col.name) if note else None,
            distribution=sample.distributions.get(col.name) if sample else None,
            referenced_by=technical.fk_reference_counts.get(f"{rel.name}.{col.name}", 0),
        )
        for col in rel.columns
    ]
    # Column notes live on the columns; the object's own note keeps the rest.
    own = note.model_copy(update={"columns": {}}) if note else None
    return CombinedRelation(
        **rel.model_dump(exclude={"columns"}),
        columns=columns,
        annotation=own,
        rows=counts.tables.get(rel.name) if counts else None,
    )


def _orphans(technical: TechnicalSchema, notes: dict[str, ObjectNote]) -> Orphans:
    procedures = {p.name for p in technical.procedures}
    orphans = Orphans()
    for name, note in sorted(notes.items()):
        rel = technical.relation(name)
        if rel is None and name not in procedures:
            orphans.objects[name] = note
        elif rel is not None:
            for col_name, col_note in sorted(note.columns.items()):
                if rel.column(col_name) is None:
                    orphans.columns[f"{name}.{col_name}"] = col_note
    return orphans


def fingerprint(combined: CombinedSchema) -> str:
    """sha256 of the document's content, leaving out timestamps and row counts."""
    data = combined.model_dump(mode="json", exclude=_NOT_FINGERPRINTED)
    for rel in [*data["tables"], *data["views"]]:
        rel.pop("rows", None)
    return _sha256(data)


def annotations_fingerprint(annotations: SchemaMetadata) -> str:
    """sha256 of what people wrote (not who or when), to tell when it changed."""
    data = annotations.model_dump(mode="json")
    for note in data["objects"].values():
        for key in ("revision", "updated_by", "updated_at"):
            note.pop(key, None)
        for col in note["columns"].values():
            col.pop("updated_by", None)
            col.pop("updated_at", None)
    return _sha256(data)


def _sha256(data: object) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
