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
    """The tables between `anchors` (ranked tables, best first) on their join paths: the
    anchors are joined in rank order into one tree, each by its cheapest path of at most
    `max_hops` joins to the ones before it. In the order found; anchors are not listed."""
    have = set(anchors)
    out: list[Completion] = []
    for path in graph.connect(list(anchors), max_hops=max_hops):
        tables = _walk(path.target, path.edges)
        for table in path.via:
            if table not in have:
                out.append(Completion(table, "on the join path " + " - ".join(tables),
                                      (tables[0], tables[-1])))
                have.add(table)
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
