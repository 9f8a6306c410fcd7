"""Completing a ranking with the tables a question needs but does not name.

- **Join paths**: when the question names entities in two ranked tables that are not
  adjacent ("itens vendidos por grupo de produto": the item table and the group table),
  the tables on the cheapest join path between them (at most `PATH_HOPS` joins) are
  needed to answer it.
- **Role columns**: when a question word names the role of a ranked table's key column
  ("quem aprovou cada pedido de compra": PURCHASE_ORDERS.APPROVED_BY, role approved), the
  table that column references (EMPLOYEES) holds that entity.

Each gives one more ranking to fuse with the others (`retriever`), so a table on a path
or behind a role rises by how well it already fits the question, not by force.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from schemachat.agent.retrieval.fk_graph import Edge, FkGraph
from schemachat.agent.retrieval.roles import Role

PATH_HOPS = 2  # joins between two ranked tables: one table between them


@dataclass(frozen=True)
class Completion:
    """A table a question needs, why, and the ranked tables it is needed for."""

    table: str
    why: str
    because: tuple[str, ...] = ()


def join_path_tables(anchors: Sequence[str], graph: FkGraph,
                     max_hops: int = PATH_HOPS) -> list[Completion]:
    """The tables between two `anchors` (ranked tables, best first) that are not adjacent,
    on the cheapest join path of at most `max_hops` joins between them; best pairs first
    (by their ranks), each table once. A lower ranked anchor may be one of them: it is on
    the way between two better ones."""
    pairs = sorted(((i, j) for i in range(len(anchors)) for j in range(i + 1, len(anchors))),
                   key=lambda p: (p[0] + p[1], p[0]))
    out: list[Completion] = []
    seen: set[str] = set()
    for i, j in pairs:
        a, b = anchors[i], anchors[j]
        if max_hops == 2:  # the common case, answered from the two neighbourhoods
            x = graph.table_between(a, b)
            found = [(x, [b, x, a])] if x else []
        else:
            path = graph.cheapest_path(b, {a}, max_hops)
            found = ([(t, _walk(path.target, path.edges)) for t in path.via]
                     if path is not None else [])
        for table, tables in found:
            if table not in seen:
                out.append(Completion(table, "on the join path " + " - ".join(tables), (a, b)))
                seen.add(table)
    return out


def _walk(start: str, edges: Sequence[Edge]) -> list[str]:
    # The tables a path goes through, from `start` along `edges`.
    tables = [start]
    for edge in edges:
        tables.append(edge.ref_table if edge.table == tables[-1] else edge.table)
    return tables


def role_tables(anchors: Sequence[str], found: Sequence[Role],
                named: Mapping[tuple[str, tuple[str, ...]], Sequence[str]]) -> list[Completion]:
    """For each anchor (ranked table, best first) with a key column whose role the
    question names (`named`: (table, columns) -> the question's words naming it), the
    table that column references. In anchor order, each table once."""
    by_table: dict[str, list[Role]] = {}
    for role in found:
        by_table.setdefault(role.table, []).append(role)
    out: list[Completion] = []
    seen: set[str] = set()
    for table in anchors:
        for role in by_table.get(table, []):
            words = named.get((role.table, role.columns))
            if words and role.ref_table not in seen:
                out.append(Completion(role.ref_table, f"{role.label} of {table} "
                                      f"({role.column}): " + ", ".join(words), (table,)))
                seen.add(role.ref_table)
    return out
