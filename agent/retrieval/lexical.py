"""BM25 over normalised text, with the words each hit matched, rebuilt incrementally.

The index is a documents x terms matrix of counts (CSR, numpy), the vocabulary and the
sha1 of each indexed text. Building again from the previous index re-analyses only the
texts that changed: the rows of the others are copied, new terms are appended to the
vocabulary, and document frequencies, lengths and the per-term postings are recomputed
with a few vectorised passes. Scoring is Lucene's BM25 (k1 1.5, b 0.75, as bm25s).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from schemachat.agent.retrieval.text import Analyzer
from schemachat.ingest.vocabulary_glossary import Glossary, glossary

K1, B = 1.5, 0.75
ROWS, VOCAB, DIGESTS = "rows.npz", "vocab.json", "digests.json"
GLOSSARY = "glossary.json"  # whether the glossary is used, and the terms learned for it
_EMPTY = "_empty_"  # the one term of a text that has none


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class LexicalHit:
    """A chunk (by position), its BM25 score and the question's words it contains."""

    position: int
    score: float
    matched: tuple[str, ...]


@dataclass(frozen=True)
class _Rows:
    """Term counts per text: row n holds `indices[indptr[n]:indptr[n+1]]` (term ids)
    with `data` (counts)."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray


class _Postings:
    """Per term, the texts holding it and what it adds to their BM25 score."""

    def __init__(self, rows: _Rows, terms: int) -> None:
        n = len(rows.indptr) - 1
        counts = np.diff(rows.indptr)
        length = np.add.reduceat(rows.data, rows.indptr[:-1]) if n else np.zeros(0)
        df = np.bincount(rows.indices, minlength=terms)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        doc = np.repeat(np.arange(n, dtype=np.int32), counts)
        order = np.argsort(rows.indices, kind="stable")
        self.docs = doc[order]
        tf = rows.data[order].astype(np.float32)
        norm = K1 * (1 - B + B * length[self.docs] / max(float(length.mean()) if n else 1.0,
                                                             1e-9))
        self.weight = (idf[rows.indices[order]] * tf * (K1 + 1) / (tf + norm)).astype(
            np.float32)
        self.start = np.concatenate(([0], np.cumsum(df))).astype(np.int64)
        self.size = n


class LexicalIndex:
    """BM25 over texts (one per chunk); text positions are those of the list indexed."""

    def __init__(self, vocab: list[str], digests: list[str], rows: _Rows,
                 analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self._vocab = vocab
        self._ids = {t: i for i, t in enumerate(vocab)}
        self._digests = digests
        self._rows = rows
        self._postings: _Postings | None = None

    @classmethod
    def build(cls, texts: list[str], analyzer: Analyzer,
              previous: LexicalIndex | None = None) -> LexicalIndex:
        """Index `texts`. `previous` (an index built with the same analyzer) saves
        analysing the texts it already holds."""
        vocab = list(previous._vocab) if previous else []
        ids = dict(previous._ids) if previous else {}
        old = {d: n for n, d in enumerate(previous._digests)} if previous else {}
        digests, parts_i, parts_d = [], [], []
        done: dict[str, int] = {}
        for text in texts:
            key = _digest(text)
            if key in done:
                n = done[key]
                parts_i.append(parts_i[n])
                parts_d.append(parts_d[n])
            elif key in old and previous is not None:
                row = old[key]
                a, b = previous._rows.indptr[row], previous._rows.indptr[row + 1]
                parts_i.append(previous._rows.indices[a:b])
                parts_d.append(previous._rows.data[a:b])
            else:
                counts = Counter(analyzer.terms(text) or [_EMPTY])
                for term in counts:
                    if term not in ids:
                        ids[term] = len(vocab)
                        vocab.append(term)
                parts_i.append(np.fromiter((ids[t] for t in counts), np.int32, len(counts)))
                parts_d.append(np.fromiter(counts.values(), np.float32, len(counts)))
            done.setdefault(key, len(digests))
            digests.append(key)
        lengths = np.fromiter((len(p) for p in parts_i), np.int64, len(parts_i))
        rows = _Rows(np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
                     np.concatenate(parts_i) if parts_i else np.zeros(0, np.int32),
                     np.concatenate(parts_d) if parts_d else np.zeros(0, np.float32))
        vocab, rows = _compacted(vocab, rows)
        return cls(vocab, digests, rows, analyzer)

    def save(self, folder: Path) -> None:
        """Write the index, the learned abbreviations and glossary terms into `folder`."""
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ROWS).open("wb") as fh:
            np.savez(fh, indptr=self._rows.indptr, indices=self._rows.indices,
                     data=self._rows.data)
        (folder / VOCAB).write_text(json.dumps(self._vocab, ensure_ascii=False), "utf-8")
        (folder / DIGESTS).write_text(json.dumps(self._digests), "utf-8")
        (folder / "learned.json").write_text(
            json.dumps(self.analyzer.learned, ensure_ascii=False, sort_keys=True), "utf-8")
        used = self.analyzer.glossary
        (folder / GLOSSARY).write_text(json.dumps(
            {"used": used is not None,
             "learned": [list(map(list, p)) for p in used.learned] if used else []},
            ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """The index `save` wrote. OSError or ValueError when it is missing or damaged."""
        with np.load(folder / ROWS) as saved:
            rows = _Rows(saved["indptr"], saved["indices"], saved["data"])
        vocab = json.loads((folder / VOCAB).read_text("utf-8"))
        digests = json.loads((folder / DIGESTS).read_text("utf-8"))
        learned = json.loads((folder / "learned.json").read_text("utf-8"))
        analyzer = Analyzer(learned={k: tuple(v) for k, v in learned.items()},
                            glossary=_saved_glossary(folder))
        return cls(vocab, digests, rows, analyzer)

    def vocabulary(self) -> list[str]:
        """Every term indexed."""
        return list(self._vocab)

    def search(self, query: str, limit: int) -> list[LexicalHit]:
        """The best `limit` texts with a positive score, best first."""
        terms = self.analyzer.query_terms(query)
        for term, word in self.analyzer.phrase_terms(query).items():
            terms.setdefault(term, word)
        known = {t: w for t, w in terms.items() if t in self._ids}
        if not known:
            return []
        post = self._prepared()
        scores = np.zeros(post.size, dtype=np.float32)
        for term in known:
            t = self._ids[term]
            a, b = post.start[t], post.start[t + 1]
            scores[post.docs[a:b]] += post.weight[a:b]  # a text appears once per term
        order = [int(i) for i in np.argsort(-scores, kind="stable")[:limit] if scores[i] > 0]
        matched = self._matched(known, set(order))
        return [LexicalHit(i, float(scores[i]), tuple(dict.fromkeys(matched.get(i, []))))
                for i in order]

    def _prepared(self) -> _Postings:
        if self._postings is None:
            self._postings = _Postings(self._rows, len(self._vocab))
        return self._postings

    def _matched(self, terms: dict[str, str], positions: set[int]) -> dict[int, list[str]]:
        # Which question words each text contains, read from the postings.
        post = self._prepared()
        wanted = np.fromiter(positions, dtype=np.int32)
        out: dict[int, list[str]] = {}
        for term, word in terms.items():
            t = self._ids[term]
            docs = post.docs[post.start[t]:post.start[t + 1]]
            for doc in docs[np.isin(docs, wanted)]:
                out.setdefault(int(doc), []).append(word)
        return out


def _compacted(vocab: list[str], rows: _Rows) -> tuple[list[str], _Rows]:
    # Terms no text holds any more (edited away) are dropped once they are half the
    # vocabulary, so an index refreshed for years does not grow without end.
    used = np.bincount(rows.indices, minlength=len(vocab)) > 0 if len(vocab) else np.zeros(0)
    if used.sum() * 2 >= len(vocab):
        return vocab, rows
    new_id = np.cumsum(used) - 1
    kept = [t for t, u in zip(vocab, used, strict=True) if u]
    return kept, _Rows(rows.indptr, new_id[rows.indices].astype(np.int32), rows.data)


def _saved_glossary(folder: Path) -> Glossary | None:
    # The glossary the index was built with, and the terms learned for it.
    try:
        saved = json.loads((folder / GLOSSARY).read_text("utf-8"))
    except OSError:
        return None
    if not saved.get("used"):
        return None
    return glossary().extended((tuple(a), tuple(b)) for a, b in saved.get("learned", []))
