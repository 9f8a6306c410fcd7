"""Merge an exported annotations file into the workspace's, field by field.

A field empty on one side takes the other side's value; equal values are fine; two
different values are a conflict, kept as the workspace has it (or as the file has it,
with `prefer_file`) and reported. Tags are united. Nothing is written here: the plan's
changes go through the store, which checks them and refuses stale revisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schemachat.ingest.annotations import Change
from schemachat.ingest.models.annotations import ColumnNote, ObjectNote, SchemaMetadata


@dataclass(frozen=True)
class Conflict:
    """Both sides wrote something different at `path` of `object`."""

    object: str
    path: str
    workspace: object
    file: object


@dataclass
class ImportPlan:
    """What importing a file would change."""

    changes: list[Change] = field(default_factory=list)
    new_objects: int = 0
    fields_filled: int = 0
    conflicts: list[Conflict] = field(default_factory=list)


def plan_import(current: SchemaMetadata, incoming: SchemaMetadata, *, prefer_file: bool = False
                ) -> ImportPlan:
    """The changes (based on the current revisions) that merge `incoming` into `current`."""
    plan = ImportPlan()
    for name, theirs in sorted(incoming.objects.items()):
        ours = current.objects.get(name)
        merger = _Merger(name, prefer_file, plan)
        merged = merger.object(ours or ObjectNote(), theirs)
        if ours is None:
            plan.new_objects += 1
        plan.changes.append(Change(name, merged, ours.revision if ours else 0, action="import"))
    return plan


@dataclass
class _Merger:
    name: str
    prefer_file: bool
    plan: ImportPlan

    def value(self, path: str, ours: object, theirs: object) -> object:
        if theirs in (None, "", [], {}) or ours == theirs:
            return ours
        if ours in (None, "", [], {}):
            self.plan.fields_filled += 1
            return theirs
        self.plan.conflicts.append(Conflict(self.name, path, ours, theirs))
        return theirs if self.prefer_file else ours

    def object(self, ours: ObjectNote, theirs: ObjectNote) -> ObjectNote:
        columns = dict(ours.columns)
        for col, their_col in theirs.columns.items():
            columns[col] = self.column(col, ours.columns.get(col) or ColumnNote(), their_col)
        return ours.model_copy(update={
            "description": self.value("description", ours.description, theirs.description),
            "notes": self.value("notes", ours.notes, theirs.notes),
            "tags": list(dict.fromkeys([*ours.tags, *theirs.tags])),
            "columns": columns,
        })

    def column(self, col: str, ours: ColumnNote, theirs: ColumnNote) -> ColumnNote:
        values = dict(ours.values)
        for key, meaning in theirs.values.items():
            values[key] = self.value(f"columns.{col}.values.{key}", ours.values.get(key),
                                     meaning)  # type: ignore[assignment]
        return ours.model_copy(update={
            f: self.value(f"columns.{col}.{f}", getattr(ours, f), getattr(theirs, f))
            for f in ("description", "unit", "notes")
        } | {"values": values})
