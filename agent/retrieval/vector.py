"""The vector side: a LangChain `VectorStore` chosen by settings.

`chroma` (the default) keeps a persistent Chroma collection in `<workspace>/index/chroma`;
`chroma-http` talks to a Chroma server at `vector_store_url`. Another store (pgvector,
a hosted service) is one more entry in `STORES`: a function that returns a LangChain
`VectorStore` supporting `add_documents(ids=...)`, `delete(ids)` and
`similarity_search_with_relevance_scores`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore

from schemachat.configs import BadInput, Settings

if TYPE_CHECKING:  # chromadb is slow to import: only when a store is opened
    from chromadb.config import Settings as ChromaSettings

COLLECTION = "schemachat_schema"
_SPACE = {"hnsw:space": "cosine"}


def _chroma_client_settings() -> ChromaSettings:
    from chromadb.config import Settings as ChromaSettings

    # Never phone home: the index must work without network.
    return ChromaSettings(anonymized_telemetry=False)


def _chroma_local(settings: Settings, index_dir: Path, embeddings: Embeddings) -> VectorStore:
    import chromadb
    from langchain_chroma import Chroma

    folder = index_dir / "chroma"
    folder.mkdir(parents=True, exist_ok=True)
    client = chromadb.PersistentClient(path=str(folder), settings=_chroma_client_settings())
    return Chroma(collection_name=COLLECTION, embedding_function=embeddings, client=client,
                  collection_metadata=_SPACE)


def _chroma_http(settings: Settings, index_dir: Path, embeddings: Embeddings) -> VectorStore:
    import chromadb
    from langchain_chroma import Chroma

    if not settings.vector_store_url:
        raise BadInput("vector_store 'chroma-http' needs vector_store_url "
                       "(env SCHEMACHAT_VECTOR_STORE_URL), e.g. http://localhost:8000")
    url = urlparse(settings.vector_store_url)
    client = chromadb.HttpClient(host=url.hostname or "localhost", port=url.port or 8000,
                                 ssl=url.scheme == "https", settings=_chroma_client_settings())
    return Chroma(collection_name=COLLECTION, embedding_function=embeddings, client=client,
                  collection_metadata=_SPACE)


STORES: dict[str, Callable[[Settings, Path, Embeddings], VectorStore]] = {
    "chroma": _chroma_local,
    "chroma-http": _chroma_http,
}


def open_vector_store(settings: Settings, index_dir: Path, embeddings: Embeddings) -> VectorStore:
    """The configured vector store (created empty when new)."""
    try:
        make = STORES[settings.vector_store]
    except KeyError:
        raise BadInput(f"unknown vector_store {settings.vector_store!r}; known: "
                       f"{', '.join(STORES)}") from None
    return make(settings, index_dir, embeddings)


def clear(store: VectorStore, ids: list[str]) -> None:
    """Empty the store: recreate a Chroma collection, otherwise delete `ids`."""
    reset = getattr(store, "reset_collection", None)
    if callable(reset):
        reset()
    elif ids:
        store.delete(ids)
