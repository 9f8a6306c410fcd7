"""An ER picture of a table and its FK neighbours: Graphviz DOT, rendered to SVG by the
`dot` program (Debian package `graphviz`) for the page; without it, the DOT text."""

from __future__ import annotations

import shutil
import subprocess
from html import escape

from schemachat.ingest.analysis import neighbourhood
from schemachat.ingest.models.combined import CombinedSchema


def er_dot(doc: CombinedSchema, table: str, depth: int = 1, max_columns: int = 12) -> str:
    """DOT source: one record per table (keys first), one edge per foreign key."""
    tables, edges = neighbourhood(doc, table, depth)
    lines = ["digraph er {", '  graph [rankdir=LR, fontname="Helvetica", bgcolor="white"];',
             '  node [shape=plaintext, fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9, color="#555555"];']
    for name in sorted(tables):
        rel = doc.relation(name)
        if rel is None:
            continue
        pk = set(rel.primary_key.columns) if rel.primary_key else set()
        fk_cols = {c for fk in rel.foreign_keys for c in fk.columns}
        cols = sorted(rel.columns, key=lambda c: (c.name not in pk, c.name not in fk_cols,
                                                   c.position))
        shown = cols[:max_columns]
        head = "#1d4ed8" if name == table else "#475569"
        rows = [f'<tr><td bgcolor="{head}"><font color="white"><b>{escape(name)}</b></font>'
                f'</td></tr>']
        for c in shown:
            mark = "PK " if c.name in pk else ("FK " if c.name in fk_cols else "")
            rows.append(f'<tr><td align="left">{mark}{escape(c.name)} '
                        f'<font color="#64748b">{escape(c.type)}</font></td></tr>')
        if len(cols) > len(shown):
            rows.append(f'<tr><td align="left"><i>… {len(cols) - len(shown)} more</i></td></tr>')
        label = '<table border="0" cellborder="1" cellspacing="0">' + "".join(rows) + "</table>"
        lines.append(f'  "{name}" [label=<{label}>];')
    for e in edges:
        lines.append(f'  "{e.table}" -> "{e.ref_table}" [label="{", ".join(e.columns)}"];')
    lines.append("}")
    return "\n".join(lines)


def render_svg(dot: str, timeout_s: float = 20.0) -> str | None:
    """SVG text of `dot`, or None when Graphviz is not installed or fails."""
    exe = shutil.which("dot")
    if exe is None:
        return None
    try:
        done = subprocess.run([exe, "-Tsvg"], input=dot, capture_output=True, text=True,
                              timeout=timeout_s, check=True)
    except (subprocess.SubprocessError, OSError):
        return None
    svg = done.stdout
    return svg[svg.find("<svg"):] if "<svg" in svg else None


def er_html(doc: CombinedSchema, table: str, depth: int = 1) -> str:
    """HTML for the page: the SVG, or the DOT source when it cannot be rendered."""
    dot = er_dot(doc, table, depth)
    svg = render_svg(dot)
    if svg is None:
        return ("<p>Graphviz (<code>dot</code>) is not installed; the diagram as DOT:</p>"
                f"<pre>{escape(dot)}</pre>")
    return f'<div id="er-svg" style="overflow:auto">{svg}</div>'
