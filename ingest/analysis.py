"""Structural findings over a combined schema document, for the Analysis tab and the CLI:
most referenced columns, tables without a primary key, columns that look like foreign
keys but are not declared (`joins`), largest tables, and the FK neighbourhood of a table."""

from __future__ import annotations

from dataclasses import dataclass

from schemachat.ingest.joins import Edge, declared_edges, inferred_edges
from schemachat.ingest.models.combined import CombinedSchema


@dataclass(frozen=True)
class FkLike:
    """A column that looks like a reference to `ref_table.ref_column` but has no FK."""

    table: str
    column: str
    type: str
    ref_table: str
    ref_column: str
    reason: str


def most_referenced(doc: CombinedSchema, top: int = 15) -> list[tuple[str, int]]:
    """`TABLE.COLUMN` referenced by the most FK columns, most first."""
    ranked = sorted(doc.fk_reference_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:top]


def tables_without_pk(doc: CombinedSchema) -> list[str]:
    """Tables (not views) with no primary key."""
    return [t.name for t in doc.tables if t.primary_key is None]


def largest_tables(doc: CombinedSchema, top: int = 15) -> list[tuple[str, int, str]]:
    """(table, rows, method) of the tables with the most rows known, most first."""
    known = [(t.name, t.rows.rows, t.rows.method) for t in doc.tables
             if t.rows is not None and t.rows.rows is not None]
    return sorted(known, key=lambda r: (-r[1], r[0]))[:top]


def fk_like_columns(doc: CombinedSchema) -> list[FkLike]:
    """Columns that look like references but have no declared foreign key (candidates
    for a missing FK or a note): the FK-like columns of `joins.inferred_edges`, the same
    ones retrieval and the SQL skeletons join on."""
    found = []
    for edge in inferred_edges(doc):
        rel = doc.relation(edge.table)
        col = rel.column(edge.columns[0]) if rel is not None else None
        found.append(FkLike(edge.table, edge.columns[0], col.type if col else "",
                            edge.ref_table, edge.ref_columns[0], edge.reason))
    return found


def neighbourhood(doc: CombinedSchema, table: str, depth: int = 1) -> tuple[set[str], list[Edge]]:
    """Tables within `depth` FK hops of `table` (either direction) and the edges among them."""
    all_edges = declared_edges(doc)
    seen = {table}
    frontier = {table}
    for _ in range(max(depth, 0)):
        nxt = set()
        for e in all_edges:
            if e.table in frontier:
                nxt.add(e.ref_table)
            if e.ref_table in frontier:
                nxt.add(e.table)
        frontier = nxt - seen
        seen |= nxt
    return seen, [e for e in all_edges if e.table in seen and e.ref_table in seen]
