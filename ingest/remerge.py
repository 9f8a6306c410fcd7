"""Keep `combined_schema_details.json` in step with the annotations after a save.

Re-merging everything reads every workspace file; after an annotation save only the
annotations of a few objects changed, so `refresh_combined` patches those objects into
the existing combined document. It falls back to a full merge when the combined
document is missing or older than the technical schema, counts or samples.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from schemachat.ingest.merge import annotations_fingerprint, fingerprint, merge
from schemachat.ingest.models.annotations import ObjectNote, SchemaMetadata
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.counts import OverviewCounts
from schemachat.ingest.models.samples import Samples
from schemachat.ingest.models.technical import TechnicalSchema
from schemachat.ingest.workspace import Workspace, read_model, read_optional, write_model


def refresh_combined(ws: Workspace, metadata: SchemaMetadata,
                     objects: Iterable[str] | None = None) -> CombinedSchema | None:
    """Write the combined document with `metadata` applied to `objects` (all when None).

    Returns the document written, or None when there is no technical schema yet (nothing
    to merge into). Serialised by a lock file so concurrent saves cannot interleave.
    """
    if not ws.technical.exists():
        return None
    with ws.lock(ws.combined.name, timeout=60):
        if objects is None or _stale(ws):
            doc = full_merge(ws, metadata)
        else:
            doc = read_model(ws.combined, CombinedSchema)
            for name in objects:
                patch_object(doc, name, metadata.objects.get(name))
            doc.sources.annotations_fingerprint = annotations_fingerprint(metadata)
            doc.merged_at = datetime.now(UTC)
            doc.fingerprint = fingerprint(doc)
        write_model(ws.combined, doc)
        return doc


def full_merge(ws: Workspace, metadata: SchemaMetadata) -> CombinedSchema:
    """Merge every workspace file (as `schemachat merge` does) with `metadata`."""
    return merge(
        read_model(ws.technical, TechnicalSchema),
        metadata,
        read_optional(ws.counts, OverviewCounts),
        read_optional(ws.samples, Samples),
    )


def _stale(ws: Workspace) -> bool:
    if not ws.combined.exists():
        return True
    merged = ws.combined.stat().st_mtime
    return any(p.exists() and p.stat().st_mtime > merged
               for p in (ws.technical, ws.counts, ws.samples))


def patch_object(doc: CombinedSchema, name: str, note: ObjectNote | None) -> None:
    """Put `note` on object `name` of `doc` (its columns on its columns), as merge does;
    notes of objects or columns that do not exist go to `orphans`."""
    doc.orphans.objects.pop(name, None)
    for key in [k for k in doc.orphans.columns if k.startswith(f"{name}.")]:
        del doc.orphans.columns[key]
    rel = doc.relation(name)
    proc = next((p for p in doc.procedures if p.name == name), None)
    if rel is not None:
        rel.annotation = note.model_copy(update={"columns": {}}) if note else None
        known = set()
        for col in rel.columns:
            known.add(col.name)
            col.annotation = note.columns.get(col.name) if note else None
        for col_name, col_note in sorted((note.columns if note else {}).items()):
            if col_name not in known:
                doc.orphans.columns[f"{name}.{col_name}"] = col_note
    elif proc is not None:
        proc.annotation = note
    elif note is not None:
        doc.orphans.objects[name] = note
    doc.orphans.objects = dict(sorted(doc.orphans.objects.items()))
    doc.orphans.columns = dict(sorted(doc.orphans.columns.items()))
