"""Retrain when the annotated document or the golden pairs changed since the active
adapter's dataset.

    outcome = retrain(settings, config)    # outcome.status, outcome.exit_code

The active schema adapter is recorded in `<workspace>/training/active.json` (name,
fingerprint of its dataset, eval score; agent/adapters/active.py, which the chat model
follows). When the dataset fingerprint (the document's, plus the feedback golden pairs)
differs (or there is no active adapter), retrain regenerates the dataset, trains a new
adapter into `<workspace>/adapters/` (starting from the previous adapter when it has the
same base), and runs the held-out plan benchmark (training/plan_eval.py: the agent, with
plans and the model's choice, on plan questions about the held-out tables) with the new
adapter and with what the agent uses now (the previous adapter, or none). It switches
only when the new one does not do worse there: a gate on what the agent answers, not on
the dataset's own eval (the 120-step adapter that scored well there made the agent
worse). Exit codes for cron/CI: 0 up to date or switched, 3 trained but kept what was
active (worse), 2 bad input, 1 failure (see the CLI).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemachat.agent.adapters.active import ActiveAdapter, read_active, write_active
from schemachat.configs import Settings
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.workspace import Workspace, read_model
from schemachat.training.dataset import build_dataset, current_fingerprint
from schemachat.training.lora import LossCallback, TrainConfig, train
from schemachat.training.plan_eval import plan_benchmark

KEPT_OLD = 3

TrainFn = Callable[..., Any]
# (adapter name or None for the bare base, dataset folder, settings) -> {"accuracy": ...}
PlanEvalFn = Callable[[str | None, Path, Settings], dict[str, Any]]


@dataclass
class RetrainOutcome:
    status: str  # "unchanged" | "switched" | "kept"
    reason: str
    adapter: str | None  # the active adapter afterwards
    candidate: str | None = None
    new_score: float | None = None
    old_score: float | None = None

    @property
    def exit_code(self) -> int:
        return KEPT_OLD if self.status == "kept" else 0


def set_active(workspace: Path, name: str, fingerprint: str, score: float | None,
               base: str) -> ActiveAdapter:
    """Make adapter `name` the active schema adapter (the chat model follows it)."""
    record = ActiveAdapter(adapter=name, fingerprint=fingerprint, score=score, base=base)
    write_active(workspace, record)
    return record


def _default_plan_eval(adapter: str | None, dataset: Path, settings: Settings,
                       ) -> dict[str, Any]:
    return plan_benchmark(settings, dataset, adapter)


def retrain(settings: Settings, config: TrainConfig, *, force: bool = False,
            train_fn: TrainFn = train, plan_eval_fn: PlanEvalFn = _default_plan_eval,
            on_loss: LossCallback | None = None, show_progress: bool = False,
            log: Callable[[str], None] = lambda _: None) -> RetrainOutcome:
    """Regenerate, train, evaluate and maybe switch (see the module docstring)."""
    ws = Workspace(settings.workspace)
    doc = read_model(ws.combined, CombinedSchema)
    active = read_active(ws.root)
    fingerprint = current_fingerprint(ws.root, doc)
    if active and active.fingerprint == fingerprint and not force:
        return RetrainOutcome("unchanged", "the annotated document and the golden pairs have "
                              f"not changed since adapter {active.adapter!r} was trained",
                              active.adapter)
    log("annotations or golden pairs changed: regenerating the dataset")
    dataset = build_dataset(settings, name=f"schema-{fingerprint[:12]}")
    name = f"schema-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}"
    output = ws.root / "adapters" / name
    old_dir = ws.root / "adapters" / active.adapter if active else None
    init = old_dir if old_dir and old_dir.is_dir() and active.base == config.base else None
    log(f"training {name}" + (f" from {active.adapter}" if init else ""))
    train_fn(config, dataset.folder, output, init_adapter=init, on_loss=on_loss,
             show_progress=show_progress, cache_dir=settings.model_cache_dir)
    log(f"held-out plan benchmark with {name}")
    new = float(plan_eval_fn(name, dataset.folder, settings)["accuracy"])
    before = active.adapter if old_dir is not None and old_dir.is_dir() else None
    log(f"held-out plan benchmark with {before or 'no adapter'}")
    old = float(plan_eval_fn(before, dataset.folder, settings)["accuracy"])
    if new < old:
        was = f"adapter {before}" if before else "the base model without adapter"
        verdict = "kept the old one" if before else "not made active"
        return RetrainOutcome("kept", f"new adapter {name} answered {new:.1%} of the held-out "
                              f"plan questions, fewer than {old:.1%} with {was}; {verdict}",
                              before, name, new, old)
    set_active(ws.root, name, dataset.fingerprint, new, config.base)
    return RetrainOutcome("switched", f"adapter {name} answered {new:.1%} of the held-out "
                          f"plan questions (was {old:.1%}); now active", name, name, new, old)
