"""A plan in words (agent/plans/describe.py): dates are said the way a person says them
(month by name, a day with its month), figures are the engine's, and a value mapping
nobody wrote down is named as a guess."""

from __future__ import annotations

from decimal import Decimal

import pytest

from schemachat.agent.plans.describe import describe
from schemachat.agent.plans.plan import Col, Expr, Filter, Having, Item, Join, QueryPlan


def _date(part: str, value: int) -> Filter:
    return Filter(expr=Expr(column=Col(table="NF_CAB", column="DT_EMI"), part=part),
                  op="=", value=value)


def _count(*filters: Filter) -> QueryPlan:
    return QueryPlan(table="NF_CAB", select=[Item(agg="COUNT")], filters=list(filters))


@pytest.mark.parametrize(("lang", "filters", "said"), [
    ("pt", [_date("YEAR", 2024), _date("MONTH", 3)], "DT_EMI em março de 2024"),
    ("en", [_date("YEAR", 2024), _date("MONTH", 9)], "DT_EMI in September 2024"),
    ("pt", [_date("YEAR", 2024), _date("MONTH", 3), _date("DAY", 15)],
     "DT_EMI em 15 de março de 2024"),
    ("en", [_date("YEAR", 2024), _date("MONTH", 3), _date("DAY", 15)],
     "DT_EMI on March 15, 2024"),
    ("en", [_date("YEAR", 2023)], "DT_EMI in 2023"),
    ("pt", [Filter(expr=Expr(column=Col(table="NF_CAB", column="DT_EMI"), part="YEAR"),
                   op="BETWEEN", value=[1980, 1989])], "DT_EMI de 1980 a 1989"),
])
def test_dates_are_said_by_name(lang: str, filters: list[Filter], said: str) -> None:
    text = describe(_count(*filters), lang, rows=[[14]])
    assert said in text
    assert "EXTRACT" not in text  # every date part is folded into the phrase
    assert text.endswith(": 14.")


def test_a_day_without_a_month_is_not_lost() -> None:
    text = describe(_count(_date("YEAR", 2024), _date("DAY", 15)), "en", rows=[[3]])
    assert "DT_EMI in 2024" in text and "EXTRACT(DAY FROM DT_EMI) = 15" in text


def test_the_figure_is_the_engines_in_the_questions_language() -> None:
    plan = QueryPlan(table="NF_CAB", select=[Item(expr=Expr(column=Col(
        table="NF_CAB", column="VL_TOTAL")), agg="SUM")])
    assert describe(plan, "pt", rows=[[Decimal("4161149.27")]]).endswith(": 4.161.149,27.")
    assert describe(plan, "en", rows=[[Decimal("4161149.27")]]).endswith(": 4,161,149.27.")


def test_an_unwritten_mapping_is_named_as_a_guess() -> None:
    plan = _count(Filter(expr=Expr(column=Col(table="NF_CAB", column="SITUACAO")), op="=",
                         value="C", meaning="cancelada", guess=True))
    text = describe(plan, "pt", rows=[[2]])
    assert "Suposição: SITUACAO = 'C' (cancelada)" in text


@pytest.mark.parametrize(("lang", "said"), [("pt", "DT_EMI antes de hoje"),
                                            ("en", "DT_EMI before today")])
def test_today_is_said_as_today(lang: str, said: str) -> None:
    due = Filter(expr=Expr(column=Col(table="NF_CAB", column="DT_EMI")), op="<", today=True)
    assert said in describe(_count(due), lang, rows=[[2]])


def test_a_role_join_and_a_span_are_said_plainly() -> None:
    # the manager's CAD_FUNC is named with its role; BETWEEN reads "10 and 20"
    manager = "CAD_FUNC.FUN_GESTOR"
    plan = QueryPlan(
        table="CAD_FUNC",
        joins=[Join(table="CAD_FUNC", alias=manager, role="FUN_GESTOR", on=[
            (Col(table="CAD_FUNC", column="FUN_GESTOR"), Col(table=manager, column="FUN_MAT"))])],
        select=[Item(expr=Expr(column=Col(table=manager, column="FUN_NOME")))],
        filters=[Filter(expr=Expr(column=Col(table="CAD_FUNC", column="FUN_MAT"), part="DAY"),
                        op="BETWEEN", value=[10, 20])])
    text = describe(plan, "en", rows=[["X"]])
    assert "(joined to CAD_FUNC through FUN_GESTOR)" in text
    assert "EXTRACT(DAY FROM FUN_MAT) BETWEEN 10 and 20" in text


def test_a_percentage_says_its_part_and_whole() -> None:
    blocked = Filter(expr=Expr(column=Col(table="CAD_CLI", column="SITUACAO")), op="=",
                     value="B", meaning="bloqueado")
    rows = QueryPlan(table="CAD_CLI", select=[Item(agg="COUNT", part=blocked)])
    assert describe(rows, "en", rows=[[Decimal("12.50")]]) == (
        "Took the percentage of the rows of CAD_CLI where SITUACAO = 'B' (bloqueado): "
        "12.50 %.")
    assert describe(rows, "pt", rows=[[Decimal("12.50")]]).endswith(
        "em que SITUACAO = 'B' (bloqueado): 12,50 %.")
    icms = Expr(column=Col(table="NF_CAB", column="VL_ICMS"))
    of = QueryPlan(table="NF_CAB", select=[Item(agg="SUM", expr=icms, of=Expr(
        column=Col(table="NF_CAB", column="VL_PROD")))])
    assert describe(of, "en", rows=[[None]]) == \
        "Took VL_ICMS as a percentage of VL_PROD in NF_CAB: —."


def test_a_filter_through_a_role_join_says_whose_column() -> None:
    parent = "TB_GRUPO_PRO.GRP_PAI"
    plan = QueryPlan(table="TB_GRUPO_PRO", joins=[Join(
        table="TB_GRUPO_PRO", alias=parent, on=[(Col(table="TB_GRUPO_PRO", column="GRP_PAI"),
                                                Col(table=parent, column="GRP_COD"))])],
        select=[Item(expr=Expr(column=Col(table="TB_GRUPO_PRO", column="GRP_COD")))],
        filters=[Filter(expr=Expr(column=Col(table=parent, column="GRP_DESCR")), op="=",
                        value="HIDRÁULICA")])
    assert "GRP_DESCR of GRP_PAI = 'HIDRÁULICA'" in describe(plan, "en", rows=[[1]])
    assert "GRP_DESCR do GRP_PAI = 'HIDRÁULICA'" in describe(plan, "pt", rows=[[1]])


@pytest.mark.parametrize(("lang", "said"), [("pt", "DT_EMI em julho (de qualquer ano)"),
                                            ("en", "DT_EMI in July (of any year)")])
def test_a_month_without_its_year_says_any_year(lang: str, said: str) -> None:
    assert said in describe(_count(_date("MONTH", 7)), lang, rows=[[3]])


@pytest.mark.parametrize(("lang", "said"), [
    ("pt", "por CLI_COD, só os grupos com COUNT(*) > 4"),
    ("en", "per CLI_COD, only the groups where COUNT(*) > 4"),
])
def test_a_having_is_said_after_the_groups(lang: str, said: str) -> None:
    key = Expr(column=Col(table="MOV_PED", column="CLI_COD"))
    plan = QueryPlan(table="MOV_PED", select=[Item(expr=key), Item(agg="COUNT")],
                     group_by=[key], having=[Having(item=1, op=">", value=4)])
    assert said in describe(plan, lang, rows=[[7, 5]])


def test_counted_groups_say_so_and_give_the_figure() -> None:
    key = Expr(column=Col(table="MOV_PED", column="CLI_COD"))
    plan = QueryPlan(table="MOV_PED", select=[Item(expr=key), Item(agg="COUNT")],
                     group_by=[key], having=[Having(item=1, op=">", value=5)],
                     count_groups=True)
    text = describe(plan, "en", rows=[[12]])
    assert text.startswith("Counted the groups of rows of MOV_PED") and text.endswith(": 12.")


@pytest.mark.parametrize(("lang", "said"), [("pt", "DT_EMI num domingo ou sábado"),
                                            ("en", "DT_EMI falls on a Sunday or Saturday")])
def test_days_of_the_week_are_said_by_name(lang: str, said: str) -> None:
    weekend = Filter(expr=Expr(column=Col(table="NF_CAB", column="DT_EMI"), part="WEEKDAY"),
                     op="IN", value=[0, 6])
    assert said in describe(_count(weekend), lang, rows=[[3]])
