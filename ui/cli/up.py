"""`schemachat up`: bring the workspace up to date, then serve the Gradio app."""

from __future__ import annotations

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
    merge and index where their files are missing or stale, then serve the Gradio app."""
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
    if serve:
        from schemachat.ui.app import launch

        launch(settings, host=host, port=port, block=True)
