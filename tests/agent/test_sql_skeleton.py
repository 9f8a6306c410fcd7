"""SQL skeletons on the demo schema: 2-4 tables come out joined on the right keys
(composite keys complete, intermediate tables added, FK-like columns marked), and every
skeleton + SELECT COUNT(*) passes the guard and runs on the demo database."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemachat.agent.sql.guard import run_read_only
from schemachat.agent.sql.skeleton import INFERRED_NOTE, build_skeleton, join_graph
from schemachat.configs import load_settings
from schemachat.ingest.firebird import opened
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.workspace import Workspace, read_model

# tables -> the expected FROM clause, line by line
CASES: list[tuple[list[str], list[str]]] = [
    (["CAD_CLI", "MOV_PED"],
     ["FROM CAD_CLI cc", "JOIN MOV_PED mp ON mp.CLI_COD = cc.CLI_COD"]),
    (["MOV_PED", "MOV_PED_ITEM"],  # composite key: both columns
     ["FROM MOV_PED mp",
      "JOIN MOV_PED_ITEM mpi ON mpi.FIL_COD = mp.FIL_COD AND mpi.PED_NUM = mp.PED_NUM"]),
    (["CAD_CLI", "MOV_PED_ITEM"],  # through MOV_PED
     ["FROM CAD_CLI cc", "JOIN MOV_PED mp ON mp.CLI_COD = cc.CLI_COD",
      "JOIN MOV_PED_ITEM mpi ON mpi.FIL_COD = mp.FIL_COD AND mpi.PED_NUM = mp.PED_NUM"]),
    (["CAD_CLI", "CAD_CID", "TB_UF"],
     ["FROM CAD_CLI cc", "JOIN CAD_CID cc2 ON cc2.CID_COD = cc.CID_COD",
      "JOIN TB_UF tu ON tu.UF_SIGLA = cc2.UF_SIGLA"]),
    # FUN_MAT of the 3-column key to RH_FOLHA also names the employee: one join
    (["RH_FOLHA_EVT", "CAD_FUNC"],
     ["FROM RH_FOLHA_EVT rfe",
      "JOIN CAD_FUNC cf ON cf.FUN_MAT = rfe.FUN_MAT "
      "/* FK-like column, no declared foreign key */"]),
    (["RH_FOLHA_EVT", "RH_FOLHA"],  # the 3-column declared key
     ["FROM RH_FOLHA_EVT rfe",
      "JOIN RH_FOLHA rf ON rf.FUN_MAT = rfe.FUN_MAT AND rf.ANO = rfe.ANO AND rf.MES = rfe.MES"]),
    (["CAR_BAIXA", "CAD_CLI"],
     ["FROM CAR_BAIXA cb",
      "JOIN CAR_TIT ct ON ct.TIT_NUM = cb.TIT_NUM AND ct.TIT_PARC = cb.TIT_PARC",
      "JOIN CAD_CLI cc ON cc.CLI_COD = ct.CLI_COD"]),
    (["EST_SALDO", "EST_ALMOX", "CAD_PRO"],
     ["FROM EST_SALDO es",
      "JOIN EST_ALMOX ea ON ea.FIL_COD = es.FIL_COD AND ea.ALMOX = es.ALMOX",
      "JOIN CAD_PRO cp ON cp.PRO_COD = es.PRO_COD"]),
    (["NF_CAB", "MOV_PED_ITEM"],  # NF_CAB -> MOV_PED by (FIL_COD, PED_NUM)
     ["FROM NF_CAB nc",
      "JOIN MOV_PED mp ON mp.FIL_COD = nc.FIL_COD AND mp.PED_NUM = nc.PED_NUM",
      "JOIN MOV_PED_ITEM mpi ON mpi.FIL_COD = mp.FIL_COD AND mpi.PED_NUM = mp.PED_NUM"]),
    (["CAD_CLI", "MOV_PED", "MOV_PED_ITEM", "CAD_PRO"],
     ["FROM CAD_CLI cc", "JOIN MOV_PED mp ON mp.CLI_COD = cc.CLI_COD",
      "JOIN MOV_PED_ITEM mpi ON mpi.FIL_COD = mp.FIL_COD AND mpi.PED_NUM = mp.PED_NUM",
      "JOIN CAD_PRO cp ON cp.PRO_COD = mpi.PRO_COD"]),
    (["NF_ITEM", "CAD_CLI", "TB_UF"],
     ["FROM NF_ITEM ni", "JOIN NF_CAB nc ON nc.NF_ID = ni.NF_ID",
      "JOIN CAD_CLI cc ON cc.CLI_COD = nc.CLI_COD",
      "JOIN CAD_CID cc2 ON cc2.CID_COD = cc.CID_COD",
      "JOIN TB_UF tu ON tu.UF_SIGLA = cc2.UF_SIGLA"]),
    (["CAD_FUNC", "RH_DEPTO", "TB_CARGO", "CAD_FIL"],
     ["FROM CAD_FUNC cf", "JOIN RH_DEPTO rd ON rd.DEP_COD = cf.DEP_COD",
      "JOIN TB_CARGO tc ON tc.CRG_COD = cf.CRG_COD",
      "JOIN CAD_FIL cf2 ON cf2.FIL_COD = cf.FIL_COD"]),
    # undeclared: CAD_CLI.COD_VEND -> CAD_VEND.VEN_COD, CAD_PRO.FOR_COD -> CAD_FOR
    (["CAD_CLI", "CAD_VEND"],
     ["FROM CAD_CLI cc", f"JOIN CAD_VEND cv ON cv.VEN_COD = cc.COD_VEND {INFERRED_NOTE}"]),
    (["MOV_PED", "CAD_VEND", "CAD_CLI"],
     ["FROM MOV_PED mp", f"JOIN CAD_VEND cv ON cv.VEN_COD = mp.COD_VEND {INFERRED_NOTE}",
      "JOIN CAD_CLI cc ON cc.CLI_COD = mp.CLI_COD"]),
    (["CAD_PRO", "CAD_FOR"],
     ["FROM CAD_PRO cp", f"JOIN CAD_FOR cf ON cf.FOR_COD = cp.FOR_COD {INFERRED_NOTE}"]),
    (["TB_UF"], ["FROM TB_UF tu"]),
]


@pytest.fixture(scope="module")
def doc(demo_workspace: Path) -> CombinedSchema:
    return read_model(Workspace(demo_workspace).combined, CombinedSchema)


@pytest.mark.parametrize(("tables", "expected"), CASES, ids=["+".join(c[0]) for c in CASES])
def test_join_keys(doc: CombinedSchema, tables: list[str], expected: list[str]) -> None:
    skeleton = build_skeleton(doc, tables)
    assert skeleton.from_clause().splitlines() == expected
    assert not skeleton.unjoined


def test_skeletons_run_on_the_demo_db(doc: CombinedSchema, demo_db: Path) -> None:
    settings = load_settings(fb_database=str(demo_db))
    with opened(settings) as con:
        for tables, _ in CASES:
            result = run_read_only(con, build_skeleton(doc, tables).sql(), settings)
            assert result.columns == ["COUNT"] and result.rows[0][0] > 0, tables


def test_intermediate_tables_and_inferred_joins_are_marked(doc: CombinedSchema) -> None:
    joins = build_skeleton(doc, ["CAD_CLI", "MOV_PED_ITEM"]).joins
    assert [(j.table, j.via, j.declared) for j in joins] == [
        ("CAD_CLI", False, True), ("MOV_PED", True, True), ("MOV_PED_ITEM", False, True)]
    vend = build_skeleton(doc, ["CAD_CLI", "CAD_VEND"]).joins[1]
    assert not vend.declared


def test_declared_keys_only(doc: CombinedSchema) -> None:
    skeleton = build_skeleton(doc, ["CAD_CLI", "CAD_VEND"], inferred=False)
    assert all(j.declared for j in skeleton.joins)
    # Only a roundabout path is left, through the city: the skeleton says rows multiply.
    assert any("rows multiply" in w for w in skeleton.warnings)


def test_warnings_and_unjoinable_tables(doc: CombinedSchema) -> None:
    lanc = build_skeleton(doc, ["FIN_LANC", "FIN_PLANO_CTA"])
    assert "several columns (CTA_" in lanc.warnings[0]
    staging = build_skeleton(doc, ["TMP_IMPORT_CLI", "CAD_CLI"])
    assert staging.unjoined == ["CAD_CLI"] and len(staging.joins) == 1
    with pytest.raises(KeyError, match="NO_SUCH"):
        build_skeleton(doc, ["NO_SUCH"])


def test_inferred_joins_need_matching_types(doc: CombinedSchema) -> None:
    inferred = [(e.table, e.columns) for e in join_graph(doc).edges if not e.declared]
    assert ("CAD_CLI", ("COD_VEND",)) in inferred
    assert all(e.declared for e in join_graph(doc, inferred=False).edges)


def test_any_tables_give_a_consistent_skeleton(doc: CombinedSchema) -> None:
    # Paths may touch already-joined tables in their middle; every join must still add
    # one new table and refer only to aliases already in the FROM clause.
    import random

    graph = join_graph(doc)
    names = [r.name for r in doc.relations()]
    rnd = random.Random(7)
    for size in (2, 3, 4):
        for _ in range(150):
            tables = rnd.sample(names, size)
            skeleton = build_skeleton(doc, tables, graph=graph)
            placed = [j.table for j in skeleton.joins]
            assert len(placed) == len(set(placed)), tables
            assert set(tables) <= set(placed) | set(skeleton.unjoined), tables
            aliases: set[str] = set()
            for join in skeleton.joins:
                if join.on:
                    used = {part.split(".")[0].strip() for side in join.on.split(" AND ")
                            for part in side.split(" = ")}
                    assert used <= aliases | {join.alias}, (tables, join.on)
                aliases.add(join.alias)


def test_references_inferred_past_composite_keys_and_from_annotations(
        doc: CombinedSchema) -> None:
    inferred = {(e.table, e.columns): (e.ref_table, e.reason)
                for e in join_graph(doc).edges if not e.declared}
    # FIL_COD is in NF_CAB's declared key to MOV_PED, and names the branch on its own
    assert inferred[("NF_CAB", ("FIL_COD",))][0] == "CAD_FIL"
    # PORTADOR's annotation: "Banco cobrador (código em TB_BANCO, sem FK)"
    assert inferred[("CAR_TIT", ("PORTADOR",))] == ("TB_BANCO",
                                                    "its annotation names TB_BANCO")
    # a movement holds a warehouse's whole key (FIL_COD, ALMOX); a stock balance's key
    # (warehouse and product, references only) names a pairing, no parent
    assert inferred[("EST_MOV", ("FIL_COD", "ALMOX"))][0] == "EST_ALMOX"
    assert not [e for e in inferred.items() if e[1][0] == "EST_SALDO"]
