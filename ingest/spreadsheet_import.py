"""What importing an edited annotations spreadsheet changes, row by row.

Each row carries the revision of its table's annotation when it was exported. The
import compares three versions of each edited field (description, value mappings,
unit): as exported (the store's history gives the note at that revision), as the file
has it, and as the workspace has it now.

- the file's value equals the exported one: the person did not edit it; nothing to do,
  whatever happened in the workspace since (a newer value there is kept);
- edited in the file, unchanged in the workspace since the export: the file's value is
  written;
- edited in both to different values: a conflict, reported with both values and never
  written. When the history lacks the exported version, any difference from the
  workspace in a row of an older revision is a conflict (it cannot tell who changed it).

Unknown tables or columns and impossible values (a malformed mapping cell, a value the
column cannot hold, a mapping or unit on a table row) are problems of their row. Rows
with a problem or a conflict contribute nothing; the plan's changes hold the other rows,
grouped by table, based on the revisions read now, so the store still refuses them if
someone saves in between. Nothing is written here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from schemachat.configs import BadInput
from schemachat.ingest.annotation_checks import Catalog, check_column_note
from schemachat.ingest.annotations import Change
from schemachat.ingest.models.annotations import (
    ColumnNote,
    HistoryEntry,
    ObjectNote,
    SchemaMetadata,
)
from schemachat.ingest.spreadsheet import (
    COLUMN,
    DESCRIPTION,
    REVISION,
    TABLE,
    UNIT,
    VALUES,
    RawRow,
    format_values,
    parse_values,
)

Value = str | dict[str, str] | None
_FIELDS = {DESCRIPTION: "description", VALUES: "values", UNIT: "unit"}  # header -> note field


@dataclass(frozen=True)
class RowProblem:
    """A row that cannot be imported, and why."""

    row: int
    target: str
    message: str


@dataclass(frozen=True)
class RowConflict:
    """A cell edited in the file while the workspace changed it too."""

    row: int
    target: str
    field: str  # header name: description, value mappings, unit
    workspace: str
    file: str
    exported_revision: int
    revision: int  # the workspace's now
    by: str | None


@dataclass(frozen=True)
class RowEdit:
    """A cell whose value the import writes."""

    row: int
    target: str
    field: str
    old: str
    new: str


@dataclass
class SheetImportPlan:
    """What importing the rows would write, and which rows it leaves out."""

    rows: int = 0
    edits: list[RowEdit] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    conflicts: list[RowConflict] = field(default_factory=list)
    kept_newer: int = 0  # cells not edited in the file, changed in the workspace since
    changes: list[Change] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when every row can be imported as it is."""
        return not self.problems and not self.conflicts

    @property
    def rows_left_out(self) -> int:
        """Rows with a problem or a conflict."""
        return len({p.row for p in self.problems} | {c.row for c in self.conflicts})


def plan_sheet_import(rows: Iterable[RawRow], metadata: SchemaMetadata, catalog: Catalog,
                      history: list[HistoryEntry]) -> SheetImportPlan:
    """The plan for `rows` against the annotations `metadata` (as stored now), the schema's
    `catalog` and the store's `history` (where exported versions are found)."""
    planner = _Planner(metadata, catalog, _Versions(history))
    for row in rows:
        planner.row(row)
    plan = planner.plan
    for obj, note in sorted(planner.notes.items()):
        current = metadata.objects.get(obj)
        plan.changes.append(Change(obj, note, current.revision if current else 0,
                                   action="import"))
    return plan


@dataclass
class _Versions:
    """The note of an object at a given revision, from the history."""

    history: list[HistoryEntry]

    def at(self, obj: str, revision: int) -> ObjectNote | None:
        if revision == 0:
            return ObjectNote()  # nothing was written when exported
        for entry in self.history:
            if entry.object != obj:
                continue
            for note in (entry.new, entry.old):
                if note is not None and note.revision == revision:
                    return note
        return None


@dataclass
class _Planner:
    metadata: SchemaMetadata
    catalog: Catalog
    versions: _Versions
    plan: SheetImportPlan = field(default_factory=SheetImportPlan)
    notes: dict[str, ObjectNote] = field(default_factory=dict)  # objects with edits
    seen: dict[tuple[str, str | None], int] = field(default_factory=dict)

    def row(self, row: RawRow) -> None:
        self.plan.rows += 1
        target = row.cells.get(TABLE, "") + (f".{row.cells[COLUMN]}" if row.cells.get(COLUMN)
                                             else "")
        try:
            self._row(row)
        except BadInput as exc:
            self.plan.problems.append(RowProblem(row.number, target, str(exc)))

    def _row(self, row: RawRow) -> None:
        table, column = self._resolve(row.cells.get(TABLE, ""), row.cells.get(COLUMN, ""))
        target = f"{table}.{column}" if column else table
        if (table, column) in self.seen:
            raise BadInput(f"{target} is also on row {self.seen[table, column]}")
        self.seen[table, column] = row.number
        exported = _revision(row.cells.get(REVISION, ""))
        theirs = self._file_fields(row, table, column)
        current_note = self.metadata.objects.get(table) or ObjectNote()
        if exported > current_note.revision:
            raise BadInput(f"revision {exported} is newer than the workspace's "
                           f"({current_note.revision}): is this file from another workspace?")
        base_note = current_note if exported == current_note.revision else \
            self.versions.at(table, exported)
        ours = _fields(current_note, column)
        base = _fields(base_note, column) if base_note is not None else None
        writes: dict[str, Value] = {}
        conflicts = []
        for name, new in theirs.items():
            old = ours[name]
            was = base[name] if base is not None else old
            if new == was:
                if old != was:
                    self.plan.kept_newer += 1
                continue  # not edited in the file
            if old == new:
                continue  # the workspace already says so
            if base is None or old != was:
                conflicts.append(RowConflict(row.number, target, name, _show(old), _show(new),
                                             exported, current_note.revision,
                                             current_note.updated_by))
                continue
            writes[name] = new
        if conflicts:
            self.plan.conflicts += conflicts
            return
        for name, new in writes.items():
            self.plan.edits.append(RowEdit(row.number, target, name, _show(ours[name]),
                                           _show(new)))
        if writes:
            self._apply(table, column, writes)

    def _resolve(self, table: str, column: str) -> tuple[str, str | None]:
        """The names as the schema spells them (unquoted names fold to upper case, as
        in Firebird); BadInput naming the unknown one."""
        if not table:
            raise BadInput("no table name")
        if table not in self.catalog.columns and table.upper() in self.catalog.columns:
            table = table.upper()
        cols = self.catalog.object_columns(table)
        if not column:
            return table, None
        if column not in cols and column.upper() in cols:
            column = column.upper()
        self.catalog.column_type(table, column)
        return table, column

    def _file_fields(self, row: RawRow, table: str, column: str | None) -> dict[str, Value]:
        """The editable cells of the row, parsed and checked against the column."""
        text = {name: row.cells.get(name, "") for name in _FIELDS}
        if column is None:
            if text[VALUES] or text[UNIT]:
                raise BadInput(f"value mappings and units are for columns, not for the row "
                               f"of the table {table}")
            return {DESCRIPTION: text[DESCRIPTION] or None}
        try:
            values = parse_values(text[VALUES])
        except ValueError as exc:
            raise BadInput(f"value mappings: {exc}") from None
        fields: dict[str, Value] = {DESCRIPTION: text[DESCRIPTION] or None, VALUES: values,
                                    UNIT: text[UNIT] or None}
        check_column_note(self.catalog, table, column,
                          ColumnNote(description=text[DESCRIPTION] or None, values=values,
                                     unit=text[UNIT] or None))
        return fields

    def _apply(self, table: str, column: str | None, writes: dict[str, Value]) -> None:
        stored = self.metadata.objects.get(table) or ObjectNote()
        note = self.notes.get(table) or stored.model_copy(deep=True)
        if column is None:
            note = note.model_copy(update={"description": writes[DESCRIPTION]})
        else:
            col = note.columns.get(column) or ColumnNote()
            col = col.model_copy(update={_FIELDS[k]: v for k, v in writes.items()})
            note = note.model_copy(update={"columns": {**note.columns, column: col}})
        self.notes[table] = note


def _fields(note: ObjectNote, column: str | None) -> dict[str, Value]:
    """The editable fields of a table row or a column row, as the file's are parsed."""
    if column is None:
        return {DESCRIPTION: note.description}
    col = note.columns.get(column) or ColumnNote()
    return {DESCRIPTION: col.description, VALUES: dict(col.values), UNIT: col.unit}


def _revision(cell: str) -> int:
    try:
        revision = int(cell)
    except ValueError:
        revision = -1
    if revision < 0:
        raise BadInput(f"revision {cell!r} is not a revision: keep the column as exported"
                       if cell else "no revision: keep the revision column as exported")
    return revision


def _show(value: Value) -> str:
    """A field as the spreadsheet shows it."""
    if isinstance(value, dict):
        return format_values(value)
    return value or ""
