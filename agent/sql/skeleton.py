"""SQL skeletons: the FROM/JOIN part of a query over chosen tables, from the schema's keys.

A small model drafts poor joins; the keys are known. Given 1-4 tables the retrieval
found, this writes

    FROM CAD_CLI c
    JOIN MOV_PED mp ON mp.CLI_COD = c.CLI_COD
    JOIN MOV_PED_ITEM mpi ON mpi.FIL_COD = mp.FIL_COD AND mpi.PED_NUM = mp.PED_NUM

from declared foreign keys (composite keys: every column), going through intermediate
tables when two tables are not directly linked (the shortest join paths of
`schemachat.agent.retrieval.fk_graph`), and, optionally, through FK-like columns
nobody declared (same meaning by name and same kind of type), marked as such.
The model then only completes SELECT, WHERE, GROUP BY.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from schemachat.agent.retrieval.fk_graph import Edge, FkGraph
from schemachat.agent.sql.names import doc_dialect, is_regular, sql_name
from schemachat.ingest.joins import join_edges
from schemachat.ingest.models.combined import CombinedSchema

INFERRED_NOTE = "/* FK-like column, no declared foreign key */"
# Aliases that would read as SQL keywords.
_RESERVED = frozenset(("AS", "AT", "BY", "DO", "IF", "IN", "IS", "ON", "OR", "TO", "ALL",
                       "AND", "ANY", "ASC", "END", "FOR", "NOT", "ROW", "SET", "USING"))


@dataclass(frozen=True)
class Join:
    """One table of the skeleton: how it joins the tables before it (`on` is None for
    the first table). `declared` is False when a join uses an FK-like column; `via` is
    True for tables only added to connect the requested ones."""

    table: str
    alias: str
    on: str | None = None
    declared: bool = True
    via: bool = False

    def sql(self) -> str:
        """'FROM T t' or 'JOIN T t ON ...' (with a note when not declared)."""
        if self.on is None:
            return f"FROM {sql_name(self.table)} {self.alias}"
        note = "" if self.declared else f" {INFERRED_NOTE}"
        return f"JOIN {sql_name(self.table)} {self.alias} ON {self.on}{note}"


@dataclass(frozen=True)
class Skeleton:
    """FROM/JOIN over the requested tables; `unjoined` lists those no path reaches
    (they are left out rather than cross-joined)."""

    joins: list[Join]
    unjoined: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # ambiguous or row-multiplying joins

    @property
    def aliases(self) -> dict[str, str]:
        """Table -> alias."""
        return {j.table: j.alias for j in self.joins}

    def from_clause(self) -> str:
        """The FROM ... JOIN ... text, one line per table."""
        return "\n".join(j.sql() for j in self.joins)

    def sql(self, select: str = "COUNT(*)") -> str:
        """A complete statement: SELECT `select` + the FROM clause."""
        return f"SELECT {select}\n{self.from_clause()}"


def build_skeleton(doc: CombinedSchema, tables: list[str], *, inferred: bool = True,
                   graph: FkGraph | None = None) -> Skeleton:
    """The skeleton joining `tables` (in that order; the first is the FROM table).

    `inferred` allows FK-like columns whose types match; `graph` may be passed when
    already built (e.g. loaded from the index). Unknown table names raise KeyError.
    """
    for table in tables:
        if doc.relation(table) is None:
            raise KeyError(f"table unknown: {table}")
    graph = join_graph(doc, inferred=inferred) if graph is None else graph
    wanted = list(dict.fromkeys(tables))
    unwritable: list[str] = []
    if doc_dialect(doc) < 3:
        # Dialect 1 has no quoted names: what needs quotes cannot be joined or named.
        graph = FkGraph([e for e in graph.edges if _writable(e)])
        unwritable = [t for t in wanted if not is_regular(t)]
        wanted = [t for t in wanted if is_regular(t)]
    warnings = [f"{t} cannot be named in this dialect 1 database's SQL (it would need "
                "double quotes, which delimit strings there)" for t in unwritable]
    if not wanted:
        return Skeleton([], unwritable, warnings)
    aliases = _Aliases()
    joins = [Join(wanted[0], aliases.new(wanted[0]))]
    placed = {wanted[0]}
    for path in graph.connect(wanted):
        warnings += _fan_traps(path.edges)
        warnings += [w for w in (_ambiguity(graph, e) for e in path.edges) if w]
        for edge in _in_join_order(path.edges, placed):
            joins.append(_join(edge, placed, aliases,
                               via=edge_target(edge, placed) in path.via))
            placed.add(joins[-1].table)
    unjoined = [t for t in wanted if t not in placed] + unwritable
    return Skeleton(joins, unjoined, warnings)


def _writable(edge: Edge) -> bool:
    """True when every name of `edge` can stand bare (needed in dialect 1)."""
    return all(map(is_regular, (edge.table, edge.ref_table, *edge.columns,
                                *edge.ref_columns)))


def join_graph(doc: CombinedSchema, *, inferred: bool = True) -> FkGraph:
    """The FK graph of `doc`: declared FKs, plus (with `inferred`) FK-like columns
    (`schemachat.ingest.joins`: named like a key, of the same kind of type)."""
    return FkGraph(join_edges(doc, inferred=inferred))


def _in_join_order(edges: tuple[Edge, ...], placed: set[str]) -> list[Edge]:
    """The edges of a path in an order where each joins one new table to placed ones.

    A path may touch the placed tables at either end or in its middle, so its own order
    is not enough; edges whose ends are both placed already add nothing and are left out.
    """
    seen, pending, ordered = set(placed), list(edges), []
    while pending:
        edge = next((e for e in pending if (e.table in seen) != (e.ref_table in seen)), None)
        if edge is None:
            break
        pending.remove(edge)
        ordered.append(edge)
        seen |= {edge.table, edge.ref_table}
    return ordered


def edge_target(edge: Edge, placed: set[str]) -> str:
    """The end of `edge` not yet in `placed`."""
    return edge.table if edge.ref_table in placed else edge.ref_table


def _fan_traps(edges: tuple[Edge, ...]) -> list[str]:
    # Two steps that both point at the table between them (child -> parent <- child)
    # relate the children many-to-many: counts and sums multiply.
    return [f"{a.table} and {b.table} are only related through {a.ref_table} (both "
            f"reference it): rows multiply, aggregate each side first"
            for a, b in pairwise(edges)
            if a.ref_table == b.ref_table and a.table != b.table]


def _ambiguity(graph: FkGraph, edge: Edge) -> str:
    # Several keys link the same two tables (FIN_LANC.CTA_DEB and .CTA_CRED).
    others = [e for t, e in graph.neighbours(edge.table)
              if t == edge.ref_table and e.table == edge.table and e != edge]
    if not others:
        return ""
    names = ", ".join("/".join(e.columns) for e in (edge, *others))
    return (f"{edge.table} references {edge.ref_table} through several columns ({names}); "
            f"the skeleton uses {'/'.join(edge.columns)}")


def _join(edge: Edge, placed: set[str], aliases: _Aliases, *, via: bool) -> Join:
    new = edge_target(edge, placed)
    alias = aliases.new(new)
    pairs = zip(edge.columns, edge.ref_columns, strict=True)
    if new == edge.table:
        old = aliases.of[edge.ref_table]
        parts = [f"{alias}.{sql_name(a)} = {old}.{sql_name(b)}" for a, b in pairs]
    else:
        old = aliases.of[edge.table]
        parts = [f"{alias}.{sql_name(b)} = {old}.{sql_name(a)}" for a, b in pairs]
    return Join(new, alias, " AND ".join(parts), edge.declared, via)


class _Aliases:
    """Short unique aliases: initials of the name's parts (MOV_PED_ITEM -> mpi)."""

    def __init__(self) -> None:
        self.of: dict[str, str] = {}

    def new(self, table: str) -> str:
        parts = [p for p in re.split(r"[^A-Za-z0-9]+", table) if p]
        base = "".join(p[0] for p in parts).lower() or "t"
        if not base[0].isalpha():
            base = "t" + base
        alias, n = base, 1
        while alias in self.of.values() or alias.upper() in _RESERVED:
            n += 1
            alias = f"{base}{n}"
        self.of[table] = alias
        return alias

