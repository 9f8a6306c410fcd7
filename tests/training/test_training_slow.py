"""The CPU profile on the real default model (Gemma 3 270M): dataset from the demo,
LoRA for the profile's steps, then the four-way eval. Slow (about fifteen minutes on 2
cores); run with `make test-slow`. The numbers it produced here are in docs/training.md."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from schemachat.configs import load_settings
from tests.support.paths import REPO_ROOT

# 120 steps take ~9 minutes on two idle cores and the eval a few more: over the
# suite's 600 s timeout, which is for hangs, not for this.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]


def test_cpu_profile_trains_and_evaluates_the_default_model(demo_workspace: Path,
                                                            demo_db: Path,
                                                            tmp_path: Path) -> None:
    from schemachat.training.dataset import build_dataset
    from schemachat.training.evaluate import evaluate_with_settings
    from schemachat.training.lora import TrainConfig, train

    root = tmp_path / "ws"
    shutil.copytree(demo_workspace, root)
    settings = load_settings(workspace=root, fb_database=str(demo_db))
    dataset = build_dataset(settings, use_index=False)
    profile = REPO_ROOT / "configs/profiles/train-cpu-gemma.yaml"
    config = TrainConfig.from_yaml(profile)
    result = train(config, dataset.folder, root / "adapters" / "schema")
    assert result.steps == config.max_steps  # time is reported (docs/training.md), not asserted
    assert result.last_loss is not None and result.first_loss is not None
    assert result.last_loss < result.first_loss
    report = evaluate_with_settings(root / "adapters" / "schema", dataset.folder, settings,
                                    limit=8)
    assert len(report["runs"]) == 4
    print(json.dumps({"seconds": result.seconds, "loss": result.train_loss,
                      "runs": report["runs"]}, default=str))
