"""Functions run in child processes by the concurrency tests (importable by `spawn`)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from schemachat.ingest.annotations import AnnotationStore, StaleEdit
from schemachat.ingest.models.annotations import ColumnNote, ObjectNote, SchemaMetadata
from schemachat.ingest.workspace import Workspace


def with_value(note: ObjectNote, column: str, key: str, meaning: str) -> ObjectNote:
    """`note` with one more value mapping on `column`."""
    cols = dict(note.columns)
    col = cols.get(column) or ColumnNote()
    cols[column] = col.model_copy(update={"values": {**col.values, key: meaning}})
    return note.model_copy(update={"columns": cols})


def check_file(path: Path) -> None:
    """The file parses as JSON and as the annotations model (raises otherwise)."""
    SchemaMetadata.model_validate(json.loads(path.read_text(encoding="utf-8")))


def writer(root: str, number: int, edits: int, optimistic: bool, results: Any) -> None:
    """Make `edits` edits to column C<number> of HOT, checking the file after each.

    `optimistic`: read, edit, save with the revision read, retry on StaleEdit (as the
    browser does); otherwise a patch under the lock (as the CLI does).
    """
    store = AnnotationStore(Workspace(Path(root)))
    column, conflicts = f"C{number}", 0
    for i in range(edits):
        meaning = f"edit {i} by w{number}"
        if optimistic:
            while True:
                current = store.get("HOT")
                try:
                    store.save("HOT", with_value(current, column, str(i), meaning),
                               based_on=current.revision, who=f"w{number}")
                    break
                except StaleEdit:
                    conflicts += 1
        else:
            store.update("HOT", lambda n, i=i, m=meaning: with_value(n, column, str(i), m),
                         who=f"w{number}")
        check_file(store.path)
    results.put((number, conflicts))


def reader(root: str, stop: Any, results: Any) -> None:
    """Read and validate the file in a loop until `stop` is set; report reads, failures."""
    path = Workspace(Path(root)).annotations
    reads = failures = 0
    while not stop.is_set():
        if path.exists():
            try:
                check_file(path)
                reads += 1
            except Exception:
                failures += 1
    results.put(("reader", reads, failures))


def endless_writer(root: str) -> None:
    """Save HOT over and over with description 'edit N' at revision N (until killed)."""
    store = AnnotationStore(Workspace(Path(root)))
    while True:
        current = store.get("HOT")
        n = current.revision + 1
        note = current.model_copy(update={"description": f"edit {n}", "notes": "x" * 20_000})
        store.save("HOT", note, based_on=current.revision, who="killme")
        time.sleep(0)
