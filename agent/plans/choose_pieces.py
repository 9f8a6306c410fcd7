"""The pieces of the linker's plans for one base table, named by short labels, and a plan
put back together from a choice of labels.

    pieces = Pieces.of(plans)             # the ranked plans that share one base table
    pieces.select   # {"COUNT(*)": Item(...), "SUM(MOV_PED.VL_TOTAL)": Item(...), ...}
    pieces.filters  # {"CAD_CLI.SITUACAO = 'A' (ativo)": Filter(...), ...}
    plan = pieces.assemble({"select": [...], "filters": [...], "group_by": [...],
                            "order_by": None, "limit": 5})

Every label stands for a piece the linker built (a column it linked, a value it found,
an operator the question said), so a plan assembled from labels names nothing the
linker did not find; the joins it needs are the linker's own, for the aliases its
pieces use. The labels read like SQL (`EXTRACT(YEAR FROM MOV_PED.DT_EMISSAO) = 2024`),
which is what a small model has seen most of.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from schemachat.agent.plans.plan import Expr, Filter, Item, Join, Order, QueryPlan, Related

MAX_SELECT = 3  # select items a filled plan may have
MAX_FILTERS = 4
MAX_GROUPS = 2


def expr_label(expr: Expr) -> str:
    """`ALIAS.COLUMN`, `EXTRACT(YEAR FROM ALIAS.COLUMN)`, `A.X - A.Y`."""
    text = f"{expr.column.table}.{expr.column.column}"
    if expr.part is not None:
        text = f"EXTRACT({expr.part} FROM {text})"
    if expr.op is not None and expr.right is not None:
        text = f"{text} {expr.op} {expr.right.table}.{expr.right.column}"
    return text


def item_label(item: Item) -> str:
    """`COUNT(*)`, `SUM(ALIAS.COLUMN)`, `COUNT(DISTINCT ALIAS.COLUMN)`, `ALIAS.COLUMN`;
    a percentage: `% COUNT(*) WHERE <filter>`, `% SUM(A.X) OF SUM(A.Y)`."""
    if item.part is not None:
        return f"% {item_label(item.model_copy(update={'part': None}))} WHERE " \
            f"{filter_label(item.part)}"
    if item.of is not None:
        return f"% {item_label(item.model_copy(update={'of': None}))} OF " \
            f"SUM({expr_label(item.of)})"
    if item.expr is None:
        return f"{item.agg or 'COUNT'}(*)"
    inner = ("DISTINCT " if item.distinct else "") + expr_label(item.expr)
    return f"{item.agg}({inner})" if item.agg else inner


def value_label(value: Any) -> str:
    """A value as SQL writes it: text quoted, numbers bare, lists in parentheses."""
    if isinstance(value, list):
        return "(" + ", ".join(value_label(v) for v in value) + ")"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def filter_label(flt: Filter) -> str:
    """`ALIAS.COLUMN op value`, with the value's meaning when it is a mapped code."""
    left = expr_label(flt.expr)
    if flt.op in ("IS NULL", "IS NOT NULL"):
        return f"{left} {flt.op}"
    if flt.other is not None:
        right = expr_label(flt.other) + (f" * {flt.factor:g}" if flt.factor else "")
    elif flt.average:
        right = f"AVG({left})"
    elif flt.today:
        right = "CURRENT_DATE"
    elif flt.op == "BETWEEN" and isinstance(flt.value, list) and len(flt.value) == 2:
        right = f"{value_label(flt.value[0])} AND {value_label(flt.value[1])}"
    else:
        right = value_label(flt.value)
    text = f"{left} {flt.op} {right}"
    return text + (f" ({flt.meaning})" if flt.meaning else "")


def related_label(rel: Related) -> str:
    """`NOT EXISTS TABLE` (base rows no row of TABLE refers to) or `EXISTS TABLE`."""
    return ("EXISTS " if rel.exists else "NOT EXISTS ") + rel.table


def order_label(item: Item, desc: bool) -> str:
    """The select item a plan orders by, and the direction."""
    return f"{item_label(item)} {'DESC' if desc else 'ASC'}"


@dataclass
class Pieces:
    """The labelled pieces of plans over one base table (see the module docstring)."""

    table: str
    select: dict[str, Item] = field(default_factory=dict)
    filters: dict[str, Filter] = field(default_factory=dict)
    group_by: dict[str, Expr] = field(default_factory=dict)
    order_by: dict[str, tuple[Item, bool]] = field(default_factory=dict)
    related: dict[str, Related] = field(default_factory=dict)
    limits: list[int] = field(default_factory=list)
    joins: dict[str, Join] = field(default_factory=dict)  # alias -> the join bringing it

    @classmethod
    def of(cls, plans: Sequence[QueryPlan]) -> Pieces:
        """The pieces of `plans` (all over the same base table, the first's), first seen
        first: the best plan's pieces lead every list."""
        pieces = cls(table=plans[0].table)
        for plan in plans:
            if plan.table != pieces.table:
                continue
            for item in plan.select:
                pieces.select.setdefault(item_label(item), item)
            for flt in plan.filters:
                pieces.filters.setdefault(filter_label(flt), flt)
            for expr in plan.group_by:
                pieces.group_by.setdefault(expr_label(expr), expr)
            for order in plan.order_by:
                if order.item < len(plan.select):
                    item = plan.select[order.item]
                    pieces.order_by.setdefault(order_label(item, order.desc),
                                               (item, order.desc))
            for rel in plan.related:
                pieces.related.setdefault(related_label(rel), rel)
            if plan.limit is not None and plan.limit not in pieces.limits:
                pieces.limits.append(plan.limit)
            for join in plan.joins:
                pieces.joins.setdefault(join.alias, join)
        return pieces

    def labels(self, plan: QueryPlan) -> dict[str, Any]:
        """`plan` (over this base) as the labels `assemble` takes back."""
        order = None
        if plan.order_by and plan.order_by[0].item < len(plan.select):
            order = order_label(plan.select[plan.order_by[0].item], plan.order_by[0].desc)
        return {"table": plan.table,
                "select": [item_label(i) for i in plan.select],
                "filters": [filter_label(f) for f in plan.filters],
                "group_by": [expr_label(g) for g in plan.group_by],
                "related": [related_label(r) for r in plan.related],
                "order_by": order, "limit": plan.limit}

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of a plan made of these pieces: every name an enum of labels."""
        def array(labels: list[str], most: int, least: int = 0) -> dict[str, Any]:
            if not labels:
                return {"type": "array", "maxItems": 0}
            return {"type": "array", "items": {"enum": labels}, "minItems": least,
                    "maxItems": min(most, len(labels))}

        props: dict[str, Any] = {
            "table": {"enum": [self.table]},
            "select": array(list(self.select), MAX_SELECT, least=1),
            "filters": array(list(self.filters), MAX_FILTERS),
            "group_by": array(list(self.group_by), MAX_GROUPS),
            "related": array(list(self.related), 1),
            "order_by": {"enum": [None, *self.order_by]},
            "limit": {"enum": [None, *self.limits]},
        }
        return {"type": "object", "properties": props, "required": list(props),
                "additionalProperties": False}

    def identifiers(self) -> set[str]:
        """Every table, alias and `ALIAS.COLUMN` the pieces name (what a test checks an
        assembled plan against)."""
        names = {self.table, *self.joins}
        for join in self.joins.values():
            names.add(join.table)
        cols = []
        for item in self.select.values():
            cols += _expr_cols(item.expr) + _expr_cols(item.of)
            if item.part is not None:
                cols += _expr_cols(item.part.expr)
        for flt in self.filters.values():
            cols += _expr_cols(flt.expr) + _expr_cols(flt.other)
        for expr in self.group_by.values():
            cols += _expr_cols(expr)
        return names | set(cols)

    def assemble(self, chosen: dict[str, Any]) -> QueryPlan | None:
        """The plan made of the labels in `chosen` (as `schema` admits them); None when a
        label is not one of these pieces or the parts do not make a plan."""
        try:
            select = [self.select[label] for label in dict.fromkeys(chosen["select"])]
            filters = [self.filters[label] for label in dict.fromkeys(chosen["filters"])]
            groups = [self.group_by[label] for label in dict.fromkeys(chosen["group_by"])]
            related = [self.related[label] for label in
                       dict.fromkeys(chosen.get("related") or [])]
            orders = []
            if chosen.get("order_by") is not None:
                item, desc = self.order_by[chosen["order_by"]]
                if item not in select:  # what the top N is measured by comes back too
                    select.append(item)
                orders.append(Order(item=select.index(item), desc=desc))
            limit = chosen.get("limit")
            if limit is not None and limit not in self.limits:
                return None
            exprs = [e for i in select for e in (i.expr, i.of, i.part and i.part.expr) if e] + \
                [f.expr for f in filters] + \
                [f.other for f in filters if f.other] + groups
            return QueryPlan(table=self.table, joins=self._joins(exprs), select=select,
                             filters=filters, related=related, group_by=groups,
                             order_by=orders, limit=limit)
        except (KeyError, TypeError, ValueError):
            return None

    def _joins(self, exprs: list[Expr]) -> list[Join]:
        """The joins bringing in every alias `exprs` use, and the ones those start from,
        in the order the linker wrote them."""
        needed: set[str] = set()
        todo = [a for e in exprs for a in (e.column.table, e.right.table if e.right else None)
                if a and a != self.table]
        while todo:
            alias = todo.pop()
            if alias in needed or alias not in self.joins:
                continue
            needed.add(alias)
            todo += [left.table for left, _ in self.joins[alias].on if left.table != self.table]
        return [join for alias, join in self.joins.items() if alias in needed]


def _expr_cols(expr: Expr | None) -> list[str]:
    if expr is None:
        return []
    cols = [f"{expr.column.table}.{expr.column.column}"]
    if expr.right is not None:
        cols.append(f"{expr.right.table}.{expr.right.column}")
    return cols
