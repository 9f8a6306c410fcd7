"""A query plan shown short (ui/plan_view.py): its parts for the Chat tab, the Markdown
with the JSON folded away, the one line of a Slack answer; nothing without a plan."""

from __future__ import annotations

import json

from schemachat.agent.plans.plan import (
    Col,
    Expr,
    Filter,
    Item,
    Join,
    Order,
    QueryPlan,
    Related,
)
from schemachat.ui.plan_view import plan_line, plan_markdown, plan_parts


def c(table: str, column: str) -> Expr:
    return Expr(column=Col(table=table, column=column))


FULL = QueryPlan(
    table="CAD_CLI",
    joins=[Join(table="CAD_CID", alias="CAD_CID",
                on=[(Col(table="CAD_CLI", column="CID_COD"),
                     Col(table="CAD_CID", column="CID_COD"))])],
    select=[Item(expr=c("CAD_CID", "UF_SIGLA")), Item(agg="SUM", expr=c("CAD_CLI", "CLI_LIMCRED"))],
    filters=[Filter(expr=c("CAD_CLI", "SITUACAO"), op="=", value="A", meaning="ativo"),
             Filter(expr=c("CAD_CLI", "CLI_DTCAD"), op="BETWEEN",
                    value=["2024-01-01", "2024-06-30"]),
             Filter(expr=c("CAD_CLI", "TP_PES"), op="IN", value=["F", "J"], meaning="pessoa",
                    guess=True),
             Filter(expr=c("CAD_CLI", "CLI_EMAIL"), op="IS NULL"),
             Filter(expr=Expr(column=Col(table="CAD_CLI", column="CLI_DTCAD"), part="YEAR"),
                    op=">=", value=2020.0)],
    related=[Related(table="MOV_PED", on=[("CLI_COD", "CLI_COD")])],
    group_by=[c("CAD_CID", "UF_SIGLA")], order_by=[Order(item=1)], limit=5,
).model_dump(mode="json")


def test_parts_in_sql_order() -> None:
    assert plan_parts(FULL) == [
        ("table", "CAD_CLI"),
        ("joins", "CAD_CID"),
        ("select", "CAD_CID.UF_SIGLA, SUM(CAD_CLI.CLI_LIMCRED)"),
        ("filters", "CAD_CLI.SITUACAO = 'A' (ativo); CAD_CLI.CLI_DTCAD BETWEEN '2024-01-01' "
                    "AND '2024-06-30'; CAD_CLI.TP_PES IN ('F', 'J') (pessoa, a guess); "
                    "CAD_CLI.CLI_EMAIL IS NULL; EXTRACT(YEAR FROM CAD_CLI.CLI_DTCAD) >= 2020"),
        ("related", "without MOV_PED"),
        ("group by", "CAD_CID.UF_SIGLA"),
        ("order by", "SUM(CAD_CLI.CLI_LIMCRED) desc"),
        ("limit", "5"),
    ]


def test_one_table_plan_names_bare_columns() -> None:
    plan = QueryPlan(table="CAD_FUNC", select=[Item(agg="COUNT", distinct=True,
                                                    expr=c("CAD_FUNC", "DEP_COD"))],
                     filters=[Filter(expr=c("CAD_FUNC", "SALARIO"), op=">",
                                     other=c("CAD_FUNC", "FUN_GESTOR"))], distinct=True)
    assert plan_parts(plan.model_dump()) == [
        ("table", "CAD_FUNC"), ("select", "DISTINCT COUNT(DISTINCT DEP_COD)"),
        ("filters", "SALARIO > FUN_GESTOR")]


def test_markdown_table_and_folded_json() -> None:
    text = plan_markdown(FULL)
    assert text.startswith("**Query plan**") and "| table | `CAD_CLI` |" in text
    assert "| limit | `5` |" in text
    folded = text[text.index("<details>"):]
    assert folded.endswith("</details>")
    shown = json.loads(folded[folded.index("```json") + 7:folded.rindex("```")])
    assert QueryPlan.model_validate(shown) == QueryPlan.model_validate(FULL)
    assert "version" not in shown and "guess" in json.dumps(shown)  # only what is set


def test_line_is_short_and_names_tables_and_filters() -> None:
    line = plan_line(FULL)
    assert line.startswith("Plan: CAD_CLI + CAD_CID · CAD_CLI.SITUACAO = 'A' (ativo)")
    assert "without MOV_PED · group by CAD_CID.UF_SIGLA" in line and len(line) <= 300
    assert len(plan_line(FULL, limit=80)) == 80


def test_nothing_without_a_plan() -> None:
    for plan in (None, {}, {"table": "X"}):  # no plan, or one of another shape
        assert plan_parts(plan) == [] and plan_markdown(plan) == "" and plan_line(plan) == ""
