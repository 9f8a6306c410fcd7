"""The Overview tab: how much is documented (overall and per area), rows per table with
how they were counted, and a button to count again (estimate or exact), all of the
database the header's picker chose."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd

from schemachat.configs import SchemachatError
from schemachat.ingest.doc_status import documentation_status
from schemachat.ingest.pipeline import run_counts
from schemachat.ui.app.database_picker import DatabaseChoice

TITLE = "Overview"
ID = "overview"
AREAS = ["area", "tables/views", "described", "%", "columns", "columns described",
         "columns %"]
COUNTS = ["table", "rows", "method", "counted at", "basis / error"]


def build(choice: DatabaseChoice, app: gr.Blocks, tab: gr.Tab) -> None:
    """Lay out the tab and wire its events (it refreshes whenever it is opened and
    whenever another database is picked)."""
    summary = gr.Markdown(elem_id="overview-summary")
    areas = gr.Dataframe(label="Documentation per area (name prefix)", headers=AREAS,
                         interactive=False, elem_id="overview-areas")
    with gr.Row():
        method = gr.Radio(["estimate", "exact"], value="estimate", label="Count rows by",
                          scale=2)
        refresh = gr.Button("Refresh counts", scale=1, elem_id="overview-refresh")
    count_status = gr.Markdown()
    counts = gr.Dataframe(label="Rows per table", headers=COUNTS, interactive=False,
                          elem_id="overview-counts")

    def show(name: str | None) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        ctx = choice.context(name)
        doc = ctx.doc()
        total, per_area = documentation_status(doc, ctx.metadata())
        text = (f"### Documented: {total.objects_described} of {total.objects} tables and "
                f"views (**{total.objects_percent:.1f}%**) · {total.columns_described} of "
                f"{total.columns} columns (**{total.columns_percent:.1f}%**)")
        area_rows = pd.DataFrame([{
            "area": a.area, "tables/views": a.objects, "described": a.objects_described,
            "%": round(a.objects_percent, 1), "columns": a.columns,
            "columns described": a.columns_described, "columns %": round(a.columns_percent, 1),
        } for a in per_area], columns=AREAS)
        count_rows = pd.DataFrame([{
            "table": t.name, "rows": t.rows.rows if t.rows else None,
            "method": t.rows.method if t.rows else "unknown",
            "counted at": f"{t.rows.counted_at:%Y-%m-%d %H:%M}" if t.rows else "",
            "basis / error": (t.rows.error or t.rows.basis or "") if t.rows else "",
        } for t in doc.tables], columns=COUNTS)
        return text, area_rows, count_rows

    def recount(name: str | None, how: str,
                progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        ctx = choice.context(name)
        if not ctx.settings.fb_database:
            return ("**No database configured** (SCHEMACHAT_FB_DATABASE or --database): "
                    "counts cannot be refreshed.", *show(name))
        tables = len(ctx.doc().tables)
        done = [0]

        def step(name: str) -> None:
            done[0] += 1
            progress(done[0] / max(tables, 1), desc=f"counting {name}")

        progress(0, desc="counting")
        try:
            result = run_counts(ctx.settings, exact=how == "exact", progress=step)
        except SchemachatError as exc:
            return (f"**Failed:** {exc}", *show(name))
        ctx.refresh_all()
        return (f"Counted {len(result.tables)} tables ({how}).", *show(name))

    outputs = [summary, areas, counts]
    choice.state.change(show, inputs=choice.state, outputs=outputs)
    tab.select(show, inputs=choice.state, outputs=outputs)
    refresh.click(recount, inputs=[choice.state, method], outputs=[count_status, *outputs])
