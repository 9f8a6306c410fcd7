"""The Annotate tab: pick a table, see its columns, keys, FKs, samples and value
distributions, edit descriptions and value mappings, take or leave suggestions, save
(refused when stale), and look at or revert the table's history.

It opens on the table of the link (`?table=...&column=...`), else on the first table
nobody has described yet (forms.opening_table), so a first visit shows what the tool
does; its grids carry their column names even while empty. Everything is of the database
the header's picker chose; picking another opens that one the same way."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd

from schemachat.configs import BadInput, SchemachatError
from schemachat.ingest.annotations import StaleEdit, default_author
from schemachat.ingest.models.annotations import ColumnNote, ObjectNote
from schemachat.ingest.models.combined import CombinedRelation
from schemachat.ingest.suggestions import Suggestion, sample_values
from schemachat.ui.app.database_picker import DatabaseChoice
from schemachat.ui.app.forms import (
    ColumnForm,
    apply_forms,
    column_form,
    opening_table,
    table_choices,
    values_to_text,
)
from schemachat.ui.context import AppContext
from schemachat.ui.suggest_model import ask_model, model_status, suggestion_model

TITLE = "Annotate"
ID = "annotate"
# Column names of the grids, shown even while a grid is empty (else Gradio shows 1, 2, 3).
COLUMNS = ["column", "type", "null", "key", "references", "description", "values"]
DISTRIBUTION = ["value", "count"]
HISTORY = ["id", "when", "who", "action", "revision", "changed"]
NO_SAMPLES = ["no sample rows (run `schemachat samples`)"]


def build(choice: DatabaseChoice, app: gr.Blocks, tab: gr.Tab) -> None:
    """Lay out the tab and wire its events."""
    settings = choice.served.settings  # the suggestion model is the same for every database
    db = choice.state
    with gr.Row():
        who = gr.Textbox(label="Your name", value=default_author(), scale=1, elem_id="ann-who")
        search = gr.Textbox(label="Search", placeholder="table, column or description",
                            scale=2, elem_id="ann-search")
        undescribed = gr.Checkbox(label="Undescribed only", value=False, scale=1,
                                  elem_id="ann-undescribed")
    table = gr.Dropdown(label="Table or view", choices=[], value=None, elem_id="ann-table",
                        filterable=True)
    info = gr.Markdown(elem_id="ann-info")
    fk_targets = gr.State([])

    @gr.render(inputs=fk_targets)
    def fk_buttons(targets: list[str]) -> None:
        if not targets:
            return
        with gr.Row():
            for target in targets:
                button = gr.Button(f"→ {target}", size="sm", elem_classes=["fk-link"])
                button.click(lambda n, t=target: {table: t} | load(n, t), inputs=db,
                             outputs=[table, *everything])

    columns_df = gr.Dataframe(label="Columns", headers=COLUMNS, interactive=False, wrap=True,
                              elem_id="ann-columns")
    with gr.Row():
        table_desc = gr.Textbox(label="Table description", lines=2, elem_id="ann-table-desc",
                                scale=3)
        tags = gr.Textbox(label="Tags (comma-separated)", scale=1, elem_id="ann-tags")
        table_notes = gr.Textbox(label="Table notes", lines=2, scale=2)
    with gr.Row():
        table_sugg = gr.Markdown(elem_id="ann-table-suggestion")
        use_table_sugg = gr.Button("Use suggested table description", size="sm", scale=0)
    column = gr.Dropdown(label="Column", choices=[], value=None, elem_id="ann-column",
                         filterable=True)
    with gr.Row():
        with gr.Column(scale=2):
            col_desc = gr.Textbox(label="Column description", lines=2, elem_id="ann-col-desc")
            col_values = gr.Textbox(label="Value mappings, one per line: A = ativo", lines=4,
                                    elem_id="ann-col-values")
            with gr.Row():
                col_unit = gr.Textbox(label="Unit", elem_id="ann-col-unit")
                col_notes = gr.Textbox(label="Column notes")
        with gr.Column(scale=1):
            dist_df = gr.Dataframe(label="Values seen (count)", headers=DISTRIBUTION,
                                   interactive=False, elem_id="ann-dist")
    gr.Markdown("#### Suggestions (nothing is saved until you save)")
    gr.Markdown(model_status(settings), elem_id="ann-model-status")
    sugg_md = gr.Markdown(elem_id="ann-suggestions")
    with gr.Row():
        use_desc = gr.Button("Use suggested description", size="sm")
        use_values = gr.Button("Use suggested values", size="sm")
        use_unit = gr.Button("Use suggested unit", size="sm")
        dismiss = gr.Button("Dismiss suggestions", size="sm")
        ask = gr.Button("Ask the model", size="sm",
                        visible=suggestion_model(settings) is not None)
    with gr.Row():
        save = gr.Button("Save", variant="primary", elem_id="ann-save")
        reload = gr.Button("Reload from disk", elem_id="ann-reload")
    status = gr.Markdown(elem_id="ann-status")
    with gr.Accordion("Sample rows", open=False):
        samples_df = gr.Dataframe(headers=NO_SAMPLES, interactive=False, wrap=True,
                                  elem_id="ann-samples")
    with gr.Accordion("History of this table", open=False, elem_id="ann-history-box"):
        history_df = gr.Dataframe(headers=HISTORY, interactive=False, wrap=True,
                                  elem_id="ann-history")
        with gr.Row():
            revert_id = gr.Dropdown(label="Entry to revert (puts the table back as it was "
                                    "before it)", choices=[], value=None, scale=3)
            revert = gr.Button("Revert", scale=1, elem_id="ann-revert")

    loaded = gr.State(None)  # the note as read (JSON), the base of the next save
    based_on = gr.State(0)  # its revision
    forms = gr.State({})  # column -> ColumnForm (dict) edited but not saved yet
    current_col = gr.State(None)
    suggestions = gr.State([])  # of the current column and the table

    column_fields = [col_desc, col_values, col_unit, col_notes]
    table_fields = [table_desc, tags, table_notes]
    everything = [info, fk_targets, columns_df, *table_fields, table_sugg, column,
                  *column_fields, dist_df, sugg_md, samples_df, history_df, revert_id, loaded,
                  based_on, forms, current_col, suggestions, status]

    def load(db_name: str | None, name: str | None, col: str | None = None,
             message: str = "") -> dict[Any, Any]:
        """Everything shown for table `name` of database `db_name` as stored now (unsaved
        edits dropped)."""
        ctx = choice.context(db_name)
        rel = ctx.doc().relation(name) if name else None
        if rel is None:
            return {info: "Pick a table or view above." if not name else
                    f"**{name}** is not in the combined document: run `schemachat merge`.",
                    fk_targets: [], status: message}
        note = ctx.store.get(rel.name)
        col = col if col in {c.name for c in rel.columns} else rel.columns[0].name
        hist = ctx.store.history(rel.name)
        return {
            info: _info(ctx, rel, note),
            fk_targets: sorted({fk.ref_table for fk in rel.foreign_keys} - {rel.name}),
            columns_df: _columns_frame(rel, note),
            table_desc: note.description or "", tags: ", ".join(note.tags),
            table_notes: note.notes or "",
            column: gr.update(choices=[c.name for c in rel.columns], value=col),
            samples_df: _samples_frame(ctx, rel.name),
            history_df: _history_frame(hist),
            revert_id: gr.update(choices=[(f"{e.id} · {e.at:%Y-%m-%d %H:%M} · {e.who} · "
                                           f"{', '.join(e.changed)[:60]}", e.id)
                                          for e in reversed(hist)], value=None),
            loaded: note.model_dump(mode="json"), based_on: note.revision, forms: {},
            status: message,
        } | show_column(ctx, rel.name, col, note, {})

    def show_column(ctx: AppContext, name: str, col: str, note: ObjectNote,
                    edited: dict[str, Any]) -> dict[Any, Any]:
        """The column's fields (from the unsaved form if there is one) and suggestions."""
        form = ColumnForm(**edited[col]) if col in edited else column_form(note.columns.get(col))
        rel = ctx.doc().relation(name)
        assert rel is not None
        found = ctx.suggester().for_column(name, col) + ctx.suggester().for_table(name)
        return {
            col_desc: form.description, col_values: form.values, col_unit: form.unit,
            col_notes: form.notes, current_col: col,
            dist_df: _distribution_frame(rel, col),
            sugg_md: _suggestions_md([s for s in found if "." in s.target]),
            table_sugg: _suggestions_md([s for s in found if "." not in s.target]) or "",
            suggestions: [s.__dict__ for s in found],
        }

    def on_column(db_name: str | None, name: str, col: str, prev: str | None,
                  edited: dict[str, Any], loaded_note: dict[str, Any] | None, *fields: str
                  ) -> dict[Any, Any]:
        edited = dict(edited or {})
        if prev and prev != col:
            edited[prev] = ColumnForm(*fields).__dict__
        note = ObjectNote.model_validate(loaded_note) if loaded_note else ObjectNote()
        return {forms: edited} | show_column(choice.context(db_name), name, col, note, edited)

    def on_save(db_name: str | None, name: str, author: str,
                loaded_note: dict[str, Any] | None, revision: int, col: str,
                edited: dict[str, Any], t_desc: str, t_tags: str, t_notes: str,
                *fields: str) -> dict[Any, Any]:
        ctx = choice.context(db_name)
        if not name or loaded_note is None:
            return {status: "Pick a table first."}
        edited = dict(edited or {}) | {col: ColumnForm(*fields).__dict__}
        try:
            note = apply_forms(ObjectNote.model_validate(loaded_note), t_desc, t_tags,
                               t_notes, edited)
            saved = ctx.store.save(name, note, based_on=revision,
                                   who=author.strip() or default_author())
        except StaleEdit as exc:
            return {status: f"**Conflict, not saved.** {exc} Your edits are still in the "
                            f"form; *Reload from disk* shows the newer version."}
        except BadInput as exc:
            return {status: f"**Not saved:** {exc}"}
        if saved.revision == revision:
            return {status: f"Nothing to save: {name} already says that."}
        ctx.saved([name])
        return load(db_name, name, col, f"Saved {name} (revision {saved.revision}).")

    def on_revert(db_name: str | None, name: str, author: str, entry: str | None,
                  revision: int, col: str) -> dict[Any, Any]:
        ctx = choice.context(db_name)
        if not entry:
            return {status: "Pick a history entry to revert."}
        try:
            note = ctx.store.revert(entry, who=author.strip() or default_author(),
                                    based_on=revision)
        except StaleEdit as exc:
            return {status: f"**Conflict, not reverted.** {exc}"}
        except BadInput as exc:
            return {status: f"**Not reverted:** {exc}"}
        ctx.saved([name])
        return load(db_name, name, col, f"Reverted {name} to before {entry} "
                                        f"(now revision {note.revision}).")

    def on_filter(db_name: str | None, query: str, only_undescribed: bool,
                  current: str | None) -> Any:
        ctx = choice.context(db_name)
        choices = table_choices(ctx.doc(), ctx.metadata(), query, only_undescribed)
        return gr.update(choices=choices, value=current if current in choices else None)

    def pick(kind: str, found: list[dict[str, Any]], current: str) -> Any:
        match = next((s for s in found if s["field"] == kind and "." in s["target"]), None)
        if match is None:
            return current
        if kind == "values":
            return _merge_values_text(current, match["value"])
        return match["value"]

    def on_ask(db_name: str | None, name: str, col: str) -> dict[Any, Any]:
        model = suggestion_model(settings)
        if model is None or not name:
            return {}
        ctx = choice.context(db_name)
        try:
            found = ask_model(model, ctx.doc(), ctx.metadata(), name, col)
        except SchemachatError as exc:
            return {sugg_md: f"**Failed:** {exc}"}
        found += ctx.suggester().for_column(name, col)
        return {sugg_md: _suggestions_md(found), suggestions: [s.__dict__ for s in found]}

    def on_open(db_name: str | None, request: gr.Request) -> dict[Any, Any]:
        """The page loaded or another database was picked: open its table of the link
        (`?table=&column=`; a pick drops them from the URL), else where work waits."""
        params = dict(request.query_params) if request else {}
        name, col = params.get("table"), params.get("column")
        ctx = choice.context(db_name)
        doc, metadata = ctx.doc(), ctx.metadata()
        choices = table_choices(doc, metadata, "", False)
        if name not in choices:  # no link (or a stale one): open where work is waiting
            name, col = opening_table(doc, metadata), None
        result = {table: gr.update(choices=choices, value=name), search: "",
                  undescribed: False}
        return result | (load(db_name, name, col) if name else nothing())

    def nothing() -> dict[Any, Any]:
        """A database with no table or view: nothing of the previous one stays shown."""
        return {info: "This database has no table or view.", fk_targets: [],
                columns_df: pd.DataFrame(columns=COLUMNS), table_desc: "", tags: "",
                table_notes: "", table_sugg: "", column: gr.update(choices=[], value=None),
                col_desc: "", col_values: "", col_unit: "", col_notes: "",
                dist_df: pd.DataFrame(columns=DISTRIBUTION), sugg_md: "",
                samples_df: pd.DataFrame(columns=NO_SAMPLES),
                history_df: pd.DataFrame(columns=HISTORY),
                revert_id: gr.update(choices=[], value=None), loaded: None, based_on: 0,
                forms: {}, current_col: None, suggestions: [], status: ""}

    db.change(on_open, inputs=db, outputs=[table, search, undescribed, *everything])
    table.input(load, inputs=[db, table], outputs=everything)
    reload.click(lambda d, n, c: load(d, n, c, "Reloaded from disk."),
                 inputs=[db, table, current_col], outputs=everything)
    column.input(on_column, inputs=[db, table, column, current_col, forms, loaded,
                                    *column_fields], outputs=everything)
    save.click(on_save, inputs=[db, table, who, loaded, based_on, current_col, forms,
                                *table_fields, *column_fields], outputs=everything)
    revert.click(on_revert, inputs=[db, table, who, revert_id, based_on, current_col],
                 outputs=everything)
    for trigger in (search.submit, search.change, undescribed.change):
        trigger(on_filter, inputs=[db, search, undescribed, table], outputs=table)
    use_desc.click(lambda f, c: pick("description", f, c), inputs=[suggestions, col_desc],
                   outputs=col_desc)
    use_values.click(lambda f, c: pick("values", f, c), inputs=[suggestions, col_values],
                     outputs=col_values)
    use_unit.click(lambda f, c: pick("unit", f, c), inputs=[suggestions, col_unit],
                   outputs=col_unit)
    use_table_sugg.click(
        lambda f, c: next((s["value"] for s in f if "." not in s["target"]), c),
        inputs=[suggestions, table_desc], outputs=table_desc)
    dismiss.click(lambda: ("Suggestions dismissed.", "", []),
                  outputs=[sugg_md, table_sugg, suggestions])
    ask.click(on_ask, inputs=[db, table, current_col], outputs=everything)


def _info(ctx: AppContext, rel: CombinedRelation, note: ObjectNote) -> str:
    rows = rel.rows
    count = (f"{rows.rows:,} rows ({rows.method}, {rows.counted_at:%Y-%m-%d})"
             if rows and rows.rows is not None else "rows unknown")
    pk = ", ".join(rel.primary_key.columns) if rel.primary_key else "none"
    fks = "; ".join(f"{', '.join(fk.columns)} → {fk.ref_table}({', '.join(fk.ref_columns)})"
                    for fk in rel.foreign_keys) or "none"
    referencing = sorted({t.name for t in ctx.doc().tables for fk in t.foreign_keys
                          if fk.ref_table == rel.name and t.name != rel.name})
    by = f" · last saved by {note.updated_by} at {note.updated_at:%Y-%m-%d %H:%M}" \
        if note.updated_by and note.updated_at else ""
    lines = [f"### {rel.name} ({rel.kind}) · {count} · revision {note.revision}{by}",
             f"**Primary key:** {pk} · **Foreign keys:** {fks}"]
    if referencing:
        lines.append(f"**Referenced by:** {', '.join(referencing)}")
    if rel.description:
        lines.append(f"**Firebird comment:** {rel.description}")
    return "\n\n".join(lines)


def _columns_frame(rel: CombinedRelation, note: ObjectNote) -> pd.DataFrame:
    pk = set(rel.primary_key.columns) if rel.primary_key else set()
    refs = {c: f"{fk.ref_table}.{fk.ref_columns[fk.columns.index(c)]}"
            for fk in rel.foreign_keys for c in fk.columns}
    rows = []
    for col in rel.columns:
        cn = note.columns.get(col.name) or ColumnNote()
        rows.append({
            "column": col.name, "type": col.type, "null": "" if col.nullable else "NOT NULL",
            "key": "PK" if col.name in pk else "", "references": refs.get(col.name, ""),
            "description": cn.description or col.description or "",
            "values": ", ".join(f"{k}={v}" for k, v in cn.values.items()),
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def _distribution_frame(rel: CombinedRelation, col: str) -> pd.DataFrame:
    column = next((c for c in rel.columns if c.name == col), None)
    dist = column.distribution if column else None
    return pd.DataFrame([{"value": str(v.value), "count": v.count} for v in dist or []],
                        columns=DISTRIBUTION)


def _samples_frame(ctx: AppContext, name: str) -> pd.DataFrame:
    samples = ctx.samples()
    sample = samples.tables.get(name) if samples else None
    if sample is None or not sample.columns:
        return pd.DataFrame(columns=NO_SAMPLES)
    data = {c: [str(v) if v is not None else "" for v in sample_values(sample, c)]
            for c in sample.columns}
    return pd.DataFrame(data)


def _history_frame(entries: list[Any]) -> pd.DataFrame:
    return pd.DataFrame([{"id": e.id, "when": f"{e.at:%Y-%m-%d %H:%M:%S}", "who": e.who,
                          "action": e.action, "revision": e.revision,
                          "changed": ", ".join(e.changed)} for e in reversed(entries)],
                        columns=HISTORY)


def _suggestions_md(found: list[Suggestion]) -> str:
    if not found:
        return "_No suggestions._"
    lines = []
    for s in found:
        value = values_to_text(s.value).replace("\n", "; ") if isinstance(s.value, dict) \
            else s.value
        lines.append(f"- **{s.field}** ({s.source}): {value}  \n  _{s.why}_")
    return "\n".join(lines)


def _merge_values_text(current: str, suggested: dict[str, str]) -> str:
    """Add suggested mappings for values the form does not map yet."""
    present = {line.split("=", 1)[0].strip() for line in current.splitlines() if "=" in line}
    extra = {k: v for k, v in suggested.items() if k not in present}
    joined = "\n".join(x for x in (current.strip(), values_to_text(extra)) if x)
    return joined
