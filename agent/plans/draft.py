"""A query plan being filled for one base table, and what a column lookup finds."""

from __future__ import annotations

from dataclasses import dataclass, field

from schemachat.agent.plans.plan import (
    Col,
    Expr,
    Filter,
    Having,
    Item,
    Join,
    Order,
    QueryPlan,
    Related,
)
from schemachat.agent.plans.reach import Hop
from schemachat.ingest.models.combined import CombinedColumn

Found = tuple[str, CombinedColumn, set[int], float]  # alias, column, words, score


@dataclass
class Draft:
    """A plan being filled for one base table (the linker fills one per base)."""

    base: str
    reach: dict[str, Hop]
    subject: list[int] = field(default_factory=list)
    table_words: set[int] = field(default_factory=set)  # words the base table's terms match
    subject_score: float = 0.0  # how well the base's terms match the subject
    joins: list[Join] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    related: list[Related] = field(default_factory=list)
    select: list[Item] = field(default_factory=list)
    group_by: list[Expr] = field(default_factory=list)
    having: list[Having] = field(default_factory=list)
    # "mais de 3 pedidos": (the subject's key the rows are counted by, op, number)
    counts: list[tuple[Col, str, float]] = field(default_factory=list)
    each: list[Expr] = field(default_factory=list)  # "quantos A e quantos B": by this
    count_groups: bool = False  # "quantos clientes fizeram mais de 10 pedidos"
    order_by: list[Order] = field(default_factory=list)
    limit: int | None = None
    distinct: bool = False
    score: float = 0.0
    explained: set[int] = field(default_factory=set)
    claimed: set[int] = field(default_factory=set)  # words a filter, date or group took
    guesses: list[str] = field(default_factory=list)
    said_at: dict[int, int] = field(default_factory=dict)  # value filter -> its first word
    sold: set[int] = field(default_factory=set)  # the sales words the base was credited for
    pinned: bool = False  # a number names the base's row ("título 7777")
    beside: set[int] = field(default_factory=set)  # a compared column's next word ("pay")

    def claim(self, words: set[int] | range) -> None:
        """Words now explained by a part of the plan (not free for a measure)."""
        self.explained.update(words)
        self.claimed.update(words)

    def pop_filter(self, at: int) -> Filter:
        """Take filter `at` out, keeping `said_at` in step."""
        self.said_at = {i - (i > at): w for i, w in self.said_at.items() if i != at}
        return self.filters.pop(at)

    def use(self, alias: str) -> None:
        """Bring `alias` (and the joins before it) into the plan."""
        for join in self.reach[alias].joins:
            if join not in self.joins:
                self.joins.append(join)

    def plan(self) -> QueryPlan:
        # "não estão ... nenhum": said twice, kept once (values may be lists: by their JSON)
        filters = list({f.model_dump_json(): f for f in self.filters}.values())
        return QueryPlan(table=self.base, joins=self.joins, select=self.select,
                         filters=filters, related=self.related, group_by=self.group_by,
                         having=self.having, count_groups=self.count_groups,
                         order_by=self.order_by, limit=self.limit, distinct=self.distinct)
