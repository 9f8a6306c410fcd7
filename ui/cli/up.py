"""`schemachat up`: bring the workspace up to date, prepare the chat model, then serve the
Gradio app."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from schemachat.configs import Settings
from schemachat.ingest import pipeline
from schemachat.ui.cli.app import app, err, with_settings


@app.command()
@with_settings(database=True)
def up(
    settings: Settings,
    serve: Annotated[bool, typer.Option("--serve/--no-serve",
                                        help="Start the Gradio app when done.")] = True,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 7860,
) -> None:
    """Extract (the file is rewritten only if the schema changed), run counts, samples,
    merge and index where their files are missing or stale, prepare the chat model (the
    first time, the default model is converted: about a minute and a half), then serve
    the Gradio app."""
    from schemachat.agent.retrieval.index import build_index

    with err.status("extract…"):
        changed = pipeline.refresh_extract(settings)
    err.print("extract: schema changed" if changed else "extract: schema unchanged")
    stale = pipeline.stale_stages(settings)
    for stage in stale:
        with err.status(f"{stage}…"):
            pipeline.run_stage(settings, stage)
        err.print(f"{stage}: done")
    if not stale:
        err.print("workspace files are up to date")
    with err.status("index…"):
        report = build_index(settings)
    err.print(f"index: {report.reason or 'up to date'} ({report.embedded} chunks embedded, "
              f"{report.seconds:.1f} s)")
    # Before serving, so the app's first question does not pay for it; without serving
    # only what lasts on disk is done (the weights would be loaded for nothing).
    prepare(settings, load=serve)
    if serve:
        from schemachat.ui.app import launch

        launch(settings, host=host, port=port, block=True)


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
