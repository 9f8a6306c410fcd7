"""Build and refresh the retrieval index in `<workspace>/index/`, and check it before use.

The folder holds `manifest.json` (which document and embedding model it was built from,
and the hash of every chunk), `chunks.jsonl`, the BM25 index (`bm25/`), the join graph
(`graph.json`) and, for the default store, the Chroma collection (`chroma/`).

Refreshing (`build_index`, or `refresh_index` after an annotation save) re-embeds only the
chunks whose hash changed and deletes the ones that are gone (one writer at a time, by a
lock file in the workspace); everything is rebuilt when asked, when the embedding model,
the vector store or the chunker changed, or when there is no manifest. The manifest is
written last, so an interrupted run is finished by the next one.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore
from pydantic import Field

from schemachat.agent.retrieval.chunks import CHUNKER_VERSION, Chunk, build_chunks, titles
from schemachat.agent.retrieval.fk_graph import FkGraph
from schemachat.agent.retrieval.lexical import LexicalIndex
from schemachat.agent.retrieval.text import Analyzer, learn_abbreviations
from schemachat.agent.retrieval.values import ValueIndex
from schemachat.agent.retrieval.vector import clear, open_vector_store
from schemachat.configs import BadInput, Settings
from schemachat.ingest.joins import join_edges
from schemachat.ingest.models.base import FileModel
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.values import TextValues
from schemachat.ingest.vocabulary_glossary import glossary, glossary_text, learn_terms
from schemachat.ingest.workspace import (
    Workspace,
    read_model,
    read_optional,
    write_model,
    write_text_atomic,
)

if TYPE_CHECKING:
    from filelock import FileLock

MANIFEST, CHUNKS, GRAPH, VALUES = "manifest.json", "chunks.jsonl", "graph.json", "values.json"
BM25, TITLES = "bm25", "titles"
EMBED_BATCH = 64
INDEX_LOCK_TIMEOUT_S = 600  # a full build of a big schema may hold the lock this long
Progress = Callable[[int, int], None]


class IndexManifest(FileModel):
    """What an index was built from; `chunks` maps chunk id -> content hash."""

    version: Literal[1] = 1
    kind: Literal["schema_index"] = "schema_index"
    built_at: datetime
    document_fingerprint: str
    embedding_model: str
    embedding_dimension: int
    vector_store: str
    chunker_version: int
    analysis_fingerprint: str = Field(
        "", description="sha256 of the vocabulary and learned abbreviations the chunks were "
                        "read with; while it holds, unchanged chunks keep their gloss.")
    chunks: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class IndexReport:
    """What one `build_index` run did."""

    full: bool
    reason: str
    chunks: int
    embedded: int
    deleted: int
    seconds: float
    store_seconds: float = 0.0  # of `seconds`: embedding and updating the vector store


def build_index(settings: Settings, *, rebuild: bool = False,
                embeddings: Embeddings | None = None,
                progress: Progress | None = None) -> IndexReport:
    """Index the workspace's combined document (incrementally unless `rebuild`).

    Raises BadInput when combined_schema_details.json is missing or invalid.
    """
    ws = Workspace(settings.workspace)
    with _index_lock(ws):
        doc = read_model(ws.combined, CombinedSchema)
        return index_document(doc, ws.index_dir, settings, rebuild=rebuild,
                              embeddings=embeddings, progress=progress,
                              values=read_optional(ws.values, TextValues))


def refresh_index(settings: Settings, doc: CombinedSchema, *,
                  embeddings: Embeddings | None = None) -> IndexReport | None:
    """After an annotation save: bring the workspace's index up to date with `doc`, the
    combined document just written (only the chunks that changed are embedded again).

    None, and nothing done, when there is no index or it needs a full rebuild (another
    embedding model, store or chunker): `schemachat index` is for that, and /health says so.
    """
    ws = Workspace(settings.workspace)
    with _index_lock(ws):
        try:
            check_usable(read_manifest(ws.index_dir), settings, ws, fresh=False)
        except BadInput:
            return None
        return index_document(doc, ws.index_dir, settings, embeddings=embeddings,
                              values=read_optional(ws.values, TextValues))


def _index_lock(ws: Workspace) -> FileLock:
    # One writer of the index at a time: the CLI, the API and the app may all refresh it.
    return ws.lock("index", timeout=INDEX_LOCK_TIMEOUT_S)


def index_document(doc: CombinedSchema, index_dir: Path, settings: Settings, *,
                   rebuild: bool = False, embeddings: Embeddings | None = None,
                   progress: Progress | None = None,
                   values: TextValues | None = None) -> IndexReport:
    """Bring the index in `index_dir` up to date with `doc` (and `values`, the value
    index of the workspace, when there is one)."""
    started = time.perf_counter()
    embeddings = embeddings or default_embeddings(settings)
    analyzer = document_analyzer(doc)
    analysis = _analysis_fingerprint(analyzer)
    old = read_manifest(index_dir)
    reason = _rebuild_reason(old, settings, rebuild)
    reuse = old is not None and not reason and old.analysis_fingerprint == analysis
    edges = join_edges(doc, analyzer.learned)
    chunks = build_chunks(doc, analyzer, _old_glosses(index_dir) if reuse else None, edges)
    store = open_vector_store(settings, index_dir, embeddings)
    if reason:
        (index_dir / MANIFEST).unlink(missing_ok=True)
        clear(store, list(old.chunks) if old else [])
    known = {} if reason or old is None else old.chunks
    current = {c.id: c.hash for c in chunks}
    changed = [c for c in chunks if known.get(c.id) != c.hash]
    gone = [i for i in known if i not in current]
    stale = gone + [c.id for c in changed if c.id in known]
    store_started = time.perf_counter()
    if stale:
        store.delete(stale)
    for done in _add(store, changed):
        if progress:
            progress(done, len(changed))
    store_seconds = time.perf_counter() - store_started
    _write_side_files(doc, chunks, analyzer, index_dir, FkGraph(edges), reuse)
    ValueIndex.build(values, doc).save(index_dir / VALUES)
    write_model(index_dir / MANIFEST, IndexManifest(
        built_at=datetime.now(UTC), document_fingerprint=doc.fingerprint,
        embedding_model=settings.embedding_model,
        embedding_dimension=_dimension(embeddings, old, reason),
        vector_store=settings.vector_store, chunker_version=CHUNKER_VERSION,
        analysis_fingerprint=analysis, chunks=current))
    return IndexReport(full=bool(reason), reason=reason or "incremental", chunks=len(chunks),
                       embedded=len(changed), deleted=len(gone),
                       seconds=time.perf_counter() - started, store_seconds=store_seconds)


def document_analyzer(doc: CombinedSchema) -> Analyzer:
    """How retrieval reads `doc`: the vocabulary, the glossary, and the abbreviations and
    glossary terms its annotations and descriptions teach."""
    described = list(_described_names(doc))
    return Analyzer(learned=learn_abbreviations(described),
                    glossary=glossary().extended(learn_terms(described)))


def _analysis_fingerprint(analyzer: Analyzer) -> str:
    from importlib import resources

    vocab = resources.files("schemachat.ingest").joinpath("data/vocabulary.yaml")
    terms = analyzer.glossary.fingerprint if analyzer.glossary else ""
    data = json.dumps([CHUNKER_VERSION, vocab.read_text("utf-8"), glossary_text(), terms,
                       analyzer.learned], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def _old_glosses(index_dir: Path) -> dict[str, str]:
    # Glosses of the last build, by chunk text; nothing when the file is unreadable.
    try:
        return {c.text: c.gloss for c in read_chunks(index_dir)}
    except (OSError, ValueError, TypeError):
        return {}


def _dimension(embeddings: Embeddings, old: IndexManifest | None, reason: str) -> int:
    # Same model as last time: same dimension, no need to embed anything to learn it.
    if old is not None and not reason:
        return old.embedding_dimension
    return len(embeddings.embed_query("dimension"))


def default_embeddings(settings: Settings) -> Embeddings:
    """The embeddings named by settings (loaded once per process)."""
    from schemachat.agent.retrieval.embeddings import SentenceEmbeddings

    return SentenceEmbeddings(settings.embedding_model)


def read_manifest(index_dir: Path) -> IndexManifest | None:
    """The manifest, or None when there is none or it cannot be read."""
    try:
        return read_model(index_dir / MANIFEST, IndexManifest)
    except BadInput:
        return None


def check_usable(manifest: IndexManifest | None, settings: Settings, ws: Workspace, *,
                 fresh: bool = True) -> None:
    """BadInput, with the command to run, unless the index can answer for this workspace:
    it exists, was built with the configured model and store, and (with `fresh`) from
    the current combined document."""
    if manifest is None:
        raise BadInput(f"no index in {ws.index_dir}: run `schemachat index`")
    if manifest.embedding_model != settings.embedding_model:
        raise BadInput(f"the index in {ws.index_dir} was built with embedding model "
                       f"{manifest.embedding_model!r}, settings say {settings.embedding_model!r}; "
                       "vectors of two models are not mixed: run `schemachat index --rebuild`")
    if manifest.vector_store != settings.vector_store:
        raise BadInput(f"the index in {ws.index_dir} uses vector store {manifest.vector_store!r}, "
                       f"settings say {settings.vector_store!r}: run `schemachat index --rebuild`")
    if manifest.chunker_version != CHUNKER_VERSION:
        raise BadInput(f"the index in {ws.index_dir} was built by an older schemachat: "
                       "run `schemachat index`")
    if fresh and document_fingerprint(ws.combined) != manifest.document_fingerprint:
        raise BadInput(f"the index in {ws.index_dir} is stale ({ws.combined.name} changed since "
                       "it was built): run `schemachat index`")


_FINGERPRINT = re.compile(r'"fingerprint"\s*:\s*"([0-9a-f]{64})"')


def document_fingerprint(path: Path) -> str:
    """The fingerprint of the combined document at `path`, read from its head when it can
    be (the field comes first in the file), so checking an index stays fast on big schemas.

    Raises BadInput when the file is missing or has no fingerprint.
    """
    if not path.is_file():
        raise BadInput(f"{path} not found: run `schemachat merge` first")
    with path.open(encoding="utf-8") as fh:
        match = _FINGERPRINT.search(fh.read(4096))
    if match:
        return match.group(1)
    return read_model(path, CombinedSchema).fingerprint


def read_titles(index_dir: Path) -> tuple[LexicalIndex, list[str]]:
    """The title index and the object of each of its positions."""
    names = json.loads((index_dir / TITLES / "objects.json").read_text("utf-8"))
    return LexicalIndex.load(index_dir / TITLES), names


def read_chunks(index_dir: Path) -> list[Chunk]:
    """The chunks the index holds, in index order (BM25 positions)."""
    with (index_dir / CHUNKS).open(encoding="utf-8") as fh:
        return [Chunk(**json.loads(line)) for line in fh if line.strip()]


def _rebuild_reason(old: IndexManifest | None, settings: Settings, rebuild: bool) -> str:
    if rebuild:
        return "rebuild asked"
    if old is None:
        return "new index"
    if old.embedding_model != settings.embedding_model:
        return f"embedding model changed ({old.embedding_model} -> {settings.embedding_model})"
    if old.vector_store != settings.vector_store:
        return f"vector store changed ({old.vector_store} -> {settings.vector_store})"
    if old.chunker_version != CHUNKER_VERSION:
        return "chunker changed"
    return ""


def _add(store: VectorStore, chunks: list[Chunk]) -> Iterator[int]:
    for n in range(0, len(chunks), EMBED_BATCH):
        batch = chunks[n:n + EMBED_BATCH]
        docs = [Document(page_content=c.embed_text, metadata={"object": c.object, "kind": c.kind,
                                                        "object_kind": c.object_kind,
                                                        "hash": c.hash}) for c in batch]
        store.add_documents(docs, ids=[c.id for c in batch])
        yield n + len(batch)


def _write_side_files(doc: CombinedSchema, chunks: list[Chunk], analyzer: Analyzer,
                      index_dir: Path, graph: FkGraph, reuse: bool = False) -> None:
    # Both BM25 indexes are rebuilt from the last ones (only changed texts analysed)
    # while the analysis is the same; files whose content did not change are not written.
    LexicalIndex.build([c.text for c in chunks], analyzer,
                       _previous(index_dir / BM25) if reuse else None).save(index_dir / BM25)
    named = titles(doc)
    LexicalIndex.build([text for _, text in named], analyzer,
                       _previous(index_dir / TITLES) if reuse else None).save(index_dir / TITLES)
    _write_if_changed(index_dir / TITLES / "objects.json",
                      json.dumps([name for name, _ in named], ensure_ascii=False))
    _write_if_changed(index_dir / GRAPH, json.dumps(graph.to_json(), ensure_ascii=False))
    write_text_atomic(index_dir / CHUNKS, "".join(
        json.dumps(c.to_json(), ensure_ascii=False) + "\n" for c in chunks))


def _previous(folder: Path) -> LexicalIndex | None:
    # The last build of a BM25 index, or None when it is missing or damaged (then every
    # text is analysed again).
    try:
        return LexicalIndex.load(folder)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None


def _write_if_changed(path: Path, text: str) -> None:
    try:
        if path.read_text("utf-8") == text:
            return
    except OSError:
        pass
    write_text_atomic(path, text)


def _described_names(doc: CombinedSchema) -> Iterator[tuple[str, str]]:
    """(identifier, what the annotations and the database say about it) pairs."""
    for rel in doc.relations():
        note = rel.annotation.description if rel.annotation else None
        text = " ".join(p for p in (note, rel.description) if p)
        if text:
            yield rel.name, text
        for col in rel.columns:
            cnote = col.annotation.description if col.annotation else None
            ctext = " ".join(p for p in (cnote, col.description) if p)
            if ctext:
                yield col.name, ctext
