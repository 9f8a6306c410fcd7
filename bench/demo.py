"""The demo workspace the agent and API benchmarks run on: the demo ERP database, its
annotations, every ingest stage and the retrieval index, built once into `out` (the
index again when this schemachat no longer reads it)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console


def demo_workspace(out: Path, console: Console) -> Path:
    """`out/ws` (the database is `out/demo.fdb`), built on first use."""
    from schemachat.agent.retrieval import SchemaIndex, build_index
    from schemachat.configs import BadInput, load_settings
    from schemachat.ingest import pipeline
    from schemachat.ingest.demo import build_demo, demo_annotations
    from schemachat.ingest.workspace import Workspace, write_model

    db, ws = out / "demo.fdb", out / "ws"
    if not (ws / "index").exists():
        console.print("building the demo workspace (a few minutes, once)")
        out.mkdir(parents=True, exist_ok=True)
        if not db.exists():
            build_demo(db)
        settings = load_settings(workspace=ws, fb_database=str(db))
        write_model(Workspace(ws).ensure().annotations, demo_annotations())
        for step in (pipeline.run_extract, pipeline.run_counts, pipeline.run_samples,
                     pipeline.run_merge):
            step(settings)
        build_index(settings)
        return ws
    settings = load_settings(workspace=ws, fb_database=str(db))
    try:
        SchemaIndex.open(settings)
    except BadInput as exc:  # built by an older schemachat (or a stale document)
        console.print(f"rebuilding the demo index ({exc})")
        build_index(settings)
    return ws
