"""Structural findings over a combined schema document, for the Analysis tab and the CLI:
most referenced columns, tables without a primary key, columns that look like foreign
keys but are not declared, largest tables, and the FK neighbourhood of a table."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Edge:
    """A declared foreign key from `table(columns)` to `ref_table(ref_columns)`."""

    table: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    name: str


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
    """Columns named like another table's single-column primary key, of the same type,
    that no declared foreign key covers (candidates for a missing FK or a note)."""
    keys: dict[str, tuple[str, str]] = {}  # PK column name -> (table, type)
    for table in doc.tables:
        if table.primary_key and len(table.primary_key.columns) == 1:
            name = table.primary_key.columns[0]
            col = next(c for c in table.columns if c.name == name)
            keys.setdefault(name, (table.name, col.type))
    found = []
    for table in doc.tables:
        declared = {c for fk in table.foreign_keys for c in fk.columns}
        own_pk = set(table.primary_key.columns) if table.primary_key else set()
        for col in table.columns:
            if col.name in declared or col.name not in keys:
                continue
            ref_table, ref_type = keys[col.name]
            if ref_table == table.name or (col.name in own_pk and len(own_pk) == 1):
                continue
            if ref_type.split(" CHARACTER SET ")[0] != col.type.split(" CHARACTER SET ")[0]:
                continue
            found.append(FkLike(table.name, col.name, col.type, ref_table, col.name,
                                f"same name and type as the primary key of {ref_table}"))
    return found


def edges(doc: CombinedSchema) -> list[Edge]:
    """Every declared foreign key as an edge."""
    return [Edge(t.name, tuple(fk.columns), fk.ref_table, tuple(fk.ref_columns), fk.name)
            for t in doc.tables for fk in t.foreign_keys]


def neighbourhood(doc: CombinedSchema, table: str, depth: int = 1) -> tuple[set[str], list[Edge]]:
    """Tables within `depth` FK hops of `table` (either direction) and the edges among them."""
    all_edges = edges(doc)
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
