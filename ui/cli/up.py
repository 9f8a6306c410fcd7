"""`schemachat up`: bring the workspace up to date (every registered database's, or the
one of --db), prepare the chat model once, then serve the Gradio app."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer
from rich.markup import escape

from schemachat.configs import SchemachatError, Settings
from schemachat.configs.databases import read_registry, served
from schemachat.ingest import pipeline
from schemachat.ui.cli.app import app, err, with_settings
from schemachat.ui.cli.databases import refuse_paths_beside_registry


@app.command()
@with_settings(database=True)
def up(
    settings: Settings,
    ctx: typer.Context,
    serve: Annotated[bool, typer.Option("--serve/--no-serve",
                                        help="Start the Gradio app when done.")] = True,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 7860,
) -> None:
    """Extract (the file is rewritten only if the schema changed), run counts, samples,
    merge and index where their files are missing or stale, prepare the chat model (the
    first time, the default model is converted: about a minute and a half), then serve
    the Gradio app. With databases registered (schemachat databases add) every one is
    brought up to date, or only --db NAME, and the app serves them all."""
    registered = bool(read_registry(settings.databases_file).databases)
    if settings.db is None and not registered:
        refresh(settings)  # one workspace, its lines as they always were
        first = settings
    else:
        targets = _targets(settings, ctx.params)
        _refresh_each(targets)
        first = next(iter(targets.values()))  # the default database (or --db's)
    # Before serving, so the app's first question does not pay for it; without serving
    # only what lasts on disk is done (the weights would be loaded for nothing). One model
    # serves every database: prepared once, with the default database's adapters.
    prepare(first, load=serve)
    if serve:
        from schemachat.ui.app import launch

        launch(settings, host=host, port=port, block=True)


def _targets(settings: Settings, flags: dict[str, Any]) -> dict[str, Settings]:
    """The registered databases `up` refreshes: --db NAME alone, else all of them, the
    default first.

    --workspace/--database would name a database the app does not serve: BadInput
    rather than refreshing one and serving others (the rule of `serve` too).
    """
    if settings.db is not None:
        return {settings.db: settings}
    refuse_paths_beside_registry(settings, flags,
                                 "`up` refreshes and serves those (--db NAME for one)")
    return served(settings)


def _refresh_each(targets: dict[str, Settings]) -> None:
    """Refresh every database in turn, each line prefixed by its name. A database that
    fails is reported and the others still refreshed; the first failure is raised once
    all were tried when none succeeded."""
    failed: dict[str, SchemachatError] = {}
    for name, settings in targets.items():
        err.print(f"{name}: {settings.fb_database or '(no database)'} -> {settings.workspace}",
                  highlight=False, soft_wrap=True)
        try:
            refresh(settings, prefix=f"{name}: ")
        except SchemachatError as exc:  # BadInput too: one database down must not stop all
            if len(targets) == 1:
                raise
            failed[name] = exc
            err.print(f"[red]{escape(name)}: failed:[/red] {escape(str(exc))}", highlight=False,
                      soft_wrap=True)
    if failed and len(failed) == len(targets):
        raise next(iter(failed.values()))
    if failed:
        err.print(f"[yellow]not up to date:[/yellow] {', '.join(failed)} (see above)",
                  highlight=False)


def refresh(settings: Settings, *, prefix: str = "") -> None:
    """Bring one workspace up to date: extract, the stale stages, the index; one line per
    step on stderr, each starting with `prefix` (the database's name when several)."""
    from schemachat.agent.retrieval.index import build_index

    def say(text: str) -> None:
        err.print(f"{escape(prefix)}{text}", highlight=False, soft_wrap=True)

    with err.status(f"{escape(prefix)}extract…"):
        changed = pipeline.refresh_extract(settings)
    say("extract: schema changed" if changed else "extract: schema unchanged")
    stale = pipeline.stale_stages(settings)
    for stage in stale:
        with err.status(f"{escape(prefix)}{stage}…"):
            pipeline.run_stage(settings, stage)
        say(f"{stage}: done")
    if not stale:
        say("workspace files are up to date")
    with err.status(f"{escape(prefix)}index…"):
        report = build_index(settings)
    say(f"index: {report.reason or 'up to date'} ({report.embedded} chunks embedded, "
        f"{report.seconds:.1f} s)")


def prepare(settings: Settings, *, load: bool = True) -> None:
    """Prepare the chat model of `settings` in this process with a progress bar on stderr
    (each step is printed too), then say how long it took."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from schemachat.agent.models.warmup import model_name, prepare_model

    name = model_name(settings)
    if name is None:
        err.print("model: none (model_backend none: query plans answer data questions)")
        return
    started = time.perf_counter()
    columns = (SpinnerColumn(), TextColumn("model {task.description}"), BarColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(f"{name}: preparing", total=None)  # steps take unknown time

        def step(line: str) -> None:
            bar.update(task, description=f"{name}: {line}")
            bar.console.print(f"model: {line}", highlight=False)

        prepare_model(settings, step, load=load)
    done = "ready" if load else "prepared (loaded when served)"
    err.print(f"model: {name} {done} ({time.perf_counter() - started:.1f} s)", highlight=False)
