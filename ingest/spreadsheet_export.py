"""The rows of the annotations spreadsheet: one per table or view and one per column,
with what people wrote, a few sampled values and a heuristic suggestion to help them.

The rows come from the merged document's tables and views (their columns and types),
the store's annotations (descriptions, mappings, units, and the revision each row was
read at, which the import checks) and `samples.json`. Suggestions are the heuristic ones
of `suggestions.py` (no model is asked: one request per row would make an export of a
large schema take hours), and only for rows without a description.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from schemachat.ingest.models.annotations import ColumnNote, ObjectNote, SchemaMetadata
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.samples import Samples, TableSample
from schemachat.ingest.spreadsheet import SheetRow
from schemachat.ingest.suggestions import Suggester, Suggestion, sample_values

SAMPLE_VALUES = 5  # distinct values shown per column
_SAMPLE_CHARS = 40  # longer values are cut, so a blob does not fill the cell


@dataclass(frozen=True)
class SheetExport:
    """What to export: the schema, the annotations as stored now, the samples if any."""

    doc: CombinedSchema
    metadata: SchemaMetadata
    samples: Samples | None = None

    def count(self) -> int:
        """How many rows `rows` yields (for a progress bar)."""
        return sum(1 + len(rel.columns) for rel in self.doc.relations())

    def rows(self) -> Iterator[SheetRow]:
        """Each table or view, then its columns in their order."""
        suggester = Suggester(self.doc, self.metadata, self.samples)
        for rel in self.doc.relations():
            note = self.metadata.objects.get(rel.name) or ObjectNote()
            yield SheetRow(
                table=rel.name, column=None, type=rel.kind.upper(),
                description=note.description, revision=note.revision,
                suggested=None if note.description else _description(
                    suggester.for_table(rel.name)))
            sample = self.samples.tables.get(rel.name) if self.samples else None
            for col in rel.columns:
                col_note = note.columns.get(col.name) or ColumnNote()
                yield SheetRow(
                    table=rel.name, column=col.name, type=col.type,
                    description=col_note.description, values=dict(col_note.values),
                    unit=col_note.unit, samples=_samples(sample, col.name),
                    revision=note.revision,
                    suggested=None if col_note.description else _description(
                        suggester.for_column(rel.name, col.name)))


def _description(suggestions: list[Suggestion]) -> str | None:
    """The strongest suggested description (they come strongest first)."""
    return next((str(s.value) for s in suggestions if s.field == "description"), None)


def _samples(sample: TableSample | None, column: str) -> str:
    """Up to SAMPLE_VALUES distinct values: the most frequent ones when the column's
    distribution was counted, else those of the sampled rows."""
    if sample is None:
        return ""
    if column in sample.distributions:
        seen = [v.value for v in sample.distributions[column]]
    else:
        seen = list(sample_values(sample, column))
    shown: list[str] = []
    for value in seen:
        text = str(value) if value is not None else ""
        text = text if len(text) <= _SAMPLE_CHARS else text[:_SAMPLE_CHARS - 1] + "…"
        if text.strip() and text not in shown:
            shown.append(text)
        if len(shown) == SAMPLE_VALUES:
            break
    return ", ".join(shown)
