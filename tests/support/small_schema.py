"""A small technical schema written into a temporary workspace, for tests that need
names and column types but no Firebird (the annotation store, suggestions, analysis)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from schemachat.ingest.models.technical import (
    Column,
    DatabaseInfo,
    ForeignKey,
    Parameter,
    PrimaryKey,
    Procedure,
    Relation,
    TechnicalSchema,
)
from schemachat.ingest.workspace import Workspace, write_model


def _cols(*spec: tuple[str, str]) -> list[Column]:
    return [Column(name=n, position=i, type=t, nullable=True) for i, (n, t) in enumerate(spec)]


def small_schema() -> TechnicalSchema:
    """CAD_CLI (clients), CAD_FORN (suppliers), MOV_PED (orders -> clients), HOT (eight
    VARCHAR columns for concurrency tests), LOG_X (no PK), a view and a procedure."""
    cli = Relation(
        name="CAD_CLI", kind="table",
        columns=_cols(("CLI_COD", "INTEGER"), ("CLI_NOM", "VARCHAR(60)"),
                      ("SITUACAO", "CHAR(1)"), ("TP_PES", "SMALLINT"),
                      ("CLI_VLLIM", "NUMERIC(15,2)"), ("CLI_DTCAD", "DATE"),
                      ("CLI_EMAIL", "VARCHAR(80) CHARACTER SET ASCII")),
        primary_key=PrimaryKey(name="PK_CAD_CLI", columns=["CLI_COD"]),
    )
    forn = Relation(
        name="CAD_FORN", kind="table",
        columns=_cols(("FORN_COD", "INTEGER"), ("FORN_NOM", "VARCHAR(60)")),
        primary_key=PrimaryKey(name="PK_CAD_FORN", columns=["FORN_COD"]),
    )
    ped = Relation(
        name="MOV_PED", kind="table",
        columns=_cols(("PED_COD", "INTEGER"), ("CLI_COD", "INTEGER"), ("FORN_COD", "INTEGER"),
                      ("PED_DT", "DATE"), ("PED_VLTOT", "NUMERIC(15,2)"),
                      ("PED_QTD", "INTEGER")),
        primary_key=PrimaryKey(name="PK_MOV_PED", columns=["PED_COD"]),
        foreign_keys=[ForeignKey(name="FK_PED_CLI", columns=["CLI_COD"], ref_table="CAD_CLI",
                                 ref_columns=["CLI_COD"])],
    )
    hot = Relation(
        name="HOT", kind="table",
        columns=_cols(("ID", "INTEGER"), *[(f"C{i}", "VARCHAR(10)") for i in range(8)]),
        primary_key=PrimaryKey(name="PK_HOT", columns=["ID"]),
    )
    log = Relation(name="LOG_X", kind="table", columns=_cols(("MSG", "VARCHAR(200)")))
    view = Relation(name="V_CLI_ATIVO", kind="view",
                    columns=_cols(("CLI_COD", "INTEGER"), ("CLI_NOM", "VARCHAR(60)")),
                    view_source="SELECT CLI_COD, CLI_NOM FROM CAD_CLI WHERE SITUACAO = 'A'")
    proc = Procedure(name="SP_TOTAL", kind="selectable",
                     inputs=[Parameter(name="CLI", position=0, type="INTEGER")],
                     outputs=[Parameter(name="TOTAL", position=0, type="NUMERIC(15,2)")])
    return TechnicalSchema(
        extracted_at=datetime(2024, 7, 1, tzinfo=UTC), database=DatabaseInfo(name="small.fdb"),
        tables=[cli, forn, hot, log, ped], views=[view], procedures=[proc],
        fk_reference_counts={"CAD_CLI.CLI_COD": 1},
    )


def small_workspace(root: Path) -> Workspace:
    """A workspace folder at `root` holding only the small technical schema."""
    ws = Workspace(root).ensure()
    write_model(ws.technical, small_schema())
    return ws
