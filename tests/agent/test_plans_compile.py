"""The query-plan compiler (agent/plans/compile.py) on the real demo ERP: one case per
construct, each plan compiled AND run on the embedded engine, its rows compared with
those of a statement written by hand; odd and reserved names quoted (on a small database
of such names); refused plans (unknown table or column, a date compared with text, SUM
of text) raise PlanError naming the culprit before any SQL exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from firebird.driver import Connection

from schemachat.agent.answer import json_rows
from schemachat.agent.plans.compile import PlanError, check_plan, compile_plan
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
from schemachat.agent.plans.reach import Reach
from schemachat.agent.sql.guard import run_read_only
from schemachat.configs import BadInput, Settings, load_settings
from schemachat.ingest import pipeline
from schemachat.ingest.firebird import create_database, opened
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.workspace import Workspace, read_model


def col(table: str, column: str) -> Expr:
    return Expr(column=Col(table=table, column=column))


def count(table: str, *filters: Filter, **more: Any) -> QueryPlan:
    """SELECT COUNT(*) FROM table WHERE filters."""
    return QueryPlan(table=table, select=[Item(agg="COUNT")], filters=list(filters), **more)


def where(table: str, column: str, op: str, value: Any = None, **more: Any) -> Filter:
    return Filter(expr=col(table, column), op=op, value=value, **more)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def doc(demo_workspace: Path) -> CombinedSchema:
    return read_model(Workspace(demo_workspace).combined, CombinedSchema)


@pytest.fixture(scope="module")
def settings(demo_db: Path) -> Settings:
    return load_settings(fb_database=str(demo_db), row_cap=100_000)


@pytest.fixture(scope="module")
def con(settings: Settings) -> Iterator[Connection]:
    with opened(settings) as connection:
        yield connection


def rows(con: Connection, sql: str, settings: Settings) -> list[list[Any]]:
    """The statement's rows through the guard (read-only), as JSON values."""
    result = run_read_only(con, sql, settings)
    assert not result.truncated, sql
    return json_rows(result.rows)


def _sorted(got: list[list[Any]]) -> list[list[Any]]:
    return sorted(got, key=lambda row: [(v is None, str(v)) for v in row])


GESTOR = Join(table="CAD_FUNC", alias="gestor", role="FUN_GESTOR",
              on=[(Col(table="CAD_FUNC", column="FUN_GESTOR"),
                   Col(table="gestor", column="FUN_MAT"))])
CIDADE = Join(table="CAD_CID", alias="CAD_CID",
              on=[(Col(table="CAD_CLI", column="CID_COD"), Col(table="CAD_CID", column="CID_COD"))])

# (plan, hand-written SQL, whether row order counts)
CASES: dict[str, tuple[QueryPlan, str, bool]] = {
    "count(*)": (count("CAD_CLI"), "SELECT COUNT(*) FROM CAD_CLI", False),
    "count distinct": (
        QueryPlan(table="CAD_CLI", select=[Item(agg="COUNT", distinct=True,
                                                expr=col("CAD_CLI", "CID_COD"))]),
        "SELECT COUNT(DISTINCT CID_COD) FROM CAD_CLI", False),
    "sum": (QueryPlan(table="MOV_PED", select=[Item(agg="SUM", expr=col("MOV_PED", "VL_TOTAL"))]),
            "SELECT SUM(VL_TOTAL) FROM MOV_PED", False),
    "avg": (QueryPlan(table="MOV_PED", select=[Item(agg="AVG", expr=col("MOV_PED", "VL_TOTAL"))]),
            "SELECT AVG(VL_TOTAL) FROM MOV_PED", False),
    "min": (QueryPlan(table="CAD_CLI", select=[Item(agg="MIN", expr=col("CAD_CLI", "CLI_DTCAD"))]),
            "SELECT MIN(CLI_DTCAD) FROM CAD_CLI", False),
    "max": (QueryPlan(table="CAD_PRO", select=[Item(agg="MAX", expr=col("CAD_PRO", "PRO_PRECO"))]),
            "SELECT MAX(PRO_PRECO) FROM CAD_PRO", False),
    "a - b": (
        QueryPlan(table="CAR_TIT", select=[Item(agg="SUM", expr=Expr(
            column=Col(table="CAR_TIT", column="VL_TIT"), op="-",
            right=Col(table="CAR_TIT", column="VL_PAGO")))]),
        "SELECT SUM(VL_TIT - VL_PAGO) FROM CAR_TIT", False),
    "a * b": (
        QueryPlan(table="NF_ITEM", select=[Item(agg="SUM", expr=Expr(
            column=Col(table="NF_ITEM", column="QTDE"), op="*",
            right=Col(table="NF_ITEM", column="VL_UNIT")))]),
        "SELECT SUM(QTDE * VL_UNIT) FROM NF_ITEM", False),
    "date - date": (
        QueryPlan(table="CAR_TIT", select=[Item(agg="MAX", expr=Expr(
            column=Col(table="CAR_TIT", column="DT_PGTO"), op="-",
            right=Col(table="CAR_TIT", column="DT_VENC")))]),
        "SELECT MAX(DT_PGTO - DT_VENC) FROM CAR_TIT", False),
    "=": (count("CAD_CLI", where("CAD_CLI", "SITUACAO", "=", "A", meaning="ativo")),
          "SELECT COUNT(*) FROM CAD_CLI WHERE SITUACAO = 'A'", False),
    "<>": (count("CAD_CLI", where("CAD_CLI", "SITUACAO", "<>", "A")),
           "SELECT COUNT(*) FROM CAD_CLI WHERE SITUACAO <> 'A'", False),
    "<": (count("CAD_CLI", where("CAD_CLI", "CLI_LIMCRED", "<", 5000)),
          "SELECT COUNT(*) FROM CAD_CLI WHERE CLI_LIMCRED < 5000", False),
    ">=": (count("CAD_CLI", where("CAD_CLI", "CLI_LIMCRED", ">=", 20000.5)),
           "SELECT COUNT(*) FROM CAD_CLI WHERE CLI_LIMCRED >= 20000.5", False),
    "IN": (count("MOV_PED", where("MOV_PED", "STATUS", "IN", [2, 3])),
           "SELECT COUNT(*) FROM MOV_PED WHERE STATUS IN (2, 3)", False),
    "NOT IN": (count("MOV_PED", where("MOV_PED", "STATUS", "NOT IN", [9, 0])),
               "SELECT COUNT(*) FROM MOV_PED WHERE STATUS NOT IN (9, 0)", False),
    "LIKE": (count("CAD_CLI", where("CAD_CLI", "CLI_NOMRAZ", "LIKE", "A%")),
             "SELECT COUNT(*) FROM CAD_CLI WHERE CLI_NOMRAZ LIKE 'A%'", False),
    "CONTAINING": (count("CAD_CLI", where("CAD_CLI", "CLI_NOMRAZ", "CONTAINING", "silva")),
                   "SELECT COUNT(*) FROM CAD_CLI WHERE CLI_NOMRAZ CONTAINING 'silva'", False),
    "quote in a value": (count("CAD_CLI", where("CAD_CLI", "CLI_NOMRAZ", "=", "D'Ávila")),
                         "SELECT COUNT(*) FROM CAD_CLI WHERE CLI_NOMRAZ = 'D''Ávila'", False),
    "IS NULL": (count("CAR_TIT", where("CAR_TIT", "DT_PGTO", "IS NULL")),
                "SELECT COUNT(*) FROM CAR_TIT WHERE DT_PGTO IS NULL", False),
    "IS NOT NULL": (count("CAR_TIT", where("CAR_TIT", "DT_PGTO", "IS NOT NULL")),
                    "SELECT COUNT(*) FROM CAR_TIT WHERE DT_PGTO IS NOT NULL", False),
    "BETWEEN dates": (
        count("MOV_PED", where("MOV_PED", "DT_EMISSAO", "BETWEEN", ["2024-06-01", "2024-06-30"])),
        "SELECT COUNT(*) FROM MOV_PED WHERE DT_EMISSAO BETWEEN DATE '2024-06-01' AND "
        "DATE '2024-06-30'", False),
    "BETWEEN numbers": (
        count("CAD_PRO", where("CAD_PRO", "PRO_PRECO", "BETWEEN", [10, 100])),
        "SELECT COUNT(*) FROM CAD_PRO WHERE PRO_PRECO BETWEEN 10 AND 100", False),
    # (no title of the demo is paid below its value: VL_PAGO < VL_TIT would keep nothing)
    "column > column": (
        count("CAR_TIT", Filter(expr=col("CAR_TIT", "VL_PAGO"), op=">",
                                other=col("CAR_TIT", "VL_TIT"))),
        "SELECT COUNT(*) FROM CAR_TIT WHERE VL_PAGO > VL_TIT", False),
    "date before today": (
        count("CAR_TIT", Filter(expr=col("CAR_TIT", "DT_VENC"), op="<", today=True),
              where("CAR_TIT", "SITUACAO", "=", "A")),
        "SELECT COUNT(*) FROM CAR_TIT WHERE DT_VENC < CURRENT_DATE AND SITUACAO = 'A'", False),
    "column > its average": (
        count("TB_CARGO", Filter(expr=col("TB_CARGO", "SAL_BASE"), op=">", average=True)),
        "SELECT COUNT(*) FROM TB_CARGO WHERE SAL_BASE > (SELECT AVG(SAL_BASE) FROM TB_CARGO)",
        False),
    "column < its average": (
        count("CAD_CLI", Filter(expr=col("CAD_CLI", "CLI_LIMCRED"), op="<", average=True)),
        "SELECT COUNT(*) FROM CAD_CLI WHERE CLI_LIMCRED < (SELECT AVG(CLI_LIMCRED) FROM CAD_CLI)",
        False),
    "column > share of a column": (
        count("MOV_PED", Filter(expr=col("MOV_PED", "VL_FRETE"), op=">",
                                other=col("MOV_PED", "VL_PROD"), factor=0.05)),
        "SELECT COUNT(*) FROM MOV_PED WHERE VL_FRETE > VL_PROD * 0.05", False),
    "EXTRACT(YEAR) =": (
        count("MOV_PED", Filter(expr=Expr(column=Col(table="MOV_PED", column="DT_EMISSAO"),
                                          part="YEAR"), op="=", value=2024)),
        "SELECT COUNT(*) FROM MOV_PED WHERE EXTRACT(YEAR FROM DT_EMISSAO) = 2024", False),
    "EXTRACT(YEAR, MONTH) =": (
        count("MOV_PED",
              Filter(expr=Expr(column=Col(table="MOV_PED", column="DT_EMISSAO"), part="YEAR"),
                     op="=", value=2024),
              Filter(expr=Expr(column=Col(table="MOV_PED", column="DT_EMISSAO"), part="MONTH"),
                     op="=", value=6)),
        "SELECT COUNT(*) FROM MOV_PED WHERE EXTRACT(YEAR FROM DT_EMISSAO) = 2024 AND "
        "EXTRACT(MONTH FROM DT_EMISSAO) = 6", False),
    "GROUP BY EXTRACT(YEAR)": (
        QueryPlan(table="MOV_PED",
                  select=[Item(expr=Expr(column=Col(table="MOV_PED", column="DT_EMISSAO"),
                                         part="YEAR")), Item(agg="COUNT")],
                  group_by=[Expr(column=Col(table="MOV_PED", column="DT_EMISSAO"), part="YEAR")]),
        "SELECT EXTRACT(YEAR FROM DT_EMISSAO), COUNT(*) FROM MOV_PED "
        "GROUP BY EXTRACT(YEAR FROM DT_EMISSAO)", False),
    "GROUP BY": (
        QueryPlan(table="CAD_CLI", select=[Item(expr=col("CAD_CLI", "SITUACAO")),
                                           Item(agg="COUNT")],
                  group_by=[col("CAD_CLI", "SITUACAO")]),
        "SELECT SITUACAO, COUNT(*) FROM CAD_CLI GROUP BY SITUACAO", False),
    "HAVING": (
        QueryPlan(table="MOV_PED", select=[Item(expr=col("MOV_PED", "CLI_COD")),
                                           Item(agg="COUNT")],
                  group_by=[col("MOV_PED", "CLI_COD")],
                  having=[Having(item=1, op=">=", value=30)]),
        "SELECT CLI_COD, COUNT(*) FROM MOV_PED GROUP BY CLI_COD HAVING COUNT(*) >= 30",
        False),
    "EXTRACT(WEEKDAY)": (
        count("NF_CAB", Filter(expr=Expr(column=Col(table="NF_CAB", column="DT_EMI"),
                                         part="WEEKDAY"), op="IN", value=[0, 6])),
        "SELECT COUNT(*) FROM NF_CAB WHERE EXTRACT(WEEKDAY FROM DT_EMI) IN (0, 6)", False),
    "count the groups": (
        QueryPlan(table="MOV_PED", select=[Item(expr=col("MOV_PED", "CLI_COD")),
                                           Item(agg="COUNT")],
                  group_by=[col("MOV_PED", "CLI_COD")], count_groups=True,
                  having=[Having(item=1, op=">=", value=30)]),
        "SELECT COUNT(*) FROM (SELECT CLI_COD FROM MOV_PED GROUP BY CLI_COD "
        "HAVING COUNT(*) >= 30)", False),
    "ORDER BY DESC": (
        QueryPlan(table="CAD_CLI", select=[Item(expr=col("CAD_CLI", "CLI_LIMCRED"))],
                  filters=[where("CAD_CLI", "CLI_LIMCRED", ">", 40000)],
                  order_by=[Order(item=0, desc=True)]),
        "SELECT CLI_LIMCRED FROM CAD_CLI WHERE CLI_LIMCRED > 40000 ORDER BY CLI_LIMCRED DESC",
        True),
    "ORDER BY ASC": (
        QueryPlan(table="TB_UF", select=[Item(expr=col("TB_UF", "UF_SIGLA"))],
                  order_by=[Order(item=0, desc=False)]),
        "SELECT UF_SIGLA FROM TB_UF ORDER BY UF_SIGLA", True),
    "FIRST n": (
        QueryPlan(table="CAD_PRO", select=[Item(expr=col("CAD_PRO", "PRO_PRECO"))],
                  order_by=[Order(item=0)], limit=5),
        "SELECT FIRST 5 PRO_PRECO FROM CAD_PRO ORDER BY PRO_PRECO DESC", True),
    "top n of a group": (
        QueryPlan(table="MOV_PED", select=[Item(expr=col("MOV_PED", "CLI_COD")),
                                           Item(agg="SUM", expr=col("MOV_PED", "VL_TOTAL"))],
                  group_by=[col("MOV_PED", "CLI_COD")], order_by=[Order(item=1)], limit=3),
        "SELECT FIRST 3 CLI_COD, SUM(VL_TOTAL) FROM MOV_PED GROUP BY CLI_COD "
        "ORDER BY 2 DESC", True),
    "DISTINCT": (
        QueryPlan(table="CAD_CID", select=[Item(expr=col("CAD_CID", "UF_SIGLA"))],
                  distinct=True),
        "SELECT DISTINCT UF_SIGLA FROM CAD_CID", False),
    "join along a FK": (
        count("CAD_CLI", where("CAD_CID", "CID_NOME", "=", "Campinas"), joins=[CIDADE]),
        "SELECT COUNT(*) FROM CAD_CLI c JOIN CAD_CID d ON d.CID_COD = c.CID_COD "
        "WHERE d.CID_NOME = 'Campinas'", False),
    "grouped by a joined column": (
        QueryPlan(table="CAD_CLI", joins=[CIDADE],
                  select=[Item(expr=col("CAD_CID", "UF_SIGLA")), Item(agg="COUNT")],
                  group_by=[col("CAD_CID", "UF_SIGLA")]),
        "SELECT d.UF_SIGLA, COUNT(*) FROM CAD_CLI c JOIN CAD_CID d ON d.CID_COD = c.CID_COD "
        "GROUP BY d.UF_SIGLA", False),
    "role join (self-reference)": (
        QueryPlan(table="CAD_FUNC", joins=[GESTOR],
                  select=[Item(expr=col("gestor", "FUN_NOME")), Item(agg="COUNT")],
                  group_by=[col("gestor", "FUN_NOME")]),
        "SELECT g.FUN_NOME, COUNT(*) FROM CAD_FUNC f JOIN CAD_FUNC g ON g.FUN_MAT = "
        "f.FUN_GESTOR GROUP BY g.FUN_NOME", False),
    "role join, both sides": (
        count("CAD_FUNC", Filter(expr=col("CAD_FUNC", "SALARIO"), op=">",
                                 other=col("gestor", "SALARIO")), joins=[GESTOR]),
        "SELECT COUNT(*) FROM CAD_FUNC f JOIN CAD_FUNC g ON g.FUN_MAT = f.FUN_GESTOR "
        "WHERE f.SALARIO > g.SALARIO", False),
    "NOT EXISTS": (
        count("CAD_CLI", related=[Related(table="MOV_PED", on=[("CLI_COD", "CLI_COD")])]),
        "SELECT COUNT(*) FROM CAD_CLI c WHERE NOT EXISTS (SELECT 1 FROM MOV_PED p "
        "WHERE p.CLI_COD = c.CLI_COD)", False),
    "NOT EXISTS with a join": (
        count("CAD_CLI", where("CAD_CID", "UF_SIGLA", "=", "SP"), joins=[CIDADE],
              related=[Related(table="MOV_PED", on=[("CLI_COD", "CLI_COD")])]),
        "SELECT COUNT(*) FROM CAD_CLI c JOIN CAD_CID d ON d.CID_COD = c.CID_COD "
        "WHERE d.UF_SIGLA = 'SP' AND NOT EXISTS (SELECT 1 FROM MOV_PED p "
        "WHERE p.CLI_COD = c.CLI_COD)", False),
    "EXISTS": (
        count("CAD_CLI", related=[Related(table="MOV_PED", on=[("CLI_COD", "CLI_COD")],
                                          exists=True)]),
        "SELECT COUNT(*) FROM CAD_CLI c WHERE EXISTS (SELECT 1 FROM MOV_PED p "
        "WHERE p.CLI_COD = c.CLI_COD)", False),
    "percentage of rows": (
        QueryPlan(table="MOV_PED", select=[Item(agg="COUNT", part=where("MOV_PED", "STATUS",
                                                                         "=", 9))],
                  filters=[Filter(expr=Expr(column=Col(table="MOV_PED", column="DT_EMISSAO"),
                                            part="YEAR"), op="=", value=2023)]),
        "SELECT SUM(CASE WHEN STATUS = 9 THEN 1 ELSE 0 END) * 100 "
        "/ CAST(COUNT(*) AS DOUBLE PRECISION) FROM MOV_PED "
        "WHERE DT_EMISSAO BETWEEN '2023-01-01' AND '2023-12-31'", False),
    "percentage of a sum": (
        QueryPlan(table="CAR_BAIXA", select=[Item(agg="SUM", expr=col("CAR_BAIXA", "VL_BAIXA"),
                                                  part=where("CAR_BAIXA", "FORMA", "=", "PX"))]),
        "SELECT (SELECT SUM(VL_BAIXA) FROM CAR_BAIXA WHERE FORMA = 'PX') * 100 / "
        "(SELECT SUM(VL_BAIXA) FROM CAR_BAIXA) FROM RDB$DATABASE", False),
    "percentage of another measure (joined)": (
        QueryPlan(table="NF_ITEM", joins=[Join(table="NF_CAB", alias="NF_CAB", on=[(
            Col(table="NF_ITEM", column="NF_ID"), Col(table="NF_CAB", column="NF_ID"))])],
                  select=[Item(agg="SUM", expr=col("NF_ITEM", "VL_ICMS"),
                               of=col("NF_ITEM", "VL_TOTAL"))],
                  filters=[where("NF_CAB", "SITUACAO", "=", "N")]),
        "SELECT SUM(i.VL_ICMS) * 100 / SUM(i.VL_TOTAL) FROM NF_ITEM i JOIN NF_CAB n ON "
        "n.NF_ID = i.NF_ID WHERE n.SITUACAO = 'N'", False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_compiled_plan_runs_like_the_hand_written_sql(name: str, doc: CombinedSchema,
                                                      con: Connection,
                                                      settings: Settings) -> None:
    plan, expected_sql, ordered = CASES[name]
    sql = compile_plan(plan, doc)
    got, expected = rows(con, sql, settings), rows(con, expected_sql, settings)
    assert expected, f"the hand-written SQL of {name!r} returns nothing: a weak case"
    if not ordered:
        got, expected = _sorted(got), _sorted(expected)
    assert got == expected, sql


def test_cases_decide_something(doc: CombinedSchema, con: Connection,
                                settings: Settings) -> None:
    # Filters that change nothing would prove nothing: each count filter keeps some rows
    # and drops some.
    for name, (plan, expected_sql, _) in CASES.items():
        if plan.filters and plan.select == [Item(agg="COUNT")] and not plan.joins:
            total = rows(con, f"SELECT COUNT(*) FROM {plan.table}", settings)[0][0]
            kept = rows(con, expected_sql, settings)[0][0]
            assert 0 < kept < total or name == "quote in a value", (name, kept, total)


def test_the_text_firebird_reads(doc: CombinedSchema) -> None:
    # FIRST n, EXTRACT, DATE literals, '' in strings, ordinals in ORDER BY, and short
    # aliases only once the plan joins tables.
    assert compile_plan(CASES["FIRST n"][0], doc) == \
        "SELECT FIRST 5 PRO_PRECO\nFROM CAD_PRO\nORDER BY 1 DESC"
    assert "WHERE DT_EMISSAO BETWEEN DATE '2024-06-01' AND DATE '2024-06-30'" in \
        compile_plan(CASES["BETWEEN dates"][0], doc)
    assert "CLI_NOMRAZ = 'D''Ávila'" in compile_plan(CASES["quote in a value"][0], doc)
    joined = compile_plan(CASES["join along a FK"][0], doc)
    assert joined.splitlines()[1:3] == ["FROM CAD_CLI cc", "JOIN CAD_CID cc2 ON cc.CID_COD = "
                                        "cc2.CID_COD"]
    manager = compile_plan(CASES["role join (self-reference)"][0], doc)
    assert "FROM CAD_FUNC cf\nJOIN CAD_FUNC g ON cf.FUN_GESTOR = g.FUN_MAT" in manager
    anti = compile_plan(CASES["NOT EXISTS"][0], doc)
    assert "NOT EXISTS (SELECT 1 FROM MOV_PED mp WHERE mp.CLI_COD = CAD_CLI.CLI_COD)" in anti


def test_role_join_from_reach_compiles_and_runs(doc: CombinedSchema, con: Connection,
                                                settings: Settings) -> None:
    # The manager hop reach.py offers (alias named after the FK column) as a plan's join.
    hop = Reach(doc).of("CAD_FUNC")["CAD_FUNC.FUN_GESTOR"]
    plan = QueryPlan(table="CAD_FUNC", joins=list(hop.joins),
                     select=[Item(expr=col("CAD_FUNC", "FUN_NOME")),
                             Item(expr=col(hop.alias, "FUN_NOME"))])
    got = rows(con, compile_plan(plan, doc), settings)
    expected = rows(con, "SELECT f.FUN_NOME, g.FUN_NOME FROM CAD_FUNC f JOIN CAD_FUNC g "
                         "ON g.FUN_MAT = f.FUN_GESTOR", settings)
    assert got and _sorted(got) == _sorted(expected)


# ---------------------------------------------------------------- odd and reserved names

ODD = """CREATE TABLE "Vendas Loja" (
  ID INTEGER NOT NULL PRIMARY KEY,
  "VALUE" NUMERIC(15,2),
  "DATE" DATE,
  "Cidade" VARCHAR(40),
  "POSITION" SMALLINT
)"""
ODD_ROWS = [(1, Decimal("10.5"), dt.date(2024, 1, 10), "Campinas", 1),
            (2, Decimal("20"), dt.date(2024, 2, 11), "Campinas", 2),
            (3, Decimal("7.25"), dt.date(2023, 12, 31), "Campinas", 1),
            (4, None, None, "Santos", 9)]


@pytest.fixture(scope="module")
def odd_workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, CombinedSchema]:
    """A database whose table and columns need quotes (a space, lower case, reserved
    words), extracted and merged into its own workspace."""
    root = tmp_path_factory.mktemp("odd_names")
    path = root / "odd.fdb"
    new = create_database(path)
    try:
        new.execute_immediate(ODD)
        new.commit()
        with new.cursor() as cur:
            for row in ODD_ROWS:
                cur.execute('INSERT INTO "Vendas Loja" (ID, "VALUE", "DATE", "Cidade", '
                            '"POSITION") VALUES (?, ?, ?, ?, ?)', row)
        new.commit()
    finally:
        new.close()
    settings = load_settings(workspace=root / "ws", fb_database=str(path))
    pipeline.run_extract(settings)
    pipeline.run_merge(settings)
    return settings, read_model(Workspace(root / "ws").combined, CombinedSchema)


def test_odd_and_reserved_names_are_quoted(odd_workspace: tuple[Settings, CombinedSchema]
                                           ) -> None:
    settings, doc = odd_workspace
    table = "Vendas Loja"
    plan = QueryPlan(
        table=table,
        select=[Item(expr=col(table, "POSITION")), Item(agg="SUM", expr=col(table, "VALUE")),
                Item(agg="MAX", expr=col(table, "DATE"))],
        filters=[where(table, "Cidade", "=", "Campinas"),
                 Filter(expr=Expr(column=Col(table=table, column="DATE"), part="YEAR"),
                        op="=", value=2024)],
        group_by=[col(table, "POSITION")], order_by=[Order(item=0, desc=False)])
    sql = compile_plan(plan, doc)
    assert 'FROM "Vendas Loja"' in sql and 'SUM("VALUE")' in sql and '"Cidade" = ' in sql
    assert 'EXTRACT(YEAR FROM "DATE")' in sql and 'GROUP BY "POSITION"' in sql
    with opened(settings) as connection:
        assert rows(connection, sql, settings) == [[1, 10.5, "2024-01-10"],
                                                   [2, 20, "2024-02-11"]]
    joined = QueryPlan(table=table, select=[Item(agg="COUNT")],
                       related=[Related(table=table, on=[("ID", "POSITION")])])
    anti = compile_plan(joined, doc)
    assert 'FROM "Vendas Loja" vl2 WHERE vl2.ID = "Vendas Loja"."POSITION"' in anti
    with opened(settings) as connection:  # rows whose POSITION is no row's ID: only ID 4 (9)
        assert rows(connection, anti, settings) == [[1]]


# ---------------------------------------------------------------- refusals

REFUSED: dict[str, tuple[QueryPlan, list[str]]] = {
    "unknown column": (count("CAD_CLI", where("CAD_CLI", "CLI_NOPE", "=", "A")),
                       ["CAD_CLI", "CLI_NOPE"]),
    "unknown column in select": (
        QueryPlan(table="CAD_CLI", select=[Item(expr=col("CAD_CLI", "LIMITE"))]), ["LIMITE"]),
    "unknown table": (count("CLIENTES_VIP"), ["CLIENTES_VIP"]),
    "today against a text": (
        count("CAD_CLI", Filter(expr=col("CAD_CLI", "CLI_NOMRAZ"), op="<", today=True)),
        ["CLI_NOMRAZ"]),
    "average of a text": (
        count("CAD_CLI", Filter(expr=col("CAD_CLI", "CLI_NOMRAZ"), op=">", average=True)),
        ["CLI_NOMRAZ"]),
    "unknown joined table": (
        count("CAD_CLI", joins=[Join(table="CIDADES", alias="CIDADES", on=[
            (Col(table="CAD_CLI", column="CID_COD"), Col(table="CIDADES", column="CID_COD"))])]),
        ["CIDADES"]),
    "unknown related table": (
        count("CAD_CLI", related=[Related(table="PEDIDOS", on=[("CLI_COD", "CLI_COD")])]),
        ["PEDIDOS"]),
    "alias not in the plan": (count("CAD_CLI", where("CAD_CID", "UF_SIGLA", "=", "SP")),
                              ["CAD_CID"]),
    "date vs 'abc'": (count("MOV_PED", where("MOV_PED", "DT_EMISSAO", "=", "abc")),
                      ["DT_EMISSAO", "'abc'", "date"]),
    "date vs 2024-02-30": (count("MOV_PED", where("MOV_PED", "DT_EMISSAO", ">", "2024-02-30")),
                           ["DT_EMISSAO", "2024-02-30"]),
    "SUM of text": (QueryPlan(table="CAD_CLI",
                              select=[Item(agg="SUM", expr=col("CAD_CLI", "CLI_NOMRAZ"))]),
                    ["SUM", "CLI_NOMRAZ"]),
    "AVG of a date": (QueryPlan(table="CAD_CLI",
                                select=[Item(agg="AVG", expr=col("CAD_CLI", "CLI_DTCAD"))]),
                      ["AVG", "CLI_DTCAD"]),
    "number vs text": (count("CAD_CLI", where("CAD_CLI", "CLI_LIMCRED", ">", "muito")),
                       ["CLI_LIMCRED", "'muito'"]),
    "EXTRACT of text": (
        count("CAD_CLI", Filter(expr=Expr(column=Col(table="CAD_CLI", column="CLI_NOMRAZ"),
                                          part="YEAR"), op="=", value=2024)),
        ["EXTRACT(YEAR)", "CLI_NOMRAZ"]),
    "text - text": (QueryPlan(table="CAD_CLI", select=[Item(expr=Expr(
        column=Col(table="CAD_CLI", column="CLI_NOMRAZ"), op="-",
        right=Col(table="CAD_CLI", column="CLI_NOMFAN")))]), ["CLI_NOMRAZ", "CLI_NOMFAN"]),
    "LIKE on a number": (count("CAD_CLI", where("CAD_CLI", "CLI_LIMCRED", "LIKE", "1%")),
                         ["LIKE", "CLI_LIMCRED"]),
    "date vs number column": (
        count("CAR_TIT", Filter(expr=col("CAR_TIT", "DT_PGTO"), op="<",
                                other=col("CAR_TIT", "VL_TIT"))), ["DT_PGTO", "VL_TIT"]),
    "IN without a list": (count("MOV_PED", where("MOV_PED", "STATUS", "IN", 2)),
                          ["IN", "STATUS"]),
    "BETWEEN one value": (count("MOV_PED", where("MOV_PED", "VL_TOTAL", "BETWEEN", [1])),
                          ["BETWEEN", "VL_TOTAL"]),
    "= without a value": (count("MOV_PED", where("MOV_PED", "VL_TOTAL", "=")), ["VL_TOTAL"]),
    "ungrouped column": (QueryPlan(table="CAD_CLI",
                                   select=[Item(expr=col("CAD_CLI", "CLI_NOMRAZ")),
                                           Item(agg="COUNT")],
                                   group_by=[col("CAD_CLI", "SITUACAO")]), ["GROUP BY"]),
    "order past the items": (QueryPlan(table="CAD_CLI", select=[Item(agg="COUNT")],
                                       order_by=[Order(item=1)]), ["ORDER BY"]),
    "SUM(*)": (QueryPlan(table="CAD_CLI", select=[Item(agg="SUM")]), ["COUNT"]),
    "HAVING a grouped column": (QueryPlan(
        table="MOV_PED", select=[Item(expr=col("MOV_PED", "CLI_COD")), Item(agg="COUNT")],
        group_by=[col("MOV_PED", "CLI_COD")], having=[Having(item=0, op=">", value=3)]),
        ["HAVING", "item 0"]),
    "count of no groups": (QueryPlan(table="MOV_PED", select=[Item(agg="COUNT")],
                                     count_groups=True), ["GROUP BY"]),
    "HAVING ungrouped": (QueryPlan(table="MOV_PED", select=[Item(agg="COUNT")],
                                   having=[Having(item=0, op=">", value=3)]), ["HAVING"]),
    "alias twice": (count("CAD_CLI", joins=[CIDADE, CIDADE]), ["CAD_CID", "twice"]),
    "percentage of AVG": (QueryPlan(table="CAD_CLI", select=[Item(
        agg="AVG", expr=col("CAD_CLI", "CLI_LIMCRED"),
        part=where("CAD_CLI", "SITUACAO", "=", "B"))]), ["percentage", "COUNT(*) or SUM"]),
    "percentage of a text": (QueryPlan(table="CAD_CLI", select=[Item(
        agg="SUM", expr=col("CAD_CLI", "CLI_LIMCRED"), of=col("CAD_CLI", "CLI_NOMRAZ"))]),
        ["CLI_NOMRAZ", "number"]),
    "percentage of rows without a part": (QueryPlan(table="CAD_CLI", select=[Item(
        agg="COUNT", of=col("CAD_CLI", "CLI_LIMCRED"))]), ["COUNT(*)"]),
    "percentage with part and of": (QueryPlan(table="CAD_CLI", select=[Item(
        agg="SUM", expr=col("CAD_CLI", "CLI_LIMCRED"), of=col("CAD_CLI", "CLI_LIMCRED"),
        part=where("CAD_CLI", "SITUACAO", "=", "B"))]), ["not both"]),
    "percentage part on a bad value": (QueryPlan(table="MOV_PED", select=[Item(
        agg="COUNT", part=where("MOV_PED", "DT_EMISSAO", "=", "abc"))]),
        ["DT_EMISSAO", "'abc'"]),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_plans_name_the_culprit(name: str, doc: CombinedSchema,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    plan, culprits = REFUSED[name]

    def no_engine(*_: Any, **__: Any) -> None:
        raise AssertionError("a refused plan reached the engine")

    # Nothing may open a connection or run a statement while a plan is checked.
    monkeypatch.setattr("schemachat.ingest.firebird.connect", no_engine)
    monkeypatch.setattr("schemachat.agent.sql.guard.run_read_only", no_engine)
    with pytest.raises(PlanError) as refused:
        compile_plan(plan, doc)
    message = str(refused.value)
    assert message.startswith("plan refused: ")
    for culprit in culprits:
        assert culprit in message, (name, message)
    assert isinstance(refused.value, BadInput)  # exit 2 on the command line
    with pytest.raises(PlanError):
        check_plan(plan, doc)
