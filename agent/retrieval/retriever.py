"""Hybrid search over an index: BM25 + vectors, fused by reciprocal rank, completed
with the tables the question needs but does not name (on the join path between two it
names, or referenced by a key column whose role it names: `completion`), then the tables
needed to join the top hits added along the join graph.

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
from schemachat.agent.retrieval.column_names import ColumnNames
from schemachat.agent.retrieval.completion import Completion, join_path_tables, role_tables
from schemachat.agent.retrieval.fk_graph import FkGraph
from schemachat.agent.retrieval.fusion import collapse, reciprocal_rank_fusion
from schemachat.agent.retrieval.index import (
    BM25,
    GRAPH,
    VALUES,
    IndexManifest,
    check_usable,
    default_embeddings,
    read_chunks,
    read_manifest,
    read_titles,
)
from schemachat.agent.retrieval.lexical import LexicalIndex
from schemachat.agent.retrieval.roles import Role, roles
from schemachat.agent.retrieval.text import gloss, tokens
from schemachat.agent.retrieval.values import ValueIndex
from schemachat.agent.retrieval.vector import open_vector_store
from schemachat.configs import BadInput, Settings
from schemachat.ingest.vocabulary import fold
from schemachat.ingest.workspace import Workspace

QUERY_GLOSS = 24  # words of gloss the question is embedded with (embedding time grows with length)
CANDIDATES = 40  # chunks each side hands to the fusion
# Rankings fused: BM25 over whole chunks, BM25 over names + descriptions, vectors, and
# the best-named object for each word of the question ("concepts", so a question about
# invoices *and* customers *and* states brings the table of each). The embedding model
# reads English only and the schema is mostly Portuguese, so the vector ranking counts
# half; so does the concept list, which is one guess per word.
WEIGHTS = {"lexical": 1.0, "titles": 1.0, "vector": 0.5, "concepts": 0.5, "coverage": 1.0,
           "columns": 1.0}
# "columns": the tables with a column whose every word the question says ("net pay",
# "credit limit": `column_names`), longest names first.
# "coverage": objects by how many of the question's words their chunks contain, so the
# table matching "supplier" *and* "payments" is not outranked by the best table for
# each word alone.
# Then two more rankings, from the first fusion's top k (`completion`): the tables on the
# join paths between them, and the tables their role columns reference when the question
# names the role; a table they raise stays below the tables it was raised for.
COMPLETION_WEIGHTS = {"paths": 1.0, "roles": 1.0}
# The tables holding stored values the question names: a whole value ("clientes de
# Campinas") counts like a word of a table's name, a word inside values less.
VALUES_WEIGHTS = {"whole": 1.0, "words": 0.25}
# Question words that ask for a person ("who received the goods", "quem fez a contagem"):
# the role columns of the best tables then name who, even when the role's own word
# ("counted" of STOCK_COUNTS.COUNTED_BY) is the table's. Stop words elsewhere, so read
# from the raw words; only the first tables, whose roles the question is about.
PERSON_WORDS = frozenset({"who", "whom", "whose", "quem"})
PERSON_ANCHORS = 2
# A procedure's chunk is a few lines (name, parameters, tables used), which BM25 favours
# over the longer chunks of tables; and the agent answers with SQL over tables.
PROCEDURE_FACTOR = 0.8
CONCEPT_CANDIDATES = 3  # titles looked at for each word's table (`_concepts`)


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
    completed: str = ""  # why a table the question did not name was ranked

    def why(self) -> str:
        """One line: what made this table come up."""
        if self.added_for_join:
            return "added to join: " + "; ".join(self.joins)
        if self.completed:
            return self.completed
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
                "added_for_join": self.added_for_join, "joins": self.joins, "rows": self.rows,
                "completed": self.completed}


@dataclass
class SearchResult:
    """Ranked hits (the top `k`), then the tables added to join them."""

    query: str
    hits: list[TableHit]

    @property
    def tables(self) -> list[str]:
        """Names in result order."""
        return [h.name for h in self.hits]


@dataclass
class _Rankings:
    """The first fusion's rankings of one question (object names, best first), the
    question words each object's chunks matched and its vector similarity."""

    lexical: list[str]
    titled: list[str]
    vector: list[str]
    concepts: list[str]
    valued: list[tuple[str, str, bool]]  # (table, why, a whole value named)
    columns: list[str]  # tables with a column the question names in full
    matched: dict[str, list[str]]
    similarity: dict[str, float]

    def rankings(self) -> tuple[list[list[str]], list[float]]:
        """The rankings to fuse and their weights."""
        covered = sorted(self.lexical, key=lambda t: -len(self.matched.get(t, [])))
        return ([self.lexical, self.titled, self.vector, self.concepts, covered, self.columns,
                 [t for t, _, whole in self.valued if whole], [t for t, _, _ in self.valued]],
                [*(WEIGHTS[n] for n in ("lexical", "titles", "vector", "concepts", "coverage",
                                        "columns")),
                 VALUES_WEIGHTS["whole"], VALUES_WEIGHTS["words"]])


class SchemaIndex:
    """An opened index: chunks, BM25, join graph and vector store."""

    def __init__(self, manifest: IndexManifest, chunks: list[Chunk], lexical: LexicalIndex,
                 titles: tuple[LexicalIndex, list[str]], graph: FkGraph,
                 store: VectorStore, values: ValueIndex | None = None) -> None:
        self.manifest = manifest
        self.chunks = chunks
        self.lexical = lexical
        self.titles, self.title_objects = titles
        self.graph = graph
        self.store = store
        self.values = values or ValueIndex()
        self._main = {c.object: c for c in chunks if c.kind != "columns"}
        self._names: frozenset[str] | None = None
        self._columns: ColumnNames | None = None
        self._roles: tuple[list[Role], dict[tuple[str, tuple[str, ...]], frozenset[str]]] | None = (
            None)

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
                   open_vector_store(settings, index_dir, embeddings),
                   ValueIndex.load(index_dir / VALUES))

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
        found = self._rankings(query)
        rankings, weights = found.rankings()
        first = self._procedures_scaled(reciprocal_rank_fusion(rankings, weights=weights))
        top = first[:k]
        paths, roles_named = self._completions(query, [t for t, _ in top])
        ranked = _beside_anchors(_below_anchors(self._procedures_scaled(reciprocal_rank_fusion(
            [*rankings, [c.table for c in paths], [c.table for c in roles_named]],
            weights=[*weights, COMPLETION_WEIGHTS["paths"], COMPLETION_WEIGHTS["roles"]])),
            dict(first), [*paths, *roles_named]), roles_named)[:k]
        shown = {t for t, _ in top}
        why = {c.table: c.why for c in [*roles_named, *paths] if c.table not in shown}
        for table, said, _ in found.valued:
            if not found.matched.get(table):  # no word of its chunks: the value named it
                why.setdefault(table, "stored value: " + said)
        lex_rank = {name: n for n, name in enumerate(found.lexical, start=1)}
        vec_rank = {name: n for n, name in enumerate(found.vector, start=1)}
        return [self._hit(name, score, matched=found.matched.get(name, []),
                          lexical_rank=lex_rank.get(name), vector_rank=vec_rank.get(name),
                          similarity=found.similarity.get(name), completed=why.get(name, ""))
                for name, score in ranked]

    def _rankings(self, query: str) -> _Rankings:
        # Every ranking of the first fusion, and what explains them.
        lexical = self.lexical.search(query, CANDIDATES)
        matched: dict[str, list[str]] = {}
        for h in lexical:
            words = matched.setdefault(self.chunks[h.position].object, [])
            words += [w for w in h.matched if w not in words]
        vector = self.store.similarity_search_with_score(self.vector_query(query), k=CANDIDATES)
        similarity: dict[str, float] = {}
        for doc, distance in vector:  # stores are set up with cosine distance
            similarity.setdefault(doc.metadata["object"], 1.0 - float(distance))
        return _Rankings(
            lexical=collapse([self.chunks[h.position].object for h in lexical]),
            titled=[self.title_objects[h.position]
                    for h in self.titles.search(query, CANDIDATES)],
            vector=collapse([doc.metadata["object"] for doc, _ in vector]),
            concepts=self._concepts(query),
            columns=[t for t, _ in self._column_names().rank(
                self.lexical.analyzer.query_terms(query))],
            valued=self.values.rank(tokens(query), self.lexical.analyzer,
                                    self._schema_terms()),
            matched=matched, similarity=similarity)

    def _completions(self, query: str, top: list[str]) -> tuple[list[Completion],
                                                                list[Completion]]:
        # The tables on the join paths between the top tables, and those referenced by
        # the top tables' role columns whose role the question names (`completion`).
        anchors = [t for t in top if self._kind(t) != "procedure"]
        found, terms = self._role_index()
        asked = self.lexical.analyzer.query_terms(query)
        named = {key: [asked[t] for t in role_terms if t in asked]
                 for key, role_terms in terms.items()}
        who = [w for w in tokens(query) if fold(w) in PERSON_WORDS]
        if who:
            for role in found:
                if role.table in anchors[:PERSON_ANCHORS] and role.ref_table != role.table:
                    named[(role.table, role.columns)] = named[(role.table, role.columns)] or who[:1]
        return (join_path_tables(anchors, self.graph),
                role_tables(anchors, found, {k: v for k, v in named.items() if v}))

    def _role_index(self) -> tuple[list[Role], dict[tuple[str, tuple[str, ...]], frozenset[str]]]:
        # Role columns of the join graph and the terms that name each role but not the
        # table it is a column of ("rep", "vendedor" for SALES_ORDERS.SALES_REP_ID, not
        # "sales"), computed once per index.
        if self._roles is None:
            analyzer = self.lexical.analyzer
            found = roles(self.graph.edges, analyzer)
            terms = {(r.table, r.columns): frozenset(analyzer.terms(r.label))
                     - frozenset(analyzer.terms(r.table)) for r in found}
            self._roles = (found, terms)
        return self._roles

    def _column_names(self) -> ColumnNames:
        # Read from the chunks once per index.
        if self._columns is None:
            self._columns = ColumnNames.of(self.chunks, self.lexical.analyzer)
        return self._columns

    def _procedures_scaled(self, fused: list[tuple[str, float]]) -> list[tuple[str, float]]:
        out = [(t, s * PROCEDURE_FACTOR if self._kind(t) == "procedure" else s) for t, s in fused]
        return sorted(out, key=lambda item: -item[1])

    def _schema_terms(self) -> frozenset[str]:
        # Terms of the names and descriptions of tables: a question word among them names
        # the schema, not a stored value.
        if self._names is None:
            self._names = frozenset(self.titles.vocabulary())
        return self._names

    def _kind(self, name: str) -> str:
        chunk = self._main.get(name)
        return chunk.object_kind if chunk else "table"

    def _concepts(self, query: str) -> list[str]:
        # For each word of the question, the table or view whose name or description fits
        # it best, then the procedure that fits it better, if one does. A procedure's
        # name is a few words (SP_EXTRATO_CLIENTE), which the title BM25 favours over the
        # table (CAD_CLI) the agent's SQL reads.
        out: list[str] = []
        for word in dict.fromkeys(w for w, _ in self.lexical.analyzer.words(query,
                                                                             document=False)):
            names = [self.title_objects[h.position]
                     for h in self.titles.search(word, CONCEPT_CANDIDATES)]
            out += [n for n in names if self._kind(n) != "procedure"][:1] + names[:1]
        return collapse(out)

    def vector_query(self, query: str) -> str:
        """The question as the embedding model reads it: with its gloss, as chunks are."""
        extra = gloss(query, limit=QUERY_GLOSS, analyzer=self.lexical.analyzer)
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


def _below_anchors(ranked: list[tuple[str, float]], before: dict[str, float],
                   added: list[Completion]) -> list[tuple[str, float]]:
    """`ranked`, with each table a completion raised kept below the tables it was raised
    for (the table between two named ones, or behind a role, comes after them), though
    never below where it was `before` the completion."""
    score = dict(ranked)
    for c in added:
        ends = [score[t] for t in c.because if t in score]
        if c.table in score and ends:
            cap = max(min(ends) - 1e-6, before.get(c.table, 0.0))
            score[c.table] = min(score[c.table], cap)
    return sorted(score.items(), key=lambda item: -item[1])


def _beside_anchors(ranked: list[tuple[str, float]],
                    named: list[Completion]) -> list[tuple[str, float]]:
    """`ranked`, with each table behind a role the question names ("who *approved* each
    order") right after the table whose column it is: the question asks for both, and
    the people or places table behind a role has few words of its own in the question,
    so fusion alone leaves it far below."""
    score = dict(ranked)
    for c in named:
        ends = [score[t] for t in c.because if t in score]
        if ends:
            score[c.table] = max(score.get(c.table, 0.0), min(ends) - 1e-6)
    return sorted(score.items(), key=lambda item: -item[1])


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
