"""The Analysis tab: most FK-referenced columns (table and chart), tables without a primary
key, FK-like columns with no declared FK, the largest tables, and an ER picture of a
table and its neighbours, of the database the header's picker chose."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from schemachat.ingest import analysis
from schemachat.ui.app.database_picker import DatabaseChoice
from schemachat.ui.app.er_diagram import er_html

TITLE = "Analysis"
ID = "analysis"
# Column names of the grids, shown even while a grid is empty (else Gradio shows 1, 2, 3).
REFERENCED = ["column", "foreign keys"]
LARGEST = ["table", "rows", "method"]
FK_LIKE = ["table", "column", "type", "probably references", "why"]


def build(choice: DatabaseChoice, app: gr.Blocks, tab: gr.Tab) -> None:
    """Lay out the tab and wire its events (recomputed whenever it is opened and whenever
    another database is picked)."""
    with gr.Row():
        with gr.Column():
            referenced = gr.Dataframe(label="Most referenced columns", headers=REFERENCED,
                                      interactive=False, elem_id="analysis-referenced")
        with gr.Column():
            chart = gr.BarPlot(x="column", y="foreign keys", label="Most referenced columns",
                               sort="-y", x_label_angle=-40, height=320)
    with gr.Row():
        no_pk = gr.Dataframe(label="Tables without a primary key", headers=["table"],
                             interactive=False)
        largest = gr.Dataframe(label="Largest tables", headers=LARGEST, interactive=False)
    fk_like = gr.Dataframe(label="Columns that look like foreign keys but have none declared",
                           headers=FK_LIKE, interactive=False, wrap=True,
                           elem_id="analysis-fk-like")
    gr.Markdown("#### A table and its neighbours")
    with gr.Row():
        er_table = gr.Dropdown(label="Table", choices=[], value=None, filterable=True,
                               elem_id="analysis-er-table", scale=3)
        depth = gr.Slider(1, 3, value=1, step=1, label="FK hops", scale=1)
    er = gr.HTML(elem_id="analysis-er")

    def show(name: str | None) -> tuple[pd.DataFrame, ...] | tuple[object, ...]:
        doc = choice.context(name).doc()
        refs = pd.DataFrame(analysis.most_referenced(doc), columns=REFERENCED)
        sizes = pd.DataFrame(analysis.largest_tables(doc), columns=LARGEST)
        likes = pd.DataFrame([{"table": f.table, "column": f.column, "type": f.type,
                               "probably references": f"{f.ref_table}.{f.ref_column}",
                               "why": f.reason} for f in analysis.fk_like_columns(doc)],
                             columns=FK_LIKE)
        names = sorted(t.name for t in doc.tables)
        first = refs["column"].iloc[0].split(".")[0] if len(refs) else (names[0] if names
                                                                         else None)
        return (refs, refs, pd.DataFrame({"table": analysis.tables_without_pk(doc)}), sizes,
                likes, gr.update(choices=names, value=first))

    def diagram(name: str | None, table: str | None, hops: float) -> str:
        doc = choice.context(name).doc()
        if not table or doc.relation(table) is None:
            return ""
        return er_html(doc, table, int(hops))

    outputs = [referenced, chart, no_pk, largest, fk_like, er_table]
    # The picture is drawn again even when both databases open on the same table name.
    choice.state.change(show, inputs=choice.state, outputs=outputs).then(
        diagram, inputs=[choice.state, er_table, depth], outputs=er)
    tab.select(show, inputs=choice.state, outputs=outputs)
    er_table.change(diagram, inputs=[choice.state, er_table, depth], outputs=er)
    depth.release(diagram, inputs=[choice.state, er_table, depth], outputs=er)
