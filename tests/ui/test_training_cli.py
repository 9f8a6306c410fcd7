"""`schemachat train dataset / train / eval / retrain` in a subprocess, on a copy of the
demo workspace, training the tiny random Llama."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCHEMACHAT = str(Path(sys.executable).with_name("schemachat"))


def _run(*args: str, database: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMACHAT_")}
    if database is not None:
        env["SCHEMACHAT_FB_DATABASE"] = str(database)
    return subprocess.run([SCHEMACHAT, *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


@pytest.fixture(scope="module")
def ws(demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("train_cli") / "ws"
    shutil.copytree(demo_workspace, root)
    return root


def test_dataset_train_eval_and_retrain_unchanged(ws: Path, demo_db: Path,
                                                  tmp_path: Path) -> None:
    from tests.support.tiny_llama import build_model

    proc = _run("train", "dataset", "-w", str(ws), database=demo_db)
    assert proc.returncode == 0, proc.stderr
    assert "SQL verified" in proc.stderr and (ws / "datasets/schema/train.jsonl").is_file()

    base = tmp_path / "tiny"
    base.mkdir()
    build_model(base)
    profile = tmp_path / "tiny.yaml"
    profile.write_text(f"base: {base}\nrank: 4\nalpha: 8\nmax_steps: 2\nbatch_size: 2\n"
                       "max_length: 48\nmax_examples: 20\nlogging_steps: 1\n")
    proc = _run("train", "--profile", str(profile), "--name", "tiny", "-w", str(ws))
    assert proc.returncode == 0, proc.stderr
    assert "2 steps" in proc.stderr and (ws / "adapters/tiny/adapter_model.safetensors").is_file()

    proc = _run("eval", "tiny", "--limit", "2", "--json", "-w", str(ws), database=demo_db)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["examples"] == 4 and len(report["runs"]) == 4
    assert (ws / "adapters/tiny/eval_report.md").is_file()

    fingerprint = json.loads((ws / "datasets/schema/dataset.json").read_text())["fingerprint"]
    (ws / "training").mkdir()
    (ws / "training/active.json").write_text(json.dumps(
        {"adapter": "tiny", "fingerprint": fingerprint, "score": 0.0, "base": str(base)}))
    proc = _run("retrain", "--profile", str(profile), "-w", str(ws), database=demo_db)
    assert proc.returncode == 0, proc.stderr
    assert "unchanged" in proc.stderr


def test_unknown_profile_is_bad_input(ws: Path) -> None:
    proc = _run("train", "--profile", "nope", "-w", str(ws))
    assert proc.returncode == 2 and "nope" in proc.stderr
