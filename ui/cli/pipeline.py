"""Commands of the ingest pipeline: demo-db, extract, counts, samples, merge, summary."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from schemachat.configs import Settings
from schemachat.ingest import legacy_text, pipeline
from schemachat.ingest.stats import schema_stats
from schemachat.ingest.workspace import Workspace, write_model
from schemachat.ui.cli.app import app, err, out, with_settings

if TYPE_CHECKING:
    from pydantic import BaseModel


def _progress(*, transient: bool = False) -> Progress:
    """The rich progress display every long command shows on stderr."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("[dim]{task.fields[item]}"), console=err,
                    transient=transient)


@contextmanager
def progress_bar(label: str, total: int | None) -> Iterator[Callable[[str], None]]:
    """A rich progress bar on stderr; yields a callback that advances it by one item."""
    with _progress() as bar:
        task = bar.add_task(label, total=total, item="")

        def step(item: str) -> None:
            bar.update(task, advance=1, item=item)

        yield step


@app.command("demo-db")
@with_settings(database=False)
def demo_db(
    settings: Settings,
    path: Annotated[Path, typer.Argument(help="Where to create the demo database file.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    annotations: Annotated[
        bool,
        typer.Option("--annotations/--no-annotations",
                     help="Also write the demo team's annotations into the workspace."),
    ] = False,
) -> None:
    """Build the Portuguese demo ERP database (deterministic, about a minute)."""
    from schemachat.ingest.demo import build_demo, demo_annotations

    # Transient, so a refusal (file exists) leaves only its one-line error on stderr.
    with _progress(transient=True) as bar:
        task = bar.add_task("building demo", total=None, item="")

        def step(name: str, done: int, total: int) -> None:
            bar.update(task, description=f"building {name}", completed=done, total=total)

        report = build_demo(path, overwrite=force, progress=step)
    err.print(f"demo database [bold]{report.path}[/bold]: {report.tables} tables, "
              f"{report.views} views, {report.procedures} procedures, {report.rows:,} rows "
              f"in {report.seconds:.1f} s")
    if annotations:
        ws = Workspace(settings.workspace).ensure()
        if ws.annotations.exists():  # never overwrite what people wrote
            err.print(f"kept the existing annotations in {ws.annotations}")
        else:
            write_model(ws.annotations, demo_annotations())
            err.print(f"demo annotations written to {ws.annotations}")


@app.command()
@with_settings(database=True)
def extract(settings: Settings) -> None:
    """Read the schema from Firebird's RDB$ tables into technical_schema_details.json."""
    with err.status("extracting schema"):
        schema = pipeline.run_extract(settings)
    cols = sum(len(r.columns) for r in schema.relations())
    err.print(f"extracted {len(schema.tables)} tables, {len(schema.views)} views, {cols} columns, "
              f"{len(schema.procedures)} procedures -> {Workspace(settings.workspace).technical}")


@app.command()
@with_settings(database=True)
def counts(
    settings: Settings,
    exact: Annotated[bool, typer.Option("--exact", help="COUNT(*) every table (slower).")] = False,
) -> None:
    """Rows per table into overview_counts.json: a fast estimate, or --exact."""
    ws = Workspace(settings.workspace)
    if exact:
        from schemachat.ingest.models.technical import TechnicalSchema
        from schemachat.ingest.workspace import read_model

        total = len(read_model(ws.technical, TechnicalSchema).tables)
        with progress_bar("counting", total) as step:
            result = pipeline.run_counts(settings, exact=True, progress=step)
    else:
        result = pipeline.run_counts(settings)
    by_method: dict[str, int] = {}
    for count in result.tables.values():
        by_method[count.method] = by_method.get(count.method, 0) + 1
    summary = ", ".join(f"{n} {m}" for m, n in sorted(by_method.items()))
    err.print(f"counted {len(result.tables)} tables ({summary}) -> {ws.counts}")


@app.command()
@with_settings(database=True)
def samples(settings: Settings) -> None:
    """Sample rows and value distributions of code columns into samples.json."""
    from schemachat.ingest.models.technical import TechnicalSchema
    from schemachat.ingest.workspace import read_model

    ws = Workspace(settings.workspace)
    total = len(read_model(ws.technical, TechnicalSchema).relations())
    with progress_bar("sampling", total) as step:
        result = pipeline.run_samples(settings, progress=step)
    hist = sum(len(t.distributions) for t in result.tables.values())
    for name, table in result.tables.items():
        for column in table.undecodable:
            err.print(escape(legacy_text.undecodable_line(f"{name}.{column}",
                                                          result.charset or "UTF8")),
                      highlight=False, soft_wrap=True)
    err.print(f"sampled {len(result.tables)} tables and views, {hist} code columns -> {ws.samples}")


@app.command()
@with_settings(database=False)
def merge(settings: Settings) -> None:
    """Merge technical schema, annotations, counts and samples into combined_schema_details.json."""
    doc = pipeline.run_merge(settings)
    orphans = len(doc.orphans.objects) + len(doc.orphans.columns)
    note = f", {orphans} orphan annotations kept" if orphans else ""
    err.print(f"merged {len(doc.tables)} tables and {len(doc.views)} views{note} "
              f"-> {Workspace(settings.workspace).combined}")


@app.command()
@with_settings(database=False)
def summary(settings: Settings) -> None:
    """Print what the workspace knows: objects, rows, documentation, most referenced columns."""
    from schemachat.ingest.models.combined import CombinedSchema
    from schemachat.ingest.workspace import read_model

    doc = read_model(Workspace(settings.workspace).combined, CombinedSchema)
    stats = schema_stats(doc)
    overview = Table(title=f"schemachat: {doc.database.name}", show_header=False)
    overview.add_column("what")
    overview.add_column("how many", justify="right")
    described = (f"{stats.tables_described} of {stats.tables + stats.views} objects, "
                 f"{stats.columns_described} of {stats.columns} columns")
    unknown = stats.rows_unknown
    rows = f"{stats.rows:,}" + (f" ({unknown} table{'s' if unknown > 1 else ''} unknown)"
                                if unknown else "")
    for what, value in [
        ("tables", str(stats.tables)), ("views", str(stats.views)),
        ("columns", str(stats.columns)), ("foreign keys", str(stats.foreign_keys)),
        ("procedures", str(stats.procedures)), ("triggers", str(stats.triggers)),
        ("rows", rows), ("described", described),
    ]:
        overview.add_row(what, value)
    top = Table(title="most referenced columns")
    top.add_column("table.column")
    top.add_column("foreign keys", justify="right")
    for name, n in stats.most_referenced:
        top.add_row(name, str(n))
    out.print(overview)
    out.print(top)


def file_models() -> dict[str, type[BaseModel]]:
    """Every workspace file's model: ingest's, plus training/active.json (agent), plus the
    query plan (plan.json: what answers carry and golden_sql.jsonl keeps, agent.plans), plus
    the registry of databases (databases.json, configs), plus the schema an adapter was
    trained on (adapters/NAME/schema_fingerprint.json, agent)."""
    from schemachat.agent.adapters import active as active_adapter
    from schemachat.agent.adapters import schema as adapter_schema
    from schemachat.agent.plans.plan import QueryPlan
    from schemachat.configs import databases
    from schemachat.ingest.models import FILE_MODELS

    return {**FILE_MODELS, active_adapter.FILENAME: active_adapter.ActiveAdapter,
            "plan.json": QueryPlan, databases.FILENAME: databases.Registry,
            adapter_schema.FILENAME: adapter_schema.SchemaFingerprint}


@app.command("schemas")
def schemas(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the JSON Schemas into.")] = Path(
        "docs/schemas"
    ),
) -> None:
    """Write the JSON Schema of every workspace file and of the query plan (generated from
    the pydantic models)."""
    from schemachat.ingest.models import write_json_schemas

    for path in write_json_schemas(out_dir, file_models()):
        err.print(f"wrote {path}")
