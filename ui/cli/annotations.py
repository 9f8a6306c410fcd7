"""Commands that read and write annotations: `annotate`, and `annotations export / import /
status / history / revert`. Every write goes through the annotation store and then
refreshes the combined document (only the objects that changed)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from schemachat.configs import BadInput, Settings
from schemachat.ingest.annotation_checks import Catalog
from schemachat.ingest.annotation_import import plan_import
from schemachat.ingest.annotations import AnnotationStore, dump_metadata
from schemachat.ingest.doc_status import documentation_status
from schemachat.ingest.merge import merge
from schemachat.ingest.models.annotations import ColumnNote, ObjectNote, SchemaMetadata
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.technical import TechnicalSchema
from schemachat.ingest.remerge import refresh_combined
from schemachat.ingest.workspace import Workspace, read_model
from schemachat.ui.cli.app import app, err, out, with_settings

annotations_app = typer.Typer(help="Export, import, count, list and revert annotations.",
                              no_args_is_help=True)
app.add_typer(annotations_app, name="annotations")

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


@annotations_app.command("export")
@with_settings(database=False)
def export(
    settings: Settings,
    file: Annotated[Path | None, typer.Argument(help="Write here (default: stdout).")] = None,
) -> None:
    """Write all annotations as one JSON document (the format `import` reads)."""
    text = dump_metadata(_store(settings).read())
    if file is None:
        sys.stdout.write(text)
    else:
        file.write_text(text, encoding="utf-8")
        err.print(f"exported -> {file}", soft_wrap=True)


@annotations_app.command("import")
@with_settings(database=False)
def import_(
    settings: Settings,
    file: Annotated[Path, typer.Argument(help="An exported annotations file.")],
    prefer_file: Annotated[bool, typer.Option(
        "--prefer-file", help="On conflict take the file's value (default: keep ours).")] = False,
    who: WhoOpt = None,
) -> None:
    """Merge annotations from a file: fill what is empty, report conflicts."""
    store = _store(settings)
    incoming = read_model(file, SchemaMetadata)
    plan = plan_import(store.read(), incoming, prefer_file=prefer_file)
    saved = store.commit(plan.changes, who=who)
    refresh_combined(store.workspace, store.read(), list(saved))
    for c in plan.conflicts:
        kept = "file" if prefer_file else "workspace"
        err.print(f"[yellow]conflict[/yellow] {c.object} {c.path}: workspace {c.workspace!r}, "
                  f"file {c.file!r} (kept the {kept}'s)", highlight=False, soft_wrap=True)
    err.print(f"imported {file}: {plan.new_objects} new objects, {plan.fields_filled} fields "
              f"filled, {len(plan.conflicts)} conflicts", soft_wrap=True)


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
