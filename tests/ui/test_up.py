"""`schemachat up`: only stale stages run, then the index is brought up to date."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from schemachat.configs import load_settings
from schemachat.ingest import pipeline
from schemachat.ingest.workspace import Workspace
from tests.support.cli import run


def _touch(path: Path, seconds: float) -> None:
    """Date `path` `seconds` into the future (file dates decide staleness)."""
    later = time.time() + seconds
    os.utime(path, (later, later))


def test_stale_stages_follow_file_dates(demo_db: Path, demo_workspace: Path,
                                        tmp_path: Path) -> None:
    empty = load_settings(workspace=tmp_path / "new", fb_database=str(demo_db))
    assert pipeline.stale_stages(empty) == ["counts", "samples", "merge"]

    root = tmp_path / "ws"
    shutil.copytree(demo_workspace, root)
    settings = load_settings(workspace=root, fb_database=str(demo_db))
    ws = Workspace(root)
    assert pipeline.refresh_extract(settings) is False, "same database, same schema"
    _touch(ws.combined, 5)
    assert pipeline.stale_stages(settings) == []
    _touch(ws.annotations, 10)
    assert pipeline.stale_stages(settings) == ["merge"]
    _touch(ws.technical, 20)
    assert pipeline.stale_stages(settings) == ["counts", "samples", "merge"]


def test_up_without_serving(demo_db: Path, demo_workspace: Path, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(demo_workspace, root)
    ws = Workspace(root)
    ws.counts.unlink()  # a missing file is rebuilt; the merge follows
    env = {"SCHEMACHAT_FB_DATABASE": str(demo_db), "SCHEMACHAT_WORKSPACE": str(root)}
    first = run("up", "--no-serve", env=env)
    assert first.returncode == 0, first.stderr
    assert "counts: done" in first.stderr and "merge: done" in first.stderr
    assert "extract: schema unchanged" in first.stderr
    assert ws.counts.exists() and (ws.index_dir / "manifest.json").exists()
    again = run("up", "--no-serve", env=env)
    assert again.returncode == 0, again.stderr
    assert "workspace files are up to date" in again.stderr
    assert "0 chunks embedded" in again.stderr
