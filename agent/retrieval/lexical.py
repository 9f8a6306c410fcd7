"""BM25 over normalised chunk text (bm25s), with the words each hit matched."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from schemachat.agent.retrieval.text import Analyzer
from schemachat.ingest.vocabulary_glossary import Glossary, glossary

TERMS = "terms.txt"  # one line per indexed text: its digest, then its terms
GLOSSARY = "glossary.json"  # whether the glossary is used, and the terms learned for it


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class LexicalHit:
    """A chunk (by position), its BM25 score and the question's words it contains."""

    position: int
    score: float
    matched: tuple[str, ...]


class LexicalIndex:
    """BM25 over the chunks' terms; chunk positions are those of the list indexed."""

    def __init__(self, bm25: bm25s.BM25, analyzer: Analyzer,
                 terms: dict[str, list[str]] | None = None) -> None:
        self._bm25 = bm25
        self.analyzer = analyzer
        self._terms = terms or {}

    @classmethod
    def build(cls, texts: list[str], analyzer: Analyzer,
              known_terms: dict[str, list[str]] | None = None) -> LexicalIndex:
        """Index `texts` (one per chunk). `known_terms` (text digest -> terms, from
        `read_terms`) saves analysing texts that did not change since the last build."""
        known = known_terms or {}
        terms: dict[str, list[str]] = {}
        corpus = []
        for text in texts:
            key = _digest(text)
            found = known.get(key) or terms.get(key) or analyzer.terms(text) or ["_empty_"]
            terms[key] = found
            corpus.append(found)
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        return cls(bm25, analyzer, terms)

    def save(self, folder: Path) -> None:
        """Write the index, the learned abbreviations and each text's terms into `folder`."""
        folder.mkdir(parents=True, exist_ok=True)
        self._bm25.save(str(folder))
        (folder / "learned.json").write_text(
            json.dumps(self.analyzer.learned, ensure_ascii=False, sort_keys=True), "utf-8")
        used = self.analyzer.glossary
        (folder / GLOSSARY).write_text(json.dumps(
            {"used": used is not None, "learned": [list(map(list, p)) for p in used.learned]}
            if used is not None else {"used": False, "learned": []}, ensure_ascii=False), "utf-8")
        (folder / TERMS).write_text(
            "".join(f"{key} {' '.join(words)}\n" for key, words in self._terms.items()),
            "utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """The index `save` wrote."""
        bm25 = bm25s.BM25.load(str(folder))
        learned = json.loads((folder / "learned.json").read_text("utf-8"))
        return cls(bm25, Analyzer(learned={k: tuple(v) for k, v in learned.items()},
                                  glossary=_saved_glossary(folder)))

    @staticmethod
    def read_terms(folder: Path) -> dict[str, list[str]]:
        """Text digest -> terms, as the last `save` wrote them ({} when missing)."""
        try:
            lines = (folder / TERMS).read_text("utf-8").splitlines()
        except OSError:
            return {}
        return {key: rest.split() for key, _, rest in (line.partition(" ") for line in lines)}

    def vocabulary(self) -> list[str]:
        """Every term indexed."""
        return list(self._bm25.vocab_dict)

    def search(self, query: str, limit: int) -> list[LexicalHit]:
        """The best `limit` chunks with a positive score, best first."""
        terms = self.analyzer.query_terms(query)
        vocab = self._bm25.vocab_dict
        known = {t: w for t, w in terms.items() if t in vocab}
        if not known:
            return []
        scores = self._bm25.get_scores(list(known))
        order = np.argsort(-scores)[:limit]
        order = [int(i) for i in order if scores[i] > 0]
        matched = self._matched(known, set(order))
        return [LexicalHit(i, float(scores[i]), tuple(dict.fromkeys(matched.get(i, []))))
                for i in order]

    def _matched(self, terms: dict[str, str], positions: set[int]) -> dict[int, list[str]]:
        # Which question words each chunk contains, read from the BM25 matrix
        # (one column of chunk ids per term).
        data = self._bm25.scores
        indptr, indices = data["indptr"], data["indices"]
        wanted = np.fromiter(positions, dtype=indices.dtype)
        out: dict[int, list[str]] = {}
        for term, word in terms.items():
            t = self._bm25.vocab_dict[term]
            docs = indices[indptr[t]:indptr[t + 1]]
            for doc in docs[np.isin(docs, wanted)]:
                out.setdefault(int(doc), []).append(word)
        return out


def _saved_glossary(folder: Path) -> Glossary | None:
    # The glossary the index was built with, and the terms learned for it.
    try:
        saved = json.loads((folder / GLOSSARY).read_text("utf-8"))
    except OSError:
        return None
    if not saved.get("used"):
        return None
    return glossary().extended((tuple(a), tuple(b)) for a, b in saved.get("learned", []))
