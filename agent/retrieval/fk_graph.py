"""The join graph of a schema: declared foreign keys plus FK-like columns (both from
`schemachat.ingest.joins`, the one inference the Analysis tab shows too), and the
shortest join paths that connect a set of tables.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from schemachat.agent.retrieval.text import Analyzer
from schemachat.ingest.joins import Edge, join_edges
from schemachat.ingest.models.combined import CombinedSchema

MAX_HOPS = 3  # a hit further than this from the others is not joined to them

__all__ = ["MAX_HOPS", "Edge", "FkGraph", "JoinPath"]


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
        """Declared FKs of `doc`, then its FK-like columns (abbreviations the analyzer
        learned from annotations help match names)."""
        return cls(join_edges(doc, (analyzer or Analyzer()).learned))

    def to_json(self) -> list[dict]:
        """Plain data for storing in the index folder."""
        return [{"table": e.table, "columns": list(e.columns), "ref_table": e.ref_table,
                 "ref_columns": list(e.ref_columns), "declared": e.declared}
                for e in self.edges]

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
                path = self.cheapest_path(table, tree, max_hops)
                if path is not None:
                    paths.append(path)
                    tree.update(path.via)
            tree.add(table)
        return paths

    def cheapest_path(self, start: str, goal: set[str], max_hops: int = MAX_HOPS
                      ) -> JoinPath | None:
        """The cheapest path of at most `max_hops` joins from `start` to any table of
        `goal` (None when there is none). Dijkstra; entering a busy table costs a little
        more, so paths go through specific tables rather than hubs every table points at."""
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

    def table_between(self, a: str, b: str) -> str | None:
        """The table of the cheapest two-join path between `a` and `b` (what
        `cheapest_path(b, {a}, 2)` goes through), None when they are adjacent or have no
        table in common; read from the two neighbourhoods, no search."""
        near_a = self._nearest(a)
        if b in near_a:
            return None
        near_b = self._nearest(b)
        best = min(((near_a[x] + near_b[x] + self._hub_cost(x), x)
                    for x in near_a.keys() & near_b.keys() if x not in (a, b)), default=None)
        return best[1] if best else None

    def _nearest(self, table: str) -> dict[str, float]:
        # Neighbour -> the cheapest edge to it.
        out: dict[str, float] = {}
        for other, edge in self.neighbours(table):
            out[other] = min(out.get(other, math.inf), edge.cost)
        return out

    def _hub_cost(self, table: str) -> float:
        return 0.25 * math.log2(1 + len(self.neighbours(table)))
