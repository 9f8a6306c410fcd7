"""Workspace files: atomic writes, and errors that name the file, line or field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemachat.configs import BadInput
from schemachat.ingest.models.counts import OverviewCounts, TableCount
from schemachat.ingest.workspace import Workspace, read_model, write_model


def _counts() -> OverviewCounts:
    now = datetime(2024, 7, 1, tzinfo=UTC)
    return OverviewCounts(counted_at=now, tables={
        "CAD_CLI": TableCount(rows=3, method="exact", counted_at=now)})


def test_round_trip(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws").ensure()
    write_model(ws.counts, _counts())
    assert read_model(ws.counts, OverviewCounts) == _counts()
    assert not list(ws.root.glob(".*.tmp")), "no temp file left behind"


def test_missing_file_says_which_command_writes_it(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match=r"overview_counts.json not found: run `schemachat counts`"):
        read_model(Workspace(tmp_path).counts, OverviewCounts)


def test_invalid_json_names_line(tmp_path: Path) -> None:
    path = tmp_path / "overview_counts.json"
    path.write_text('{\n  "version": 1,\n  "kind": \n}\n')
    with pytest.raises(BadInput, match=r"overview_counts.json: not valid JSON at line 4"):
        read_model(path, OverviewCounts)


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"version": 2}, "version"),
        ({"kind": "samples"}, "kind"),
        ({"tables": {"CAD_CLI": {"rows": "many", "method": "exact",
                                 "counted_at": "2024-07-01T00:00:00Z"}}}, "tables.CAD_CLI.rows"),
        ({"tables": {"CAD_CLI": {"rows": 1, "method": "guess",
                                 "counted_at": "2024-07-01T00:00:00Z"}}}, "tables.CAD_CLI.method"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_wrong_shape_names_file_and_field(tmp_path: Path, patch: dict, field: str) -> None:
    path = tmp_path / "overview_counts.json"
    data = json.loads(_counts().model_dump_json()) | patch
    path.write_text(json.dumps(data))
    with pytest.raises(BadInput) as exc:
        read_model(path, OverviewCounts)
    assert f"{path}: field '{field}'" in str(exc.value)


def test_workspace_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "ws").write_text("")
    with pytest.raises(BadInput, match="workspace is not a folder"):
        Workspace(tmp_path / "ws").ensure()


def test_lock_files_stay_in_the_hidden_locks_folder(tmp_path: Path) -> None:
    """An annotation save and a re-merge leave no lock file among the workspace's files;
    the locks still keep a second writer out while one holds them."""
    from filelock import Timeout

    from schemachat.ingest.annotations import AnnotationStore
    from schemachat.ingest.models.annotations import ObjectNote
    from schemachat.ingest.remerge import refresh_combined
    from tests.support.small_schema import small_workspace

    ws = small_workspace(tmp_path / "ws")
    store = AnnotationStore(ws)
    store.save("CAD_CLI", ObjectNote(description="Clientes"), based_on=0)
    assert refresh_combined(ws, store.read(), ["CAD_CLI"]) is not None
    assert [p.name for p in ws.root.iterdir() if "lock" in p.name] == [".locks"]
    assert sorted(p.name for p in (ws.root / ".locks").iterdir()) == [
        "combined_schema_details.json.lock", "schema_metadata.json.lock"]
    with ws.lock("schema_metadata.json"), pytest.raises(Timeout):
        ws.lock("schema_metadata.json", timeout=0.1).acquire()
