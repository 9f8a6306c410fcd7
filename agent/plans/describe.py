"""A plan in words, in the question's language, with the engine's figure when there is one.

    describe(plan, "pt", value=3512)
    # "Contei as linhas de CAD_CLI com SITUACAO = 'A' (ativo): 3.512."

Every name is written exactly as the schema spells it (CLI_LIMCRED, never "LIMCRED"),
every figure is the one the engine returned, and a value mapping that nobody wrote
down is named as a guess.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

from schemachat.agent.plans.plan import Col, Expr, Filter, Item, QueryPlan


@cache
def wording() -> dict[str, dict[str, Any]]:
    """The phrases of each language (wording.yaml)."""
    text = resources.files(__package__).joinpath("wording.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def describe(plan: QueryPlan, lang: str, *, rows: list[list[Any]] | None = None,
             run: bool = True) -> str:
    """The plan in words; with the result's `rows`, its figure or row count."""
    w = wording()["pt" if lang == "pt" else "en"]
    # a table joined again under a role says which: "CAD_FUNC through FUN_GESTOR"
    joined = dict.fromkeys(j.table if j.alias == j.table else
                           w["through"].format(t=j.table, c=j.alias.split(".", 1)[-1])
                           for j in plan.joins)
    table = plan.table + (w["joined"].format(j=", ".join(joined)) if plan.joins else "")
    text = _head(plan, w, table)
    conditions = _conditions(plan.filters, w) + [
        w["none"].format(t=r.table) for r in plan.related if not r.exists]
    if conditions:
        text += w["where"] + w["and"].join(conditions)
    if plan.group_by and plan.limit is None:
        text += w["by"].format(g=", ".join(expr_text(g) for g in plan.group_by))
    for having in plan.having:
        text += w["having"].format(c=item_text(plan.select[having.item]), op=having.op,
                                   v=literal(having.value))
    if rows is not None and run:
        text += ": " + _result(plan, rows, lang, w)
    text += "."
    guesses = [f"{f.expr.column.column} = {literal(f.value)} ({f.meaning})"
               for f in plan.filters if f.guess and f.meaning]
    if guesses:
        text += " " + w["guess"].format(g="; ".join(guesses))
    return text


def _head(plan: QueryPlan, w: dict[str, Any], table: str) -> str:
    if plan.count_groups:
        return w["groups"].format(t=table)
    aggregates = [i for i in plan.select if i.agg]
    if plan.limit and plan.order_by:
        order = plan.order_by[0]
        item = plan.select[order.item]
        return w["top"].format(t=table, c=item_text(item), d=w["desc" if order.desc else "asc"],
                               n=plan.limit)
    if aggregates:
        item = aggregates[0]
        if item.share():
            return _share(item, w, table)
        if item.agg == "COUNT":
            if item.expr is not None and item.distinct:
                return w["distinct"].format(c=expr_text(item.expr), t=table)
            return w["count"].format(t=table)
        return w[item.agg].format(c=expr_text(item.expr) if item.expr else "*", t=table)
    listed = ", ".join(item_text(i) for i in plan.select)
    return w["list"].format(c=listed, t=table) + (w["distinct_rows"] if plan.distinct else "")


def _share(item: Item, w: dict[str, Any], table: str) -> str:
    if item.of is not None and item.expr is not None:
        return w["share_of"].format(c=expr_text(item.expr), o=expr_text(item.of), t=table)
    part = _conditions([item.part], w)[0] if item.part is not None else ""
    key = "share_rows" if item.expr is None else "share_sum"
    return w[key].format(c=expr_text(item.expr) if item.expr else "", p=part, t=table)


def _conditions(filters: list[Filter], w: dict[str, Any]) -> list[str]:
    out, years, months = [], set(), set()
    for f in filters:
        if f.op == "=" and f.expr.part == "YEAR":
            years.add(f.expr.column)
        if f.op == "=" and f.expr.part == "MONTH":
            months.add(f.expr.column)
    for f in filters:
        col = f.expr.column.column
        if f.expr.part == "YEAR" and f.op == "=":
            same = {g.expr.part: g.value for g in filters if g.op == "=" and
                    g.expr.column == f.expr.column and g.expr.part in ("MONTH", "DAY")}
            if "MONTH" in same:
                month = w["months"][int(same["MONTH"]) - 1]
                key = "day" if "DAY" in same else "month"
                out.append(w[key].format(c=col, m=month, y=f.value, d=same.get("DAY")))
            else:
                out.append(w["year"].format(c=col, v=f.value))
        elif f.expr.column in years and f.op == "=" and (
                f.expr.part == "MONTH" or (f.expr.part == "DAY" and f.expr.column in months)):
            continue  # said with its year
        elif f.expr.part == "WEEKDAY" and f.op in ("=", "IN"):
            days = f.value if isinstance(f.value, list) else [f.value]
            out.append(w["weekday"].format(c=col, d=w["or"].join(
                w["weekdays"][int(v)] for v in days)))
        elif f.expr.part == "MONTH" and f.op == "=" and isinstance(f.value, int):
            out.append(w["any_year"].format(c=col, m=w["months"][f.value - 1]))
        elif f.op == "IS NULL":
            out.append(w["null"].format(c=expr_text(f.expr)))
        elif f.op == "IS NOT NULL":
            out.append(w["not null"].format(c=expr_text(f.expr)))
        elif f.op == "CONTAINING":
            out.append(w["contains"].format(c=expr_text(f.expr), v=f.value))
        elif f.other is not None:
            out.append(f"{expr_text(f.expr)} {f.op} {other_text(f)}")
        elif f.average:
            out.append(w["average"].format(c=expr_text(f.expr), op=f.op))
        elif f.today:
            out.append(w["before today" if f.op in ("<", "<=") else "today"].format(
                c=expr_text(f.expr), op=f.op))
        elif f.op == "BETWEEN" and f.expr.part == "YEAR" and isinstance(f.value, list):
            out.append(w["years"].format(c=col, a=f.value[0], b=f.value[-1]))
        elif f.op == "BETWEEN" and isinstance(f.value, list) and len(f.value) == 2:
            out.append(f"{expr_text(f.expr)} BETWEEN {literal(f.value[0])} "
                       f"{w['between']} {literal(f.value[1])}")
        else:
            meaning = f" ({f.meaning})" if f.meaning else ""
            said = expr_text(f.expr)
            if "." in f.expr.column.table:  # a role join: whose column ("of GRP_PAI")
                said = w["of_role"].format(c=said, r=f.expr.column.table.split(".", 1)[1])
            out.append(f"{said} {f.op} {literal(f.value)}{meaning}")
    return out


def _result(plan: QueryPlan, rows: list[list[Any]], lang: str, w: dict[str, Any]) -> str:
    if len(rows) == 1 and len(rows[0]) == 1 and (not plan.group_by or plan.count_groups):
        percent = " %" if plan.select[0].share() and rows[0][0] is not None else ""
        return number(rows[0][0], lang) + percent
    return w["rows"].format(k=number(len(rows), lang), s="" if len(rows) == 1 else "s")


def number(value: Any, lang: str) -> str:
    """A figure as the question's language writes it: 3.512,5 (pt) or 3,512.5 (en)."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        if isinstance(value, dt.date | dt.datetime):
            return value.isoformat()
        return str(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    text = f"{value:,}" if isinstance(value, int) else f"{float(value):,.2f}"
    if lang == "pt":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def item_text(item: Item, qualified: bool = False) -> str:
    """A select item as SQL writes it: COUNT(*), SUM(VL_TOTAL), COUNT(DISTINCT CLI_COD);
    a percentage as `% COUNT(*) WHERE SITUACAO = 'B'`, `% SUM(DESCONTOS) OF SUM(SAL_BRUTO)`."""
    if item.share():
        plain = item_text(item.model_copy(update={"part": None, "of": None}), qualified)
        if item.of is not None:
            return f"% {plain} OF SUM({expr_text(item.of, qualified)})"
        assert item.part is not None
        flt = item.part
        cond = f"{expr_text(flt.expr, qualified)} {flt.op}"
        if flt.op not in ("IS NULL", "IS NOT NULL"):
            cond += f" {other_text(flt, qualified) or literal(flt.value)}"
        return f"% {plain} WHERE {cond}"
    if item.expr is None:
        return "COUNT(*)"
    inner = expr_text(item.expr, qualified)
    if item.agg is None:
        return inner
    return f"{item.agg}({'DISTINCT ' if item.distinct else ''}{inner})"


def other_text(flt: Filter, qualified: bool = False) -> str:
    """The column a filter compares with, and its factor: "VL_PROD * 0.1"."""
    text = expr_text(flt.other, qualified) if flt.other is not None else ""
    if flt.factor is not None:
        text += f" * {flt.factor:g}"
    return text


def expr_text(expr: Expr, qualified: bool = False) -> str:
    """An expression as SQL writes it; `qualified` puts each column's table (or alias)
    before it, for plans that join."""
    def col(c: Col) -> str:
        return f"{c.table}.{c.column}" if qualified else c.column

    text = col(expr.column)
    if expr.part == "DATE":
        return f"CAST({text} AS DATE)"
    if expr.part:
        return f"EXTRACT({expr.part} FROM {text})"
    if expr.op and expr.right:
        return f"{text} {expr.op} {col(expr.right)}"
    return text


def literal(value: Any) -> str:
    """A filter value as SQL shows it: 'A', 20000, (1, 2)."""
    if isinstance(value, list):
        return "(" + ", ".join(literal(v) for v in value) + ")"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)
