"""Merge: technical + annotations + counts + samples, orphans kept, fingerprints."""

from __future__ import annotations

from datetime import UTC, datetime

from schemachat.ingest.merge import annotations_fingerprint, merge
from schemachat.ingest.models.annotations import ColumnNote, ObjectNote, SchemaMetadata
from schemachat.ingest.models.counts import OverviewCounts, TableCount
from schemachat.ingest.models.samples import Samples, TableSample, ValueCount
from schemachat.ingest.models.technical import (
    Column,
    DatabaseInfo,
    ForeignKey,
    PrimaryKey,
    Procedure,
    Relation,
    TechnicalSchema,
)

NOW = datetime(2024, 7, 1, tzinfo=UTC)


def technical() -> TechnicalSchema:
    cli = Relation(
        name="CAD_CLI", kind="table",
        columns=[Column(name="CLI_COD", position=0, type="INTEGER", nullable=False),
                 Column(name="SITUACAO", position=1, type="CHAR(1)", nullable=True)],
        primary_key=PrimaryKey(name="PK_CAD_CLI", columns=["CLI_COD"]),
    )
    ped = Relation(
        name="PEDIDO", kind="table",
        columns=[Column(name="PED_NUM", position=0, type="INTEGER", nullable=False),
                 Column(name="CLI_COD", position=1, type="INTEGER", nullable=False)],
        foreign_keys=[ForeignKey(name="FK_PED_CLI", columns=["CLI_COD"], ref_table="CAD_CLI",
                                 ref_columns=["CLI_COD"])],
    )
    return TechnicalSchema(
        extracted_at=NOW, database=DatabaseInfo(name="erp.fdb"), tables=[cli, ped],
        procedures=[Procedure(name="SP_SALDO", kind="selectable")],
        fk_reference_counts={"CAD_CLI.CLI_COD": 1},
    )


def annotations() -> SchemaMetadata:
    return SchemaMetadata(objects={
        "CAD_CLI": ObjectNote(description="Cadastro de clientes", tags=["vendas"], columns={
            "SITUACAO": ColumnNote(description="Situação", values={"A": "ativo", "B": "bloqueado"}),
            "CLI_LIMITE": ColumnNote(description="Limite de crédito (coluna removida)"),
        }),
        "SP_SALDO": ObjectNote(description="Saldo do cliente"),
        "CAD_VENDEDOR": ObjectNote(description="Tabela que foi apagada"),
    })


def test_merge_without_annotations() -> None:
    doc = merge(technical())
    assert [t.name for t in doc.tables] == ["CAD_CLI", "PEDIDO"]
    assert doc.tables[0].annotation is None and doc.tables[0].rows is None
    assert doc.tables[0].columns[0].referenced_by == 1
    assert doc.orphans.objects == {} and doc.orphans.columns == {}
    assert doc.sources.annotations_fingerprint is None


def test_merge_with_everything() -> None:
    counts = OverviewCounts(counted_at=NOW, tables={
        "CAD_CLI": TableCount(rows=1200, method="estimate", counted_at=NOW)})
    samples = Samples(sampled_at=NOW, sample_rows=5, tables={"CAD_CLI": TableSample(
        columns=["CLI_COD", "SITUACAO"],
        distributions={"SITUACAO": [ValueCount(value="A", count=1000),
                                    ValueCount(value="B", count=200)]})})
    doc = merge(technical(), annotations(), counts, samples)
    cli = doc.relation("CAD_CLI")
    assert cli is not None and cli.annotation is not None
    assert cli.annotation.description == "Cadastro de clientes"
    assert cli.annotation.columns == {}, "column notes live on the columns"
    sit = cli.columns[1]
    assert sit.annotation is not None and sit.annotation.values["B"] == "bloqueado"
    assert sit.distribution is not None and sit.distribution[0].count == 1000
    assert cli.rows is not None and cli.rows.rows == 1200
    assert doc.procedures[0].annotation is not None
    # Nothing people wrote is dropped: gone objects and columns are kept as orphans.
    assert list(doc.orphans.objects) == ["CAD_VENDEDOR"]
    assert list(doc.orphans.columns) == ["CAD_CLI.CLI_LIMITE"]


def test_fingerprint_follows_content_not_time_or_counts() -> None:
    a = merge(technical(), annotations())
    b = merge(technical(), annotations(), OverviewCounts(counted_at=NOW, tables={
        "CAD_CLI": TableCount(rows=5, method="exact", counted_at=NOW)}))
    assert a.fingerprint == b.fingerprint and a.merged_at <= b.merged_at
    changed = annotations()
    changed.objects["CAD_CLI"].description = "Clientes"
    c = merge(technical(), changed)
    assert c.fingerprint != a.fingerprint
    assert annotations_fingerprint(changed) != annotations_fingerprint(annotations())


def test_annotations_fingerprint_ignores_who_and_when() -> None:
    one, two = annotations(), annotations()
    two.objects["CAD_CLI"].updated_by = "maria"
    two.objects["CAD_CLI"].revision = 7
    assert annotations_fingerprint(one) == annotations_fingerprint(two)
