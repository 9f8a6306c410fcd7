"""The annotation store: the one way `schema_metadata.json` is read and written.

Safe for several editors at once (browser tabs, the CLI, the HTTP API):

- every write replaces the file atomically (temp file, fsync, rename), so a reader or a
  crash never sees half a file;
- writes are serialised by a lock file (`.locks/schema_metadata.json.lock`, filelock);
- each object carries a `revision`; a save names the revision it was based on and is
  refused with `StaleEdit` (showing the newer value) if someone saved in between;
- every save appends one line per object to `schema_metadata.history.jsonl` (old and
  new note, who, when), from which any edit can be listed and reverted;
- a `schema_metadata.json` that is not valid is never overwritten: the error names the
  line, and nothing is written until a person fixes it.

The history line is appended after the file is replaced, both under the lock: a crash
between the two loses the history line of that one save, never the save itself.
"""

from __future__ import annotations

import getpass
import json
import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock
from filelock import Timeout as LockTimeout

from schemachat.configs import BadInput, SchemachatError
from schemachat.ingest.annotation_checks import Catalog, check_object_note
from schemachat.ingest.models.annotations import (
    ColumnNote,
    HistoryEntry,
    ObjectNote,
    SchemaMetadata,
)
from schemachat.ingest.workspace import Workspace, read_model, write_text_atomic

_COLUMN_FIELDS = ("description", "values", "unit", "notes")
_OBJECT_FIELDS = ("description", "tags", "notes")


class StaleEdit(BadInput):
    """A save based on an older revision of the object than the one stored.

    `current` is the stored note (what the other person saved); the message shows
    what differs from the attempted note, so nobody overwrites it without seeing it.
    """

    def __init__(self, obj: str, based_on: int, current: ObjectNote, attempted: ObjectNote):
        self.object = obj
        self.based_on = based_on
        self.current = current
        who = current.updated_by or "someone"
        when = f" at {current.updated_at:%Y-%m-%d %H:%M:%S}" if current.updated_at else ""
        shown = [f"{path} is now {_show(current, path)}" for path in
                 changed_paths(attempted, current)[:6]]
        newer = "; ".join(shown) if shown else "same content"
        super().__init__(
            f"not saved: {obj} was changed by {who}{when} (revision {current.revision}, "
            f"you edited revision {based_on}). Newer value: {newer}. "
            f"Reload {obj}, re-apply your edit and save again."
        )


@dataclass(frozen=True)
class Change:
    """One object to write: its new note, and the revision the edit was based on
    (None: apply on top of whatever is stored, for patch-style edits under the lock)."""

    object: str
    note: ObjectNote
    based_on: int | None = None
    action: str = "edit"
    reverts: str | None = None


@dataclass
class AnnotationStore:
    """Reads and writes the annotations of one workspace (see the module docstring)."""

    workspace: Workspace
    lock_timeout_s: float = 30.0
    catalog: Catalog | None = None
    _catalog_key: tuple[str, float] | None = field(default=None, repr=False)

    @property
    def path(self) -> Path:
        return self.workspace.annotations

    @property
    def lock_path(self) -> Path:
        return self.workspace.lock_path(self.path.name)

    # Reading -----------------------------------------------------------------------

    def read(self) -> SchemaMetadata:
        """All annotations (empty when the file does not exist yet).

        BadInput naming the line (or field) when the file is broken.
        """
        if not self.path.exists():
            return SchemaMetadata()
        try:
            return read_model(self.path, SchemaMetadata)
        except BadInput as exc:
            raise BadInput(f"{exc}. Not overwriting it: fix that line (see "
                           f"{self.workspace.history.name} for earlier versions), then retry"
                           ) from None

    def get(self, obj: str) -> ObjectNote:
        """The note of `obj` with its revision (an empty note, revision 0, if none)."""
        return self.read().objects.get(obj) or ObjectNote()

    def history(self, obj: str | None = None, column: str | None = None) -> list[HistoryEntry]:
        """History entries, oldest first; only those of `obj` (and touching `column`)."""
        entries = list(read_history(self.workspace.history))
        if obj is not None:
            entries = [e for e in entries if e.object == obj]
        if column is not None:
            prefix = f"columns.{column}."
            entries = [e for e in entries if any(p.startswith(prefix) for p in e.changed)]
        return entries

    # Writing -----------------------------------------------------------------------

    def save(self, obj: str, note: ObjectNote, *, based_on: int | None, who: str | None = None
             ) -> ObjectNote:
        """Replace the note of `obj` by `note` (a whole-object save, as the UI does).

        `based_on` is the revision read with the object; StaleEdit if it is no longer
        the stored one. BadInput (nothing written) if the note does not fit the schema.
        Returns the stored note (unchanged, without a new revision, if nothing differs).
        """
        return self.commit([Change(obj, note, based_on)], who=who)[obj]

    def update(self, obj: str, edit: Callable[[ObjectNote], ObjectNote], *,
               who: str | None = None) -> ObjectNote:
        """Apply `edit` to the stored note of `obj` under the lock (a patch-style edit,
        as the CLI does: no edit can be lost, and fields it does not touch are kept)."""
        with self._locked():
            current = self.read().objects.get(obj) or ObjectNote()
            change = Change(obj, edit(current.model_copy(deep=True)), current.revision)
            return self._commit_locked([change], who)[obj]

    def revert(self, entry_id: str, *, who: str | None = None, based_on: int | None = None
               ) -> ObjectNote:
        """Put the object of history entry `entry_id` back as it was before that entry.

        BadInput if there is no such entry; StaleEdit if `based_on` is given and stale.
        """
        entry = next((e for e in self.history() if e.id == entry_id), None)
        if entry is None:
            raise BadInput(f"no history entry '{entry_id}' in {self.workspace.history}")
        before = entry.old or ObjectNote()
        change = Change(entry.object, before, based_on, action="revert", reverts=entry_id)
        return self.commit([change], who=who)[entry.object]

    def commit(self, changes: Iterable[Change], *, who: str | None = None
               ) -> dict[str, ObjectNote]:
        """Write several objects in one atomic replacement of the file (one history line
        each). All are checked first: one bad note or stale revision writes nothing."""
        with self._locked():
            return self._commit_locked(list(changes), who)

    def _commit_locked(self, changes: list[Change], who: str | None) -> dict[str, ObjectNote]:
        catalog = self._catalog()
        meta = self.read()
        now = datetime.now(UTC)
        author = who or default_author()
        result: dict[str, ObjectNote] = {}
        entries: list[HistoryEntry] = []
        for change in changes:
            note = clean_note(change.note)
            check_object_note(catalog, change.object, note)
            current = meta.objects.get(change.object)
            revision = current.revision if current else 0
            if change.based_on is not None and change.based_on != revision:
                raise StaleEdit(change.object, change.based_on, current or ObjectNote(), note)
            changed = changed_paths(current, note)
            if not changed:
                result[change.object] = current or ObjectNote()
                continue
            new = _stamped(note, current, changed, author, now, revision + 1)
            meta.objects[change.object] = new
            result[change.object] = new
            entries.append(_entry(change, current, new, changed, author, now))
        if entries:
            meta.objects = dict(sorted(meta.objects.items()))
            self._remove_leftover_temp_files()
            write_text_atomic(self.path, dump_metadata(meta))
            append_history(self.workspace.history, entries)
        return result

    def _remove_leftover_temp_files(self) -> None:
        # Temp files of writers killed mid-write; only lock holders write them.
        for tmp in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            tmp.unlink(missing_ok=True)

    def _catalog(self) -> Catalog:
        if self.catalog is not None and self._catalog_key is None:
            return self.catalog  # given by the caller
        source = self.workspace.technical if self.workspace.technical.exists() \
            else self.workspace.combined
        key = (str(source), source.stat().st_mtime if source.exists() else 0.0)
        if self.catalog is None or key != self._catalog_key:
            self.catalog = Catalog.load(self.workspace)
            self._catalog_key = key
        return self.catalog

    def _locked(self) -> _Lock:
        self.workspace.ensure()
        return _Lock(self.workspace.lock(self.path.name, timeout=self.lock_timeout_s),
                     self.lock_path)


class _Lock:
    """The write lock, turning a timeout into a clear error."""

    def __init__(self, lock: FileLock, path: Path):
        self._lock, self._path = lock, path

    def __enter__(self) -> None:
        try:
            self._lock.acquire()
        except LockTimeout:
            raise SchemachatError(f"another save has held {self._path} for more than "
                                  f"{self._lock.timeout:.0f} s; try again") from None

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


# Pure helpers ------------------------------------------------------------------------


def default_author() -> str:
    """Who is editing when nobody said: the OS user name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def clean_note(note: ObjectNote) -> ObjectNote:
    """`note` with surrounding blanks trimmed, blank tags dropped and empty column notes
    removed. Whitespace-only descriptions are kept so the checks can refuse them."""

    def trim(text: str | None) -> str | None:
        return text if text is None or not text.strip() else text.strip()

    columns = {}
    for name, col in note.columns.items():
        col = col.model_copy(update={
            "description": trim(col.description), "unit": trim(col.unit),
            "notes": trim(col.notes),
            "values": {k.strip() if k.strip() else k: v.strip() if v.strip() else v
                       for k, v in col.values.items()},
        })
        if col.values or any(x is not None for x in (col.description, col.unit, col.notes)):
            columns[name] = col  # a blank string stays, for the checks to refuse
    tags = list(dict.fromkeys(t.strip() for t in note.tags if t.strip()))
    return note.model_copy(update={
        "description": trim(note.description), "notes": trim(note.notes), "tags": tags,
        "columns": dict(sorted(columns.items())),
    })


def changed_paths(old: ObjectNote | None, new: ObjectNote | None) -> list[str]:
    """What differs between two notes, as dotted paths (who/when/revision ignored)."""
    old, new = old or ObjectNote(), new or ObjectNote()
    paths = [f for f in _OBJECT_FIELDS if getattr(old, f) != getattr(new, f)]
    for col in sorted(set(old.columns) | set(new.columns)):
        a, b = old.columns.get(col) or ColumnNote(), new.columns.get(col) or ColumnNote()
        paths += [f"columns.{col}.{f}" for f in _COLUMN_FIELDS if getattr(a, f) != getattr(b, f)]
    return paths


def _show(note: ObjectNote, path: str) -> str:
    parts = path.split(".")
    target: object = note
    if parts[0] == "columns":
        target = note.columns.get(parts[1]) or ColumnNote()
    value = getattr(target, parts[-1])
    return repr(value) if value not in (None, [], {}) else "(empty)"


def _stamped(note: ObjectNote, current: ObjectNote | None, changed: list[str], who: str,
             now: datetime, revision: int) -> ObjectNote:
    touched = {p.split(".")[1] for p in changed if p.startswith("columns.")}
    columns = {}
    for name, col in note.columns.items():
        old = current.columns.get(name) if current else None
        if name in touched or old is None:
            columns[name] = col.model_copy(update={"updated_by": who, "updated_at": now})
        else:
            columns[name] = col.model_copy(update={"updated_by": old.updated_by,
                                                   "updated_at": old.updated_at})
    return note.model_copy(update={"columns": columns, "revision": revision,
                                   "updated_by": who, "updated_at": now})


def _entry(change: Change, old: ObjectNote | None, new: ObjectNote, changed: list[str],
           who: str, now: datetime) -> HistoryEntry:
    columns = {p.split(".")[1] for p in changed if p.startswith("columns.")}
    only_column = next(iter(columns)) if len(columns) == 1 and all(
        p.startswith("columns.") for p in changed) else None
    return HistoryEntry(
        id=uuid.uuid4().hex[:12], at=now, who=who, object=change.object, column=only_column,
        action=change.action, revision=new.revision, changed=changed, reverts=change.reverts,
        old=old, new=new,
    )


def dump_metadata(meta: SchemaMetadata) -> str:
    """The stored text: sorted keys, no nulls, one object per top-level entry (diffable)."""
    data = meta.model_dump(mode="json", exclude_none=True)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def append_history(path: Path, entries: list[HistoryEntry]) -> None:
    """Append entries as JSON lines and fsync. A line cut short by a crash is closed
    first, so it stays one bad line that readers skip."""
    text = "".join(e.model_dump_json(exclude_none=True) + "\n" for e in entries)
    with open(path, "ab") as fh:
        if fh.tell() > 0:
            with open(path, "rb") as check:
                check.seek(-1, os.SEEK_END)
                if check.read(1) != b"\n":
                    text = "\n" + text
        fh.write(text.encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())


def read_history(path: Path) -> Iterable[HistoryEntry]:
    """Entries of a history file, oldest first; lines that do not parse are skipped."""
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                yield HistoryEntry.model_validate_json(line)
            except ValueError:
                continue  # a line cut by a crash: the save itself is in the file
