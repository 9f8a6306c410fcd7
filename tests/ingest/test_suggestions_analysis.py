"""Heuristic suggestions, structural analysis and documentation status on the small schema."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemachat.ingest import analysis
from schemachat.ingest.doc_status import documentation_status
from schemachat.ingest.merge import merge
from schemachat.ingest.models.annotations import ColumnNote, ObjectNote, SchemaMetadata
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.samples import Samples, TableSample, ValueCount
from schemachat.ingest.suggestions import Suggester, Suggestion
from tests.support.small_schema import small_schema

NOW = datetime(2024, 7, 1, tzinfo=UTC)


@pytest.fixture
def doc() -> CombinedSchema:
    samples = Samples(sampled_at=NOW, sample_rows=2, tables={
        "CAD_CLI": TableSample(
            columns=["CLI_EMAIL", "SITUACAO"], rows=[["a@b.com", "A"], ["c@d.org", "I"]],
            distributions={"SITUACAO": [ValueCount(value="A", count=9),
                                        ValueCount(value="I", count=2),
                                        ValueCount(value="Z", count=1)]})})
    return merge(small_schema(), SchemaMetadata(), samples=samples)


def _find(items: list[Suggestion], field: str, source: str) -> Suggestion:
    return next(s for s in items if s.field == field and s.source.startswith(source))


# table-driven: column -> (field, source, expected value)
CASES = [
    ("CAD_CLI", "CLI_DTCAD", "description", "dictionary", "Data de cadastro do cliente."),
    ("MOV_PED", "PED_VLTOT", "description", "dictionary", "Valor total do pedido."),
    ("MOV_PED", "PED_QTD", "description", "dictionary", "Quantidade do pedido."),
    ("MOV_PED", "CLI_COD", "description", "foreign key", "Referência a CAD_CLI.CLI_COD."),
    ("MOV_PED", "PED_VLTOT", "unit", "dictionary", "R$"),
    ("CAD_CLI", "CLI_EMAIL", "description", "samples", "E-mail."),
    ("CAD_CLI", "SITUACAO", "values", "values", {"A": "ativo", "I": "inativo"}),
]


@pytest.mark.parametrize(("table", "column", "field", "source", "expected"), CASES)
def test_column_suggestions(doc: CombinedSchema, table: str, column: str, field: str,
                            source: str, expected: object) -> None:
    got = _find(Suggester(doc, SchemaMetadata(), _samples(doc)).for_column(table, column),
                field, source)
    assert got.value == expected


def _samples(doc: CombinedSchema) -> Samples:
    return Samples(sampled_at=NOW, sample_rows=2, tables={"CAD_CLI": TableSample(
        columns=["CLI_EMAIL"], rows=[["a@b.com"], ["c@d.org"]])})


def test_suggestions_learn_from_what_people_wrote(doc: CombinedSchema) -> None:
    meta = SchemaMetadata(objects={"CAD_CLI": ObjectNote(columns={
        "CLI_NOM": ColumnNote(description="Nome ou razão social"),
        "SITUACAO": ColumnNote(values={"A": "aberto", "I": "inadimplente", "Z": "zerado"})})})
    s = Suggester(doc, meta)
    # The same name elsewhere is the strongest hint; the learned part extends the dictionary.
    assert _find(s.for_column("V_CLI_ATIVO", "CLI_NOM"), "description", "same name").value == \
        "Nome ou razão social"
    assert _find(s.for_column("CAD_FORN", "FORN_NOM"), "description", "dictionary").value == \
        "Nome do fornecedor."
    assert s.for_table("CAD_CLI")[0].value == "Cadastro de clientes."


def test_unknown_values_are_listed_to_fill_in(doc: CombinedSchema) -> None:
    got = _find(Suggester(doc, SchemaMetadata()).for_column("CAD_CLI", "SITUACAO"),
                "values", "values")
    assert "no guess for Z" in got.why


def test_unknown_targets_give_nothing(doc: CombinedSchema) -> None:
    s = Suggester(doc, SchemaMetadata())
    assert s.for_table("NOPE") == [] and s.for_column("CAD_CLI", "NOPE") == []


def test_analysis(doc: CombinedSchema) -> None:
    assert analysis.tables_without_pk(doc) == ["LOG_X"]
    [like] = analysis.fk_like_columns(doc)
    assert (like.table, like.column, like.ref_table) == ("MOV_PED", "FORN_COD", "CAD_FORN")
    tables, edges = analysis.neighbourhood(doc, "CAD_CLI")
    assert tables == {"CAD_CLI", "MOV_PED"} and [e.name for e in edges] == ["FK_PED_CLI"]
    assert analysis.most_referenced(doc) == [("CAD_CLI.CLI_COD", 1)]


def test_documentation_status(doc: CombinedSchema) -> None:
    meta = SchemaMetadata(objects={"CAD_CLI": ObjectNote(description="Clientes", columns={
        "CLI_COD": ColumnNote(description="Código"), "SITUACAO": ColumnNote(unit="x")})})
    total, areas = documentation_status(doc, meta)
    assert (total.objects, total.objects_described) == (6, 1)
    assert total.columns_described == 1
    cad = next(a for a in areas if a.area == "CAD")
    assert (cad.objects, cad.objects_described, cad.columns) == (2, 1, 9)
    assert round(cad.objects_percent) == 50
