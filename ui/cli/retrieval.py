"""Commands of the retrieval index: index, search."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from schemachat.configs import Settings
from schemachat.ui.cli.app import app, err, out, with_settings


@app.command()
@with_settings(database=False)
def index(
    settings: Settings,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-embed everything.")] = False,
) -> None:
    """Build or refresh the retrieval index of combined_schema_details.json (incremental:
    only changed chunks are re-embedded)."""
    from schemachat.agent.retrieval import build_index

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("embedding", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = build_index(settings, rebuild=rebuild, progress=step)
    how = f"full build ({report.reason})" if report.full else "incremental"
    err.print(f"indexed {report.chunks} chunks, {how}: {report.embedded} embedded, "
              f"{report.deleted} removed in {report.seconds:.1f} s "
              f"-> {settings.workspace / 'index'}")


@app.command()
@with_settings(database=False)
def search(
    settings: Settings,
    query: Annotated[str, typer.Argument(help="A question or business words, pt or en.")],
    k: Annotated[int | None, typer.Option("-k", min=1, max=100, show_default=False,
                                          help="Tables to rank (default: retrieval_k).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    no_joins: Annotated[bool, typer.Option(
        "--no-joins", help="Do not add the tables that join the hits.")] = False,
) -> None:
    """Rank the tables that answer QUERY, with scores and why (words matched, meaning),
    plus the tables needed to join them."""
    from schemachat.agent.retrieval import SchemaIndex

    if not query.strip():
        from schemachat.configs import BadInput

        raise BadInput("empty query: ask about a table, a column or a business term")
    result = SchemaIndex.open(settings).search(query, k or settings.retrieval_k,
                                               expand=not no_joins)
    if as_json:
        out.print_json(json.dumps({"query": query, "hits": [h.to_json() for h in result.hits]},
                                  ensure_ascii=False))
        return
    table = Table(title=f"search: {query}")
    for column, justify in [("#", "right"), ("table", "left"), ("kind", "left"),
                            ("score", "right"), ("rows", "right"), ("why", "left")]:
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for n, hit in enumerate(result.hits, start=1):
        rank = "+" if hit.added_for_join else str(n)
        rows = "" if hit.rows is None else f"{hit.rows:,}"
        table.add_row(rank, hit.name, hit.kind, f"{hit.score:.4f}", rows, hit.why())
    out.print(table)
