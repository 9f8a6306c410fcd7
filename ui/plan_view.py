"""A query plan (an answer's `plan`, `schemachat.agent.plans.plan.QueryPlan` as JSON)
shown to a person, short: the parts the Chat tab lists under the SQL and the one line a
Slack answer carries. The answer's text already states the plan in words; these show its
pieces (table, joins, filters, group by, order, limit) as the plan names them.

    plan_parts(plan)     [("table", "CAD_CLI"), ("joins", "CAD_CID"), ("filters", ...)]
    plan_markdown(plan)  a small table, and the plan's JSON folded away
    plan_line(plan)      "Plan: CAD_CLI + CAD_CID · CAD_CID.CID_NOME = 'Campinas'"
"""

from __future__ import annotations

import json
from typing import Any

from schemachat.agent.plans.describe import expr_text, item_text, literal, other_text
from schemachat.agent.plans.plan import Filter, QueryPlan


def _plan(plan: dict[str, Any] | None) -> QueryPlan | None:
    if not plan:
        return None
    try:
        return QueryPlan.model_validate(plan)
    except ValueError:
        return None  # written by another version of the plan


def _filter(flt: Filter, joined: bool) -> str:
    left = expr_text(flt.expr, joined)
    if flt.other is not None:
        return f"{left} {flt.op} {other_text(flt, joined)}"
    if flt.today:
        return f"{left} {flt.op} CURRENT_DATE"
    if flt.op in ("IS NULL", "IS NOT NULL"):
        return f"{left} {flt.op}"
    if flt.op == "BETWEEN" and isinstance(flt.value, list) and len(flt.value) == 2:
        right = f"{literal(flt.value[0])} AND {literal(flt.value[1])}"
    else:
        right = literal(flt.value)
    meaning = f" ({flt.meaning}{', a guess' if flt.guess else ''})" if flt.meaning else ""
    return f"{left} {flt.op} {right}{meaning}"


def plan_parts(plan: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(part, text) of each part the plan has, in SQL's order; [] without a plan."""
    parsed = _plan(plan)
    if parsed is None:
        return []
    joined = bool(parsed.joins)
    parts = [("table", parsed.table)]
    if parsed.joins:
        parts.append(("joins", ", ".join(
            j.table + (f" as {j.alias}" if j.alias != j.table else "") for j in parsed.joins)))
    parts.append(("select", ("DISTINCT " if parsed.distinct else "")
                  + ", ".join(item_text(i, joined) for i in parsed.select)))
    if parsed.filters:
        parts.append(("filters", "; ".join(_filter(f, joined) for f in parsed.filters)))
    if parsed.related:
        parts.append(("related", "; ".join(
            ("with " if r.exists else "without ") + r.table for r in parsed.related)))
    if parsed.group_by:
        parts.append(("group by", ", ".join(expr_text(e, joined) for e in parsed.group_by)))
    if parsed.order_by:
        parts.append(("order by", ", ".join(
            item_text(parsed.select[o.item], joined) + (" desc" if o.desc else " asc")
            for o in parsed.order_by if o.item < len(parsed.select))))
    if parsed.limit:
        parts.append(("limit", str(parsed.limit)))
    return parts


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def plan_markdown(plan: dict[str, Any] | None) -> str:
    """The plan's parts as a small Markdown table, then its JSON (the fields it sets)
    folded away; "" when there is no plan."""
    parts = plan_parts(plan)
    parsed = _plan(plan)
    if not parts or parsed is None:
        return ""
    rows = "\n".join(f"| {name} | `{_cell(text)}` |" for name, text in parts)
    # Compact: what the plan sets (the answer's `plan` has every field, defaults too).
    data = json.dumps(parsed.model_dump(mode="json", exclude_defaults=True),
                      ensure_ascii=False, indent=1)
    return (f"**Query plan**\n\n| part | value |\n|---|---|\n{rows}\n\n"
            f"<details><summary>plan JSON</summary>\n\n```json\n{data}\n```\n\n</details>")


def plan_line(plan: dict[str, Any] | None, limit: int = 300) -> str:
    """One short line: the tables, the filters, grouping, order and limit; "" without a
    plan."""
    parts = dict(plan_parts(plan))
    if not parts:
        return ""
    tables = parts["table"] + (f" + {parts['joins']}" if "joins" in parts else "")
    bits = [tables] + [parts[k] if k in ("filters", "related") else f"{k} {parts[k]}"
                       for k in ("filters", "related", "group by", "order by", "limit")
                       if k in parts]
    line = "Plan: " + " · ".join(bits)
    return line if len(line) <= limit else line[: limit - 1] + "…"
