"""Hybrid search over an index: BM25 + vectors, fused by reciprocal rank, then the
tables needed to join the top hits added along the join graph.

`SchemaIndex.open` checks the index first (exists, same embedding model, not stale);
`SchemaIndex.search` returns ranked tables with the words that matched;
`SchemaRetriever` is the same as a LangChain `BaseRetriever` for the agent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from langchain_core.vectorstores import VectorStore
from pydantic import ConfigDict

from schemachat.agent.retrieval.chunks import Chunk
from schemachat.agent.retrieval.fk_graph import FkGraph
from schemachat.agent.retrieval.fusion import collapse, reciprocal_rank_fusion
from schemachat.agent.retrieval.index import (
    BM25,
    GRAPH,
    IndexManifest,
    check_usable,
    default_embeddings,
    read_chunks,
    read_manifest,
    read_titles,
)
from schemachat.agent.retrieval.lexical import LexicalIndex
from schemachat.agent.retrieval.text import gloss
from schemachat.agent.retrieval.vector import open_vector_store
from schemachat.configs import BadInput, Settings
from schemachat.ingest.workspace import Workspace

CANDIDATES = 40  # chunks each side hands to the fusion
# Rankings fused: BM25 over whole chunks, BM25 over names + descriptions, vectors, and
# the best-named object for each word of the question ("concepts", so a question about
# invoices *and* customers *and* states brings the table of each). The embedding model
# reads English only and the schema is mostly Portuguese, so the vector ranking counts
# half; so does the concept list, which is one guess per word.
WEIGHTS = {"lexical": 1.0, "titles": 1.0, "vector": 0.5, "concepts": 0.5}


@dataclass
class TableHit:
    """One table, view or procedure in a search result."""

    name: str
    kind: str
    score: float
    matched: list[str] = field(default_factory=list)
    lexical_rank: int | None = None
    vector_rank: int | None = None
    similarity: float | None = None
    added_for_join: bool = False
    joins: list[str] = field(default_factory=list)
    rows: int | None = None
    text: str = ""

    def why(self) -> str:
        """One line: what made this table come up."""
        if self.added_for_join:
            return "added to join: " + "; ".join(self.joins)
        parts = []
        if self.matched:
            parts.append("words: " + ", ".join(self.matched))
        if self.similarity is not None:
            parts.append(f"meaning: {self.similarity:.2f}")
        return "; ".join(parts) or "-"

    def to_json(self) -> dict:
        """Plain data (without the chunk text) for --json output."""
        return {"table": self.name, "kind": self.kind, "score": round(self.score, 5),
                "matched": self.matched, "lexical_rank": self.lexical_rank,
                "vector_rank": self.vector_rank,
                "similarity": None if self.similarity is None else round(self.similarity, 4),
                "added_for_join": self.added_for_join, "joins": self.joins, "rows": self.rows}


@dataclass
class SearchResult:
    """Ranked hits (the top `k`), then the tables added to join them."""

    query: str
    hits: list[TableHit]

    @property
    def tables(self) -> list[str]:
        """Names in result order."""
        return [h.name for h in self.hits]


class SchemaIndex:
    """An opened index: chunks, BM25, join graph and vector store."""

    def __init__(self, manifest: IndexManifest, chunks: list[Chunk], lexical: LexicalIndex,
                 titles: tuple[LexicalIndex, list[str]], graph: FkGraph,
                 store: VectorStore) -> None:
        self.manifest = manifest
        self.chunks = chunks
        self.lexical = lexical
        self.titles, self.title_objects = titles
        self.graph = graph
        self.store = store
        self._main = {c.object: c for c in chunks if c.kind != "columns"}

    @classmethod
    def open(cls, settings: Settings, *, embeddings: Embeddings | None = None,
             check: bool = True) -> SchemaIndex:
        """Open the index of `settings.workspace`.

        Raises BadInput, naming the command to run, when there is no index, when it was
        built with another embedding model or store, or when it is stale (`check=False`
        skips the staleness test, not the model test).
        """
        ws = Workspace(settings.workspace)
        manifest = read_manifest(ws.index_dir)
        check_usable(manifest, settings, ws, fresh=check)
        assert manifest is not None  # check_usable raised otherwise
        return cls.load(ws.index_dir, manifest, settings, embeddings)

    @classmethod
    def load(cls, index_dir: Path, manifest: IndexManifest, settings: Settings,
             embeddings: Embeddings | None = None) -> SchemaIndex:
        """Read the index files (no checks)."""
        embeddings = embeddings or default_embeddings(settings)
        graph = FkGraph.from_json(json.loads((index_dir / GRAPH).read_text("utf-8")))
        return cls(manifest, read_chunks(index_dir), LexicalIndex.load(index_dir / BM25),
                   read_titles(index_dir), graph,
                   open_vector_store(settings, index_dir, embeddings))

    def search(self, query: str, k: int = 5, *, expand: bool = True) -> SearchResult:
        """The `k` best objects for `query`, then (with `expand`) the tables needed to
        join them. Raises BadInput for an empty query."""
        if not query.strip():
            raise BadInput("empty query: ask about a table, a column or a business term")
        hits = self._fused(query, k)
        if expand:
            hits += self._join_tables([h.name for h in hits if h.kind != "procedure"])
        return SearchResult(query=query, hits=hits)

    def _fused(self, query: str, k: int) -> list[TableHit]:
        lexical = self.lexical.search(query, CANDIDATES)
        lex_objects = collapse([self.chunks[h.position].object for h in lexical])
        matched: dict[str, list[str]] = {}
        for h in lexical:
            words = matched.setdefault(self.chunks[h.position].object, [])
            words += [w for w in h.matched if w not in words]
        titled = [self.title_objects[h.position] for h in self.titles.search(query, CANDIDATES)]
        concepts = self._concepts(query)
        vector = self.store.similarity_search_with_score(self.vector_query(query), k=CANDIDATES)
        vec_objects = collapse([doc.metadata["object"] for doc, _ in vector])
        similarity: dict[str, float] = {}
        for doc, distance in vector:  # stores are set up with cosine distance
            similarity.setdefault(doc.metadata["object"], 1.0 - float(distance))
        fused = reciprocal_rank_fusion(
            [lex_objects, titled, vec_objects, concepts],
            weights=[WEIGHTS[n] for n in ("lexical", "titles", "vector", "concepts")])[:k]
        lex_rank = {name: n for n, name in enumerate(lex_objects, start=1)}
        vec_rank = {name: n for n, name in enumerate(vec_objects, start=1)}
        return [self._hit(name, score, matched=matched.get(name, []),
                          lexical_rank=lex_rank.get(name), vector_rank=vec_rank.get(name),
                          similarity=similarity.get(name)) for name, score in fused]

    def _concepts(self, query: str) -> list[str]:
        # For each word of the question, the object whose name or description fits it best.
        out: list[str] = []
        for word in dict.fromkeys(w for w, _ in self.lexical.analyzer.words(query,
                                                                             document=False)):
            best = self.titles.search(word, 1)
            if best:
                out.append(self.title_objects[best[0].position])
        return collapse(out)

    def vector_query(self, query: str) -> str:
        """The question as the embedding model reads it: with its gloss, as chunks are."""
        extra = gloss(query, analyzer=self.lexical.analyzer)
        return f"{query} ({extra})" if extra else query

    def _join_tables(self, tables: list[str]) -> list[TableHit]:
        added: dict[str, TableHit] = {}
        chosen = set(tables)
        for path in self.graph.connect(tables):
            conditions = [e.condition() for e in path.edges]
            for name in path.via:
                if name in chosen:
                    continue
                hit = added.get(name) or self._hit(name, 0.0, added_for_join=True)
                hit.joins += [c for c in conditions if c not in hit.joins]
                added[name] = hit
        return list(added.values())

    def _hit(self, name: str, score: float, **kw: object) -> TableHit:
        chunk = self._main.get(name)
        return TableHit(name=name, kind=chunk.object_kind if chunk else "table", score=score,
                        rows=chunk.rows if chunk else None, text=chunk.text if chunk else "",
                        **kw)  # type: ignore[arg-type]


class SchemaRetriever(BaseRetriever):
    """LangChain retriever over a `SchemaIndex`: one Document per table (its chunk text),
    with the score, the matched words and join information in the metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: SchemaIndex
    k: int = 5
    expand: bool = True

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        result = self.index.search(query, self.k, expand=self.expand)
        return [Document(page_content=h.text, metadata={**h.to_json(), "why": h.why()})
                for h in result.hits]
