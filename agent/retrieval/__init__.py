"""Retrieval over `combined_schema_details.json`: which tables answer a question.

Hybrid (BM25 over Portuguese/English-normalised text, sentence-transformers vectors in
Chroma, stored values), fused by reciprocal rank, completed along join paths and role
columns, expanded along foreign keys, refreshed incrementally.

    from schemachat.agent.retrieval import build_index, SchemaIndex
    build_index(settings)                      # schemachat index
    SchemaIndex.open(settings).search("clientes inadimplentes", k=5)

Modules: `chunks` (what is indexed), `roles` (what a key column's name says beyond the
table it references), `values` (codes in chunks, the value index), `text` (normalisation,
with the glossary of `schemachat.ingest.vocabulary_glossary`), `lexical` (BM25, rebuilt
incrementally), `embeddings` + `vector` (LangChain embeddings and vector store), `fusion`
(RRF), `completion` (tables on join paths and behind role columns), `fk_graph` (join
paths), `index` (build, refresh, checks), `retriever` (search and the LangChain
retriever), `evaluate` (recall@k and MRR on a question set).
"""

from schemachat.agent.retrieval.index import (
    IndexReport,
    build_index,
    index_document,
    refresh_index,
)
from schemachat.agent.retrieval.retriever import (
    SchemaIndex,
    SchemaRetriever,
    SearchResult,
    TableHit,
)

__all__ = ["IndexReport", "SchemaIndex", "SchemaRetriever", "SearchResult", "TableHit",
           "build_index", "index_document", "refresh_index"]
