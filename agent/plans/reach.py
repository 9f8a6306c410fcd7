"""The tables a base table can see without changing its row count: the ones its foreign
keys (declared or inferred) lead to, up to `MAX_DEPTH` hops, child to parent. Filtering
or grouping on them keeps one row per base row, so counts and sums stay right.

A table reached along two foreign keys (FIN_LANC.CTA_DEB and CTA_CRED both lead to
FIN_PLANO_CTA) is reached twice, under two aliases; so is a table's own self-reference
(CAD_FUNC.FUN_GESTOR -> CAD_FUNC: the manager), under the role's name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from schemachat.agent.plans.plan import Col, Join
from schemachat.ingest.joins import Edge, join_edges
from schemachat.ingest.models.combined import CombinedSchema

MAX_DEPTH = 3


@dataclass(frozen=True)
class Hop:
    """A table as the base reaches it: its alias, the joins that bring it in (in order),
    and the FK column of its last step (what role it plays)."""

    alias: str
    table: str
    joins: tuple[Join, ...]
    fk: tuple[str, ...] = ()

    @property
    def depth(self) -> int:
        """How many joins away from the base."""
        return len(self.joins)


class Reach:
    """Parents of every table, from the document's foreign keys (see the module doc)."""

    def __init__(self, doc: CombinedSchema, learned: dict | None = None, *,
                 edges: list[Edge] | None = None) -> None:
        """From `edges` when the caller has them (the linker's terms found them already),
        else from the document's foreign keys, declared and inferred."""
        self.parents: dict[str, list[Edge]] = defaultdict(list)
        self.children: dict[str, list[Edge]] = defaultdict(list)
        for edge in join_edges(doc, learned) if edges is None else edges:
            self.parents[edge.table].append(edge)
            if edge.table != edge.ref_table:
                self.children[edge.ref_table].append(edge)
        self._cache: dict[str, dict[str, Hop]] = {}
        self._lines: dict[str, dict[str, Hop]] = {}

    def of(self, base: str) -> dict[str, Hop]:
        """alias -> Hop for `base` itself (depth 0) and every table it reaches."""
        found = self._cache.get(base)
        if found is None:
            found = self._walk(base)
            self._cache[base] = found
        return found

    def lines(self, base: str) -> dict[str, Hop]:
        """The parents, through their reference to themselves, of the tables `base`
        reaches in one hop: "os produtos da linha de hidráulica" is the product's group's
        parent group. Apart from `of`: only a question saying so goes that far."""
        found = self._lines.get(base)
        if found is None:
            hops = self.of(base)
            found = {}
            for hop in [h for h in hops.values() if h.depth == 1]:
                for edge in self.parents.get(hop.table, []):
                    alias = f"{hop.alias}.{'.'.join(edge.columns)}"
                    if edge.table == edge.ref_table and alias not in hops:
                        found[alias] = _hop(edge, hop, alias)
            self._lines[base] = found
        return found

    def _walk(self, base: str) -> dict[str, Hop]:
        hops = {base: Hop(base, base, ())}
        frontier = [hops[base]]
        for _ in range(MAX_DEPTH):
            nxt = []
            for hop in frontier:
                for edge in self.parents.get(hop.table, []):
                    alias = _alias(edge, hop, hops)
                    if alias is None:
                        continue
                    new = _hop(edge, hop, alias)
                    hops[alias] = new
                    nxt.append(new)
            frontier = nxt
        return hops


def _hop(edge: Edge, hop: Hop, alias: str) -> Hop:
    """The table `edge` leads to from `hop`, as `alias` (a self-reference's join keeps
    its FK column as the role)."""
    join = Join(table=edge.ref_table, alias=alias,
                on=[(Col(table=hop.alias, column=a), Col(table=alias, column=b))
                    for a, b in zip(edge.columns, edge.ref_columns, strict=True)],
                role=edge.columns[0] if edge.table == edge.ref_table else None)
    return Hop(alias, edge.ref_table, (*hop.joins, join), edge.columns)


def _alias(edge: Edge, hop: Hop, hops: dict[str, Hop]) -> str | None:
    # The table's own name the first time it is reached, the FK column's name after it
    # (a second FK to the same table, a self-reference); None when both are taken.
    if edge.table == edge.ref_table and hop.depth > 0:
        return None  # a self-reference of a joined table: too far to mean anything
    for alias in (edge.ref_table, f"{edge.ref_table}.{'.'.join(edge.columns)}"):
        if alias not in hops:
            return alias
    return None
