"""A SQL dialect 1 database (InterBase heritage), made by the test with the real embedded
engine: double quotes delimit strings, DATE holds a timestamp, and no name can be quoted.

Extracted, counted, sampled and merged with the CLI as a user would; then the SQL
schemachat writes for it (compiled query plans, join skeletons, SQL through the validate
step with its dialect fixes and the guard) is run on it, with dates and names.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import partial
from pathlib import Path

import pytest

from schemachat.agent.plans.compile import PlanError, compile_plan
from schemachat.agent.plans.plan import Col, Expr, Filter, Item, Join, QueryPlan
from schemachat.agent.sql.check import validate
from schemachat.agent.sql.dialect import fix_dialect
from schemachat.agent.sql.guard import SQLFailed, run_read_only
from schemachat.agent.sql.skeleton import build_skeleton
from schemachat.configs import Settings, load_settings
from schemachat.ingest.firebird import opened
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.workspace import read_model
from tests.support import cli
from tests.support.legacy_databases import dialect1_erp


@pytest.fixture(scope="module")
def dialect1_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dialect1_erp(tmp_path_factory.mktemp("dialect1") / "legado.fdb")


@pytest.fixture(scope="module")
def workspace(dialect1_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """extract, counts --exact, samples and merge run by the CLI on the database."""
    ws = tmp_path_factory.mktemp("d1ws") / "ws"
    for command in (["extract"], ["counts", "--exact"], ["samples"]):
        done = cli.run(*command, "--database", str(dialect1_db), "--workspace", str(ws))
        assert done.returncode == 0, (command, done.stderr)
    done = cli.run("merge", "--workspace", str(ws))
    assert done.returncode == 0, done.stderr
    return ws


@pytest.fixture
def doc(workspace: Path) -> CombinedSchema:
    return read_model(workspace / "combined_schema_details.json", CombinedSchema)


@pytest.fixture
def settings(dialect1_db: Path, workspace: Path) -> Settings:
    return load_settings(fb_database=str(dialect1_db), workspace=workspace)


def test_cli_extract_counts_samples(workspace: Path) -> None:
    schema = json.loads((workspace / "technical_schema_details.json").read_text())
    assert schema["database"]["dialect"] == 1
    cliente = next(t for t in schema["tables"] if t["name"] == "CLIENTE")
    types = {c["name"]: c["type"] for c in cliente["columns"]}
    assert types["CADASTRO"] == "TIMESTAMP"  # dialect 1's DATE is a timestamp
    assert "POSITION" in types
    counts = json.loads((workspace / "overview_counts.json").read_text())["tables"]
    assert (counts["CLIENTE"]["rows"], counts["PEDIDO"]["rows"]) == (3, 3)
    sample = json.loads((workspace / "samples.json").read_text(encoding="utf-8"))
    rows = sample["tables"]["CLIENTE"]
    assert rows["error"] is None
    assert rows["columns"] == ["CLI_COD", "NOME", "CIDADE", "CADASTRO", "LIMITE"]  # no POSITION
    assert rows["rows"][0][:4] == [1, "Ana Souza", "São Paulo", "2022-01-10T09:15:00"]
    combined = json.loads((workspace / "combined_schema_details.json").read_text())
    assert combined["database"]["dialect"] == 1


def test_connections_speak_the_database_dialect(settings: Settings) -> None:
    with opened(settings) as con:
        assert (con.info.sql_dialect, con.sql_dialect) == (1, 1)


def test_compiled_plans_run_with_dates_and_names(doc: CombinedSchema,
                                                 settings: Settings) -> None:
    run = partial(validate, doc=doc, settings=settings, database=partial(opened, settings),
                  run=True)
    emissao = Col(table="PEDIDO", column="EMISSAO")
    per_year = QueryPlan(table="PEDIDO",
                         select=[Item(expr=Expr(column=emissao, part="YEAR")), Item(agg="COUNT")],
                         group_by=[Expr(column=emissao, part="YEAR")])
    sql = compile_plan(per_year, doc)
    assert "EXTRACT(YEAR FROM EMISSAO)" in sql
    verdict = run(sql)
    assert verdict.error is None and verdict.result is not None
    assert sorted(verdict.result.rows) == [(2023, 2), (2024, 1)]

    since = QueryPlan(table="PEDIDO", select=[Item(agg="COUNT")],
                      filters=[Filter(expr=Expr(column=emissao), op=">=", value="2023-12-31")])
    sql = compile_plan(since, doc)
    assert "EMISSAO >= TIMESTAMP '2023-12-31'" in sql
    verdict = run(sql)
    assert verdict.error is None and verdict.result.rows == [(2,)]  # 23:00 that day counts
    dialect3 = doc.model_copy(update={"database": doc.database.model_copy(
        update={"dialect": 3})})
    assert "DATE '2023-12-31'" in compile_plan(since, dialect3)
    with opened(settings) as con, pytest.raises(SQLFailed, match="not support reference to "
                                                                 "DATE datatype"):
        run_read_only(con, compile_plan(since, dialect3), settings)  # the engine's no

    by_city = QueryPlan(
        table="PEDIDO", joins=[Join(table="CLIENTE", alias="c", on=[
            (Col(table="PEDIDO", column="CLI_COD"), Col(table="c", column="CLI_COD"))])],
        select=[Item(expr=Expr(column=Col(table="PEDIDO", column="VALOR")), agg="SUM")],
        filters=[Filter(expr=Expr(column=Col(table="c", column="CIDADE")), op="=",
                        value="São Paulo")])
    verdict = run(compile_plan(by_city, doc))
    assert verdict.error is None and verdict.result.rows == [(150.25,)]


def test_name_needing_quotes_is_refused_in_one_clear_line(doc: CombinedSchema) -> None:
    plan = QueryPlan(table="CLIENTE", select=[
        Item(expr=Expr(column=Col(table="CLIENTE", column="POSITION")))])
    with pytest.raises(PlanError, match=r"POSITION cannot be written in this database's SQL: "
                                        r"it is a reserved word.*SQL dialect 1"):
        compile_plan(plan, doc)
    dialect3 = doc.model_copy(update={"database": doc.database.model_copy(
        update={"dialect": 3})})
    assert compile_plan(plan, dialect3) == 'SELECT "POSITION"\nFROM CLIENTE'


def test_guarded_sql_strings_dates_and_skeletons(doc: CombinedSchema,
                                                 settings: Settings) -> None:
    run = partial(validate, doc=doc, settings=settings, database=partial(opened, settings),
                  run=True)
    verdict = run('SELECT COUNT(*) FROM CLIENTE WHERE NOME = "Ana Souza"')
    assert verdict.error is None and verdict.result.rows == [(1,)]  # "..." is a string

    verdict = run("SELECT COUNT(*) FROM PEDIDO WHERE EMISSAO >= DATE '2024-01-01' "
                  "AND EMISSAO < CURRENT_DATE")
    assert verdict.error is None, verdict.error
    assert verdict.result.rows == [(1,)]
    assert "TIMESTAMP '2024-01-01'" in verdict.sql and "CAST('TODAY' AS TIMESTAMP)" in verdict.sql

    verdict = run("SELECT CADASTRO FROM CLIENTE WHERE CLI_COD = 1")
    assert verdict.result.rows == [(dt.datetime(2022, 1, 10, 9, 15),)]

    skeleton = build_skeleton(doc, ["PEDIDO", "CLIENTE"])
    assert skeleton.unjoined == []
    verdict = run(skeleton.sql("COUNT(*)"))
    assert verdict.error is None and verdict.result.rows == [(3,)]


def test_double_quotes_stay_a_string_in_dialect_1() -> None:
    sql = 'SELECT CLI_COD FROM CLIENTE WHERE CIDADE = "nome"'
    assert fix_dialect(sql, {"CLIENTE", "CLI_COD", "CIDADE", "NOME"}, dialect=1).sql == sql
    # in dialect 3 the same text names a column in the wrong case, and is fixed as one
    assert fix_dialect(sql, {"CLIENTE", "CLI_COD", "CIDADE", "NOME"}).sql.endswith("= NOME")


def test_skeleton_leaves_out_a_table_dialect_1_cannot_name(doc: CombinedSchema) -> None:
    data = doc.model_dump()
    for table in data["tables"]:
        if table["name"] == "CLIENTE":
            table["name"] = "Cliente"
        for fk in table["foreign_keys"]:
            fk["ref_table"] = "Cliente"
    odd = CombinedSchema.model_validate(data)
    skeleton = build_skeleton(odd, ["PEDIDO", "Cliente"])
    assert [j.table for j in skeleton.joins] == ["PEDIDO"]
    assert skeleton.unjoined == ["Cliente"]
    assert "Cliente cannot be named in this dialect 1 database's SQL" in skeleton.warnings[0]
    data["database"]["dialect"] = 3
    joined = build_skeleton(CombinedSchema.model_validate(data), ["PEDIDO", "Cliente"])
    assert 'JOIN "Cliente"' in joined.from_clause()
