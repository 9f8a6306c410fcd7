"""Training commands: `train dataset`, `train`, `eval`, `retrain` (docs/training.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from schemachat.configs import Settings
from schemachat.training.profiles import load_profile
from schemachat.ui.cli.app import app, err, out, with_settings

train_app = typer.Typer(help="Datasets and LoRA adapters from the annotated schema.",
                        invoke_without_command=True)
app.add_typer(train_app, name="train")

ProfileOpt = Annotated[str, typer.Option(
    "--profile", help="Training profile: a YAML file or a bundled name (cpu-gemma, "
    "llama3-8b-gpu).")]
StepsOpt = Annotated[int | None, typer.Option("--steps", help="Override max_steps.",
                                              show_default=False)]


@train_app.command("dataset")
@with_settings(database=True)
def train_dataset(
    settings: Settings,
    seed: Annotated[int, typer.Option(help="Seed of the split and order.")] = 0,
    eval_share: Annotated[float, typer.Option(help="Share of tables held out.")] = 0.2,
    name: Annotated[str, typer.Option(help="Folder name under datasets/.")] = "schema",
) -> None:
    """Write datasets/NAME/{train,eval}.jsonl: schema Q&A, engine-verified SQL pairs and
    question -> plan choices (plans_eval.jsonl: the held-out plan questions)."""
    from schemachat.training.dataset import build_dataset

    report = build_dataset(settings, seed=seed, eval_share=eval_share, name=name)
    err.print(f"dataset [bold]{report.folder}[/bold]: {report.train} train, {report.eval} eval "
              f"(held out: {', '.join(report.held_out_tables)}); SQL verified "
              f"{report.sql_verified}, dropped {report.sql_dropped} (golden pairs: "
              f"{report.golden_verified} verified, {report.golden_dropped} dropped); plan "
              f"choices {report.plan_train} train, {report.plan_eval} held out, "
              f"{report.plan_dropped} dropped; context from {report.context}; fingerprint "
              f"{report.fingerprint[:12]}")


@train_app.callback()
@with_settings(database=False)
def train_run(
    settings: Settings,
    ctx: typer.Context,
    profile: ProfileOpt = "cpu-gemma",
    dataset: Annotated[str, typer.Option(help="Dataset folder name under datasets/.")] = "schema",
    name: Annotated[str, typer.Option(help="Adapter name under adapters/.")] = "schema",
    steps: StepsOpt = None,
    from_adapter: Annotated[Path | None, typer.Option(
        "--from", help="Continue from this adapter folder (same base).")] = None,
) -> None:
    """Train a LoRA adapter on datasets/DATASET into adapters/NAME (resumes a cut run)."""
    if ctx.invoked_subcommand is not None:
        return
    from schemachat.training.lora import train

    result = train(load_profile(profile, steps), settings.workspace / "datasets" / dataset,
                   settings.workspace / "adapters" / name, init_adapter=from_adapter,
                   cache_dir=settings.model_cache_dir, show_progress=True)
    err.print(f"adapter [bold]{result.output}[/bold]: {result.steps} steps in "
              f"{result.seconds:.0f} s, train loss {result.train_loss:.3f} (logged "
              f"{result.first_loss} -> {result.last_loss})")


@app.command("eval")
@with_settings(database=True)
def eval_command(
    settings: Settings,
    name: Annotated[str, typer.Argument(help="Adapter name under adapters/.")] = "schema",
    dataset: Annotated[str, typer.Option(help="Dataset folder under datasets/.")] = "schema",
    limit: Annotated[int, typer.Option(help="Examples per kind (Q&A, SQL).")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON on stdout.")] = False,
) -> None:
    """Base vs base+adapter, with and without context, on the held-out tables."""
    from schemachat.training.evaluate import evaluate_with_settings, markdown

    report = evaluate_with_settings(settings.workspace / "adapters" / name,
                                    settings.workspace / "datasets" / dataset, settings,
                                    limit=limit)
    if as_json:
        out.print_json(json.dumps(report, ensure_ascii=False))
    else:
        out.print(markdown(report), highlight=False)


@app.command("retrain")
@with_settings(database=True)
def retrain_command(
    settings: Settings,
    profile: ProfileOpt = "cpu-gemma",
    steps: StepsOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Retrain even if unchanged.")] = False,
) -> None:
    """Retrain when the annotations changed; switch adapters only if not worse.
    Exit 0 up to date or switched, 3 new adapter worse (old kept), 2 bad input, 1 failure."""
    from schemachat.training.retrain import retrain

    outcome = retrain(settings, load_profile(profile, steps), force=force, show_progress=True,
                      log=lambda line: err.print(line))
    err.print(f"{outcome.status}: {outcome.reason}")
    if outcome.exit_code:
        sys.exit(outcome.exit_code)
