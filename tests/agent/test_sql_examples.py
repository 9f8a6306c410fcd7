"""The worked examples of a SQL prompt: built over the turn's own tables from the
document, they prepare and run on the demo ERP; golden pairs are chosen by the words
they share with the question."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemachat.agent.feedback import GoldenExample
from schemachat.agent.prompts.examples import (
    golden_examples,
    is_portuguese,
    schema_examples,
    skeleton_tables,
)
from schemachat.agent.retrieval.text import Analyzer
from schemachat.agent.sql.guard import run_read_only
from schemachat.agent.sql.skeleton import build_skeleton
from schemachat.configs import load_settings
from schemachat.ingest.firebird import opened
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.workspace import Workspace, read_model

TABLE_SETS = [["CAD_CLI"], ["CAD_PRO", "TB_GRUPO_PRO"], ["CAD_CLI", "MOV_PED"],
              ["MOV_PED_ITEM", "CAD_PRO", "CAD_CLI"], ["CAR_TIT", "CAD_CLI", "CAD_CID"],
              ["NF_CAB", "CAD_FIL"],
              ["V_CLIENTES_ATIVOS"], ["RH_FOLHA", "CAD_FUNC", "RH_DEPTO"]]


@pytest.fixture(scope="module")
def doc(demo_workspace: Path) -> CombinedSchema:
    return read_model(Workspace(demo_workspace).combined, CombinedSchema)


@pytest.mark.parametrize("tables", TABLE_SETS, ids="+".join)
def test_every_example_runs_on_the_demo(doc: CombinedSchema, demo_db: Path,
                                        tables: list[str]) -> None:
    assert all(doc.relation(t) for t in tables), tables
    skeleton = " ".join(build_skeleton(doc, tables).from_clause().split())
    examples = schema_examples(doc, skeleton, "quantos pedidos por cliente?")
    assert len(examples) >= 2
    settings = load_settings(fb_database=str(demo_db))
    with opened(settings) as con:
        for question, sql in examples:
            assert sql.endswith(";") and question
            run_read_only(con, sql.rstrip(";"), settings)  # raises when the engine refuses
    grouped = next(sql for q, sql in examples if "COUNT(*) AS QTDE" in sql)
    if len(tables) > 1:  # the grouped count goes through the skeleton's joins
        assert skeleton in grouped and " ON " in grouped


def test_aliases_come_from_skeletons_and_drafts(doc: CombinedSchema) -> None:
    got = skeleton_tables(doc, "FROM CAD_CLI c JOIN MOV_PED mp ON mp.CLI_COD = c.CLI_COD")
    assert [(t.rel.name, t.alias) for t in got] == [("CAD_CLI", "c"), ("MOV_PED", "mp")]
    got = skeleton_tables(doc, "select x from cad_cli AS cli where cli.x = 1")
    assert [(t.rel.name, t.alias) for t in got] == [("CAD_CLI", "cli")]
    assert skeleton_tables(doc, "SELECT 1 FROM CAD_CLI WHERE 1 = 1") == []
    assert skeleton_tables(doc, "FROM NOPE n") == []
    assert schema_examples(doc, "", "quantos clientes?") == []


@pytest.mark.parametrize(("question", "pt"), [
    ("quantos clientes ativos temos?", True), ("total de vendas por estado", True),
    ("how many customers are blocked?", False), ("list the 5 most expensive products", False),
])
def test_language_of_the_examples(doc: CombinedSchema, question: str, pt: bool) -> None:
    assert is_portuguese(question) is pt
    examples = schema_examples(doc, "FROM CAD_CLI c", question)
    assert examples and all(("registros" in q) is pt for q, _ in examples)


def test_golden_examples_share_words_with_the_question(doc: CombinedSchema) -> None:
    golden = [GoldenExample(question="quantos clientes bloqueados?", tables=["CAD_CLI"],
                            sql="SELECT COUNT(*) FROM CAD_CLI WHERE SITUACAO = 'B'"),
              GoldenExample(question="total de vendas por vendedor", tables=["MOV_PED"],
                            sql="SELECT 1 FROM MOV_PED;"),
              GoldenExample(question="clientes bloqueados por cidade", tables=["GONE"],
                            sql="SELECT 1 FROM GONE"),
              GoldenExample(question="lista de clientes bloqueados", tables=["CAD_CLI"],
                            sql="SELECT * FROM CAD_CLI WHERE SITUACAO = 'B'")]
    got = golden_examples(golden, "quantos clientes estão bloqueados?", doc, Analyzer())
    # best last; the pair over a table the schema lost is left out; no shared word, none
    assert got == [("lista de clientes bloqueados",
                    "SELECT * FROM CAD_CLI WHERE SITUACAO = 'B';"),
                   ("quantos clientes bloqueados?",
                    "SELECT COUNT(*) FROM CAD_CLI WHERE SITUACAO = 'B';")]
    assert golden_examples(golden, "funcionários", doc, Analyzer()) == []
