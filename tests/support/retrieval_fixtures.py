"""Shared pieces of the retrieval tests: one embedding model per session, and a tiny
merged schema (technical + annotations) written into a workspace.

The `embeddings` fixture (session scoped) is registered by `pytest_plugins` in
tests/conftest.py: a test requests it by name. The schema helpers are imported:
`from tests.support.retrieval_fixtures import tiny_workspace`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemachat.agent.retrieval.embeddings import SentenceEmbeddings
from schemachat.configs import Settings, load_settings
from schemachat.ingest.merge import merge
from schemachat.ingest.models.annotations import ColumnNote, ObjectNote, SchemaMetadata
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.technical import (
    Column,
    DatabaseInfo,
    ForeignKey,
    PrimaryKey,
    Relation,
    TechnicalSchema,
)
from schemachat.ingest.workspace import Workspace, write_model


@pytest.fixture(scope="session")
def embeddings() -> SentenceEmbeddings:
    """The packaged all-MiniLM-L6-v2, loaded once for the whole session."""
    return SentenceEmbeddings()


def _cols(*spec: tuple[str, str]) -> list[Column]:
    return [Column(name=n, position=i, type=t, nullable=True) for i, (n, t) in enumerate(spec)]


def tiny_technical() -> TechnicalSchema:
    """Customers, cities, salespeople, orders, receivables and a log table. MOV_PED.COD_VEND
    points at CAD_VEND.VEN_COD without a declared FK (found by name)."""
    def rel(name: str, cols: list[Column], pk: list[str],
            fks: list[ForeignKey] | None = None) -> Relation:
        return Relation(name=name, kind="table", columns=cols,
                        primary_key=PrimaryKey(name=f"PK_{name}", columns=pk),
                        foreign_keys=fks or [])

    def fk(name: str, cols: list[str], table: str, ref: list[str]) -> ForeignKey:
        return ForeignKey(name=name, columns=cols, ref_table=table, ref_columns=ref)

    tables = [
        rel("CAD_CID", _cols(("CID_COD", "INTEGER"), ("CID_NOME", "VARCHAR(60)"),
                             ("UF_SIGLA", "CHAR(2)")), ["CID_COD"]),
        rel("CAD_CLI", _cols(("CLI_COD", "INTEGER"), ("CLI_NOMRAZ", "VARCHAR(60)"),
                             ("CID_COD", "INTEGER"), ("CLI_LIMCRED", "NUMERIC(15,2)"),
                             ("SITUACAO", "CHAR(1)")), ["CLI_COD"],
            [fk("FK_CLI_CID", ["CID_COD"], "CAD_CID", ["CID_COD"])]),
        rel("CAD_VEND", _cols(("VEN_COD", "INTEGER"), ("VEN_NOME", "VARCHAR(60)"),
                              ("COMISSAO", "NUMERIC(5,2)")), ["VEN_COD"]),
        rel("MOV_PED", _cols(("PED_NUM", "INTEGER"), ("CLI_COD", "INTEGER"),
                             ("COD_VEND", "INTEGER"), ("DT_EMISSAO", "DATE"),
                             ("VL_TOTAL", "NUMERIC(15,2)")), ["PED_NUM"],
            [fk("FK_PED_CLI", ["CLI_COD"], "CAD_CLI", ["CLI_COD"])]),
        rel("CAR_TIT", _cols(("TIT_NUM", "INTEGER"), ("CLI_COD", "INTEGER"),
                             ("DT_VENC", "DATE"), ("VL_TIT", "NUMERIC(15,2)"),
                             ("SITUACAO", "CHAR(1)")), ["TIT_NUM"],
            [fk("FK_TIT_CLI", ["CLI_COD"], "CAD_CLI", ["CLI_COD"])]),
        rel("AUDIT_LOG", _cols(("LOG_ID", "BIGINT"), ("TABLE_NAME", "VARCHAR(31)"),
                               ("OPERACAO", "CHAR(1)")), ["LOG_ID"]),
    ]
    return TechnicalSchema(extracted_at=datetime(2024, 7, 1, tzinfo=UTC),
                           database=DatabaseInfo(name="tiny.fdb"), tables=tables)


def tiny_annotations() -> SchemaMetadata:
    """What a team would write about the tiny schema."""
    return SchemaMetadata(objects={
        "CAD_CLI": ObjectNote(description="Cadastro de clientes.", columns={
            "CLI_LIMCRED": ColumnNote(description="Limite de crédito do cliente."),
            "SITUACAO": ColumnNote(description="Situação do cliente.",
                                   values={"A": "ativo", "I": "inativo"}),
        }),
        "CAR_TIT": ObjectNote(description="Contas a receber: títulos (duplicatas) por parcela.",
                              columns={"DT_VENC": ColumnNote(description="Data de vencimento.")}),
        "CAD_VEND": ObjectNote(description="Vendedores e representantes."),
        "MOV_PED": ObjectNote(description="Pedidos de venda."),
        "CAD_CID": ObjectNote(description="Cidades (municípios)."),
        "AUDIT_LOG": ObjectNote(description="Log de auditoria das alterações."),
    })


def tiny_doc(annotations: SchemaMetadata | None = None) -> CombinedSchema:
    """The tiny schema merged with `annotations` (default: tiny_annotations())."""
    return merge(tiny_technical(), annotations if annotations is not None
                 else tiny_annotations())


def tiny_workspace(root: Path, doc: CombinedSchema | None = None, **settings: object
                   ) -> Settings:
    """Write `doc` (default: tiny_doc()) as the combined document of a workspace at `root`
    and return settings pointing at it."""
    write_model(Workspace(root).ensure().combined, doc or tiny_doc())
    return load_settings(workspace=root, **settings)
