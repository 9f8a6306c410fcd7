"""The join graph of a schema: declared foreign keys plus FK-like columns found by name,
and the shortest join paths that connect a set of tables.

A column is FK-like when it has no declared foreign key and its name means the same
as the single-column primary key of exactly one other table (`CAD_CLI.COD_VEND` and
`CAD_VEND.VEN_COD` are both "vendedor + código"; `EST_MOV.USR_ID` and
`USERS.USER_ID` both "usuário + identificador"). Names of one word (`ID`, `CODIGO`)
are too vague and never match.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import asdict, dataclass, field

from schemachat.agent.retrieval.text import Analyzer, split_identifier
from schemachat.ingest.models.combined import CombinedSchema

DECLARED_COST, INFERRED_COST = 1.0, 1.5
MAX_HOPS = 3  # a hit further than this from the others is not joined to them


@dataclass(frozen=True)
class Edge:
    """table.columns = ref_table.ref_columns; `declared` False for FK-like columns."""

    table: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    declared: bool = True

    @property
    def cost(self) -> float:
        return DECLARED_COST if self.declared else INFERRED_COST

    def condition(self) -> str:
        """The join condition: 'MOV_PED.CLI_COD = CAD_CLI.CLI_COD AND ...'."""
        return " AND ".join(f"{self.table}.{a} = {self.ref_table}.{b}"
                            for a, b in zip(self.columns, self.ref_columns, strict=True))


@dataclass(frozen=True)
class JoinPath:
    """How `target` was joined to the tables already chosen: the tables between, the edges."""

    target: str
    via: tuple[str, ...]
    edges: tuple[Edge, ...]


@dataclass
class FkGraph:
    """Undirected join graph over tables and views."""

    edges: list[Edge]
    _adjacent: dict[str, list[tuple[str, Edge]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for edge in self.edges:
            if edge.table == edge.ref_table:
                continue  # self-references never help to join two tables
            self._adjacent.setdefault(edge.table, []).append((edge.ref_table, edge))
            self._adjacent.setdefault(edge.ref_table, []).append((edge.table, edge))

    @classmethod
    def from_doc(cls, doc: CombinedSchema, analyzer: Analyzer | None = None) -> FkGraph:
        """Declared FKs of `doc`, then its FK-like columns."""
        edges = [Edge(r.name, tuple(fk.columns), fk.ref_table, tuple(fk.ref_columns))
                 for r in doc.relations() for fk in r.foreign_keys]
        return cls(edges + inferred_edges(doc, analyzer or Analyzer()))

    def to_json(self) -> list[dict]:
        """Plain data for storing in the index folder."""
        return [asdict(e) for e in self.edges]

    @classmethod
    def from_json(cls, data: list[dict]) -> FkGraph:
        """The graph `to_json` stored."""
        return cls([Edge(d["table"], tuple(d["columns"]), d["ref_table"], tuple(d["ref_columns"]),
                         d["declared"]) for d in data])

    def neighbours(self, table: str) -> list[tuple[str, Edge]]:
        """(other table, edge) pairs touching `table`."""
        return self._adjacent.get(table, [])

    def connect(self, tables: list[str], max_hops: int = MAX_HOPS) -> list[JoinPath]:
        """Join `tables` in order into one tree (greedy Steiner): each table is linked to
        the tree built so far by its cheapest path of at most `max_hops` edges. Tables
        passed through by a path are in `JoinPath.via`; unreachable tables get no path."""
        tree: set[str] = set()
        paths: list[JoinPath] = []
        for table in tables:
            if tree and table not in tree:
                path = self._cheapest_path(table, tree, max_hops)
                if path is not None:
                    paths.append(path)
                    tree.update(path.via)
            tree.add(table)
        return paths

    def _cheapest_path(self, start: str, goal: set[str], max_hops: int) -> JoinPath | None:
        # Dijkstra from `start`; entering a busy table costs a little more, so paths
        # go through specific tables rather than hubs every table points at.
        queue: list[tuple[float, int, str, tuple[str, ...], tuple[Edge, ...]]] = [
            (0.0, 0, start, (), ())]
        best: dict[str, float] = {start: 0.0}
        while queue:
            cost, hops, node, via, edges = heapq.heappop(queue)
            if node in goal:
                return JoinPath(target=start, via=via[:-1] if via else (), edges=edges)
            if hops == max_hops:
                continue
            for other, edge in self.neighbours(node):
                step = edge.cost + (0 if other in goal else self._hub_cost(other))
                new = cost + step
                if new < best.get(other, math.inf):
                    best[other] = new
                    heapq.heappush(queue, (new, hops + 1, other, (*via, other), (*edges, edge)))
        return None

    def _hub_cost(self, table: str) -> float:
        return 0.25 * math.log2(1 + len(self.neighbours(table)))


def inferred_edges(doc: CombinedSchema, analyzer: Analyzer) -> list[Edge]:
    """FK-like columns: undeclared, named like one other table's single-column key."""
    owners: dict[frozenset[str], list[tuple[str, str]]] = {}
    for rel in doc.relations():
        if rel.kind == "view" or not rel.primary_key or len(rel.primary_key.columns) != 1:
            continue
        key = rel.primary_key.columns[0]
        sig = _signature(key, analyzer)
        if len(sig) >= 2:
            owners.setdefault(sig, []).append((rel.name, key))
    edges = []
    for rel in doc.relations():
        if rel.kind == "view":
            continue
        declared = {c for fk in rel.foreign_keys for c in fk.columns}
        for col in rel.columns:
            if col.name in declared:
                continue
            found = [o for o in owners.get(_signature(col.name, analyzer), []) if o[0] != rel.name]
            if len(found) == 1:
                ref_table, ref_col = found[0]
                edges.append(Edge(rel.name, (col.name,), ref_table, (ref_col,), declared=False))
    return edges


def _signature(column: str, analyzer: Analyzer) -> frozenset[str]:
    return frozenset(analyzer.canonical(p) for p in split_identifier(column))
