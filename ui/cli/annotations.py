"""Commands that read and write annotations: `annotate`, and `annotations export / import /
status / history / revert`. Every write goes through the annotation store and then
refreshes the combined document (only the objects that changed). `export`/`import` speak
JSON (the store's own format) and spreadsheets (.xlsx/.csv: ingest/spreadsheet*.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from schemachat.configs import BadInput, Settings
from schemachat.ingest.annotation_checks import Catalog
from schemachat.ingest.annotation_import import plan_import
from schemachat.ingest.annotations import AnnotationStore, dump_metadata
from schemachat.ingest.doc_status import documentation_status
from schemachat.ingest.merge import merge
from schemachat.ingest.models.annotations import ColumnNote, ObjectNote, SchemaMetadata
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.samples import Samples
from schemachat.ingest.models.technical import TechnicalSchema
from schemachat.ingest.remerge import refresh_combined
from schemachat.ingest.spreadsheet import read_rows, write_rows
from schemachat.ingest.spreadsheet_export import SheetExport
from schemachat.ingest.spreadsheet_import import SheetImportPlan, plan_sheet_import
from schemachat.ingest.workspace import Workspace, read_model
from schemachat.ui.cli.app import app, err, out, with_settings

annotations_app = typer.Typer(help="Export, import, count, list and revert annotations.",
                              no_args_is_help=True)
app.add_typer(annotations_app, name="annotations")

_PROGRESS_FROM = 500  # rows; fewer are done before a bar would be seen

WhoOpt = Annotated[str | None, typer.Option("--who", help="Your name in the history "
                                            "(default: the OS user).", show_default=False)]


def _store(settings: Settings) -> AnnotationStore:
    return AnnotationStore(Workspace(settings.workspace))


def resolve_target(catalog: Catalog, target: str) -> tuple[str, str | None]:
    """`TABLE` or `TABLE.COLUMN` as the schema spells them (unquoted names fold to upper
    case, as in Firebird). BadInput naming the unknown part."""
    table, _, column = target.partition(".")
    if table not in catalog.columns and table.upper() in catalog.columns:
        table = table.upper()
    cols = catalog.object_columns(table)
    if column and column not in cols and column.upper() in cols:
        column = column.upper()
    if column:
        catalog.column_type(table, column)
    return table, column or None


def parse_values(pairs: list[str]) -> dict[str, str]:
    """`["A=ativo", "I=inativo"]` -> `{"A": "ativo", "I": "inativo"}`; BadInput without `=`."""
    values = {}
    for pair in pairs:
        key, sep, meaning = pair.partition("=")
        if not sep:
            raise BadInput(f"--value {pair!r}: write VALUE=MEANING, e.g. --value A=ativo")
        values[key] = meaning
    return values


@app.command()
@with_settings(database=False)
def annotate(
    settings: Settings,
    target: Annotated[str, typer.Argument(help="TABLE or TABLE.COLUMN.")],
    description: Annotated[str | None, typer.Option("--description", "-D",
                                                    help="What it is.")] = None,
    value: Annotated[list[str] | None, typer.Option(
        "--value", "-V", help="A value mapping VALUE=MEANING (repeatable), e.g. A=ativo.")] = None,
    remove_value: Annotated[list[str] | None, typer.Option(
        "--remove-value", help="Drop the mapping of this value (repeatable).")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Unit (columns), e.g. R$.")] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="Free notes.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Tag (tables; repeatable).")
                   ] = None,
    who: WhoOpt = None,
) -> None:
    """Describe a table or column, add value mappings; saved with history, then re-merged."""
    store = _store(settings)
    table, column = resolve_target(Catalog.load(store.workspace), target)
    values = parse_values(value or [])
    if not any(x is not None for x in (description, unit, notes)) and not (
            values or remove_value or tag):
        raise BadInput("nothing to change: give --description, --value, --unit, --notes or --tag")
    if column is None and (values or remove_value or unit):
        raise BadInput(f"--value and --unit are for columns: write {table}.COLUMN")

    def edit(note: ObjectNote) -> ObjectNote:
        if column is None:
            return note.model_copy(update={
                k: v for k, v in {"description": description, "notes": notes}.items()
                if v is not None} | {"tags": [*note.tags, *(tag or [])]})
        col = note.columns.get(column) or ColumnNote()
        kept = {k: v for k, v in col.values.items() if k not in set(remove_value or [])}
        col = col.model_copy(update={
            k: v for k, v in {"description": description, "unit": unit, "notes": notes}.items()
            if v is not None} | {"values": kept | values})
        return note.model_copy(update={"columns": {**note.columns, column: col},
                                       "tags": [*note.tags, *(tag or [])]})

    before = store.get(table).revision
    saved = store.update(table, edit, who=who)
    if saved.revision == before:
        err.print(f"nothing changed: {target} already says that", soft_wrap=True)
        return
    refresh_combined(store.workspace, store.read(), [table])
    err.print(f"saved {target if column is None else f'{table}.{column}'} "
              f"(revision {saved.revision}) -> {store.path}", soft_wrap=True)


class ExportFormat(StrEnum):
    """What `annotations export` writes."""

    json = "json"
    xlsx = "xlsx"
    csv = "csv"


@annotations_app.command("export")
@with_settings(database=False)
def export(
    settings: Settings,
    file: Annotated[Path | None, typer.Argument(
        help="Write here (default: stdout, JSON only); same as --output.")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write here: FILE.json, FILE.xlsx or FILE.csv.",
        show_default=False)] = None,
    format_: Annotated[ExportFormat | None, typer.Option(
        "--format", "-f", help="json (the whole store), or xlsx/csv (one row per table and "
        "column, to edit and import back). Default: the file's suffix, else json.",
        show_default=False)] = None,
) -> None:
    """Write all annotations: as JSON (the store's own format), or as a spreadsheet with
    one row per table and column that `annotations import` reads back."""
    if file is not None and output is not None:
        raise BadInput("give the file once: as an argument or with --output")
    dest = output or file
    fmt = format_ or _format_of(dest)
    if dest is not None and fmt is not ExportFormat.json and dest.suffix.lower() != f".{fmt}":
        raise BadInput(f"--format {fmt} writes a .{fmt} file, not {dest.name} (import reads "
                       f"the format from the suffix)")
    store = _store(settings)
    if fmt is ExportFormat.json:
        text = dump_metadata(store.read())
        if dest is None:
            sys.stdout.write(text)
        else:
            dest.write_text(text, encoding="utf-8")
            err.print(f"exported -> {dest}", soft_wrap=True)
        return
    if dest is None:
        raise BadInput(f"a .{fmt} export needs a file: --output annotations.{fmt}")
    ws = store.workspace
    doc = read_model(ws.combined, CombinedSchema) if ws.combined.exists() else \
        merge(read_model(ws.technical, TechnicalSchema))
    samples = read_model(ws.samples, Samples) if ws.samples.exists() else None
    sheet = SheetExport(doc, store.read(), samples)
    rows = list(_progress(sheet.rows(), sheet.count(), "reading annotations"))
    with err.status(f"writing {dest.name}"):
        write_rows(dest, rows)
    tables = sum(1 for r in rows if r.column is None)
    err.print(f"exported {tables} tables/views and {len(rows) - tables} columns -> {dest}",
              soft_wrap=True)


def _format_of(path: Path | None) -> ExportFormat:
    suffix = path.suffix.lower().lstrip(".") if path else ""
    return ExportFormat(suffix) if suffix in ExportFormat.__members__ else ExportFormat.json


T = TypeVar("T")


def _progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """`items`, with a rich progress bar on stderr when there are many and it is a
    terminal (gone when done, so only the summary stays)."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True,
                  disable=total < _PROGRESS_FROM or not err.is_terminal) as bar:
        yield from bar.track(items, total=total, description=label)


@annotations_app.command("import")
@with_settings(database=False)
def import_(
    settings: Settings,
    file: Annotated[Path, typer.Argument(
        help="An exported annotations file: .json, or a spreadsheet .xlsx/.csv.")],
    prefer_file: Annotated[bool, typer.Option(
        "--prefer-file", help="JSON only: on conflict take the file's value (default: keep "
        "ours).")] = False,
    partial: Annotated[bool, typer.Option(
        "--partial", help="Spreadsheets: write the valid rows and list the others "
        "(default: write nothing unless every row is valid).")] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Say what would change; write nothing.")] = False,
    who: WhoOpt = None,
) -> None:
    """Read annotations back. JSON: merged field by field, conflicts reported. Spreadsheet
    (.xlsx/.csv): the cells edited in the file are written; one also changed here since the
    export is a conflict (both values shown, never overwritten) and bad rows are listed by
    row number; exit 2 when any row is left out."""
    suffix = file.suffix.lower()
    if suffix not in (".json", ".xlsx", ".csv"):
        raise BadInput(f"{file.name}: import reads .json, .xlsx or .csv files (got "
                       f"'{file.suffix or 'no suffix'}')")
    if suffix != ".json":
        if prefer_file:
            raise BadInput("--prefer-file is for .json files: a spreadsheet's conflicts are "
                           "never overwritten")
        _import_sheet(settings, file, partial=partial, dry_run=dry_run, who=who)
        return
    if partial:
        raise BadInput("--partial is for spreadsheets (.xlsx/.csv)")
    store = _store(settings)
    incoming = read_model(file, SchemaMetadata)
    plan = plan_import(store.read(), incoming, prefer_file=prefer_file)
    if not dry_run:
        saved = store.commit(plan.changes, who=who)
        refresh_combined(store.workspace, store.read(), list(saved))
    for c in plan.conflicts:
        kept = "file" if prefer_file else "workspace"
        err.print(f"[yellow]conflict[/yellow] {c.object} {c.path}: workspace {c.workspace!r}, "
                  f"file {c.file!r} (kept the {kept}'s)", highlight=False, soft_wrap=True)
    done = "would import" if dry_run else "imported"
    err.print(f"{done} {file}: {plan.new_objects} new objects, {plan.fields_filled} fields "
              f"filled, {len(plan.conflicts)} conflicts", soft_wrap=True)


def _import_sheet(settings: Settings, file: Path, *, partial: bool, dry_run: bool,
                  who: str | None) -> None:
    store = _store(settings)
    with err.status(f"reading {file.name}"):
        rows = read_rows(file)
    plan = plan_sheet_import(_progress(rows, len(rows), "checking rows"), store.read(),
                             Catalog.load(store.workspace), store.history())
    for line in _sheet_report(plan):
        err.print(line, highlight=False, soft_wrap=True)
    if dry_run:
        for e in plan.edits:
            err.print(escape(f"row {e.row}: {e.target} {e.field}: {e.old!r} -> {e.new!r}"),
                      highlight=False, soft_wrap=True)
        err.print(f"dry run, nothing written: {len(plan.edits)} cells would change in "
                  f"{len(plan.changes)} tables; {_tally(plan)}", soft_wrap=True)
        _exit_if_invalid(plan)
        return
    if not plan.valid and not partial:
        err.print(f"nothing written: {_tally(plan)}. Fix those rows and import again, or "
                  f"--partial to write the other rows", soft_wrap=True)
        _exit_if_invalid(plan)
    saved = store.commit(plan.changes, who=who)
    refresh_combined(store.workspace, store.read(), list(saved))
    err.print(f"imported {file}: {len(plan.edits)} cells changed in {len(saved)} tables; "
              f"{_tally(plan)}", soft_wrap=True)
    _exit_if_invalid(plan)


def _sheet_report(plan: SheetImportPlan) -> list[str]:
    """One line per problem or conflict, by row number (markup escaped)."""
    lines: list[tuple[int, str]] = [
        (p.row, f"[red]row {p.row}[/red]: {escape(p.target)}: {escape(p.message)}")
        for p in plan.problems]
    for c in plan.conflicts:
        by = f" by {c.by}" if c.by else ""
        lines.append((c.row, escape(
            f"row {c.row}: conflict {c.target} {c.field}: workspace {c.workspace!r} "
            f"(revision {c.revision}{by}), file {c.file!r} (exported at revision "
            f"{c.exported_revision}); not overwritten")))
    return [text for _, text in sorted(lines, key=lambda x: x[0])]


def _tally(plan: SheetImportPlan) -> str:
    kept = f", {plan.kept_newer} newer workspace values kept" if plan.kept_newer else ""
    return (f"{plan.rows} rows read, {len(plan.problems)} with problems, "
            f"{len(plan.conflicts)} conflicts{kept}")


def _exit_if_invalid(plan: SheetImportPlan) -> None:
    if not plan.valid:
        raise SystemExit(2)  # typer.Exit would be swallowed (standalone_mode=False)


@annotations_app.command()
@with_settings(database=False)
def status(settings: Settings) -> None:
    """How many tables and columns are described: overall and per area (name prefix)."""
    store = _store(settings)
    ws = store.workspace
    doc = read_model(ws.combined, CombinedSchema) if ws.combined.exists() else \
        merge(read_model(ws.technical, TechnicalSchema))
    total, areas = documentation_status(doc, store.read())
    table = Table(title="documentation status")
    for name in ("area", "tables/views", "described", "%", "columns", "described", "%"):
        table.add_column(name, justify="left" if name == "area" else "right")
    for c in [*areas, total]:
        table.add_row(c.area, str(c.objects), str(c.objects_described),
                      f"{c.objects_percent:.0f}%", str(c.columns), str(c.columns_described),
                      f"{c.columns_percent:.0f}%", end_section=c is areas[-1])
    out.print(table)


@annotations_app.command()
@with_settings(database=False)
def history(
    settings: Settings,
    target: Annotated[str | None, typer.Argument(help="TABLE or TABLE.COLUMN (default: all).")
                      ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Newest N entries.")] = 20,
) -> None:
    """List saves (newest last) with the ids `revert` takes."""
    store = _store(settings)
    table, column = (resolve_target(Catalog.load(store.workspace), target) if target
                     else (None, None))
    entries = store.history(table, column)[-limit:]
    view = Table(title=f"history of {target or 'all annotations'}")
    for name in ("id", "when", "who", "action", "object", "rev", "changed"):
        view.add_column(name)
    for e in entries:
        view.add_row(e.id, f"{e.at:%Y-%m-%d %H:%M:%S}", e.who, e.action, e.object,
                     str(e.revision), ", ".join(e.changed))
    out.print(view)


@annotations_app.command()
@with_settings(database=False)
def revert(
    settings: Settings,
    entry: Annotated[str, typer.Argument(help="History entry id (see `annotations history`).")],
    who: WhoOpt = None,
) -> None:
    """Put an object back as it was before a history entry (saved as a new revision)."""
    store = _store(settings)
    note = store.revert(entry, who=who)
    name = next(e.object for e in store.history() if e.id == entry)
    refresh_combined(store.workspace, store.read(), [name])
    err.print(f"reverted {name} to before {entry} (now revision {note.revision})",
              soft_wrap=True)
