"""Text normalisation for the lexical index, for Portuguese and English.

A document or a question becomes a list of *terms*: words folded to lower case
without accents, identifiers split into their parts (`CLI_NOMRAZ` -> cli, nomraz,
nom, raz), abbreviations expanded (`cli` -> cliente) from the project's one vocabulary
(`schemachat.ingest.vocabulary`) and from what the annotations themselves say
(`learn_abbreviations`), documents enriched with the other-language synonyms of their
words (cliente -> customer) and, with a glossary (`schemachat.ingest.vocabulary_glossary`),
with the translations of their business words and phrases (fatura -> invoice, "contas a
pagar" -> accounts payable), and everything lightly stemmed with both the Portuguese and
the English Snowball stemmer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from schemachat.ingest.vocabulary import (
    Vocabulary,
    canonical,
    fold,
    is_identifier,
    split_identifier,
    stems,
    vocabulary,
)
from schemachat.ingest.vocabulary_glossary import Glossary

_WORD = re.compile(r"[^\W_]+(?:_+[^\W_]+)*")
_LETTERS = re.compile(r"^[a-z]+$")
SEGMENT_MIN = 5  # parts shorter than this are never split into smaller abbreviations
CACHE_MAX = 200_000  # tokens an Analyzer remembers


def tokens(text: str) -> list[str]:
    """The words and identifiers of `text`, as written ('CLI_COD', 'Campinas')."""
    return _WORD.findall(text)


@dataclass
class Analyzer:
    """Turns text into terms. `learned` holds abbreviations read from annotations;
    `glossary` (None: not used) the business words and phrases of both languages."""

    vocab: Vocabulary = field(default_factory=vocabulary)
    learned: dict[str, tuple[str, ...]] = field(default_factory=dict)
    glossary: Glossary | None = None
    stopwords: frozenset[str] = field(init=False, repr=False, compare=False)
    _cache: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = field(
        default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.stopwords = self.vocab.stopwords | (
            self.glossary.stopwords if self.glossary else frozenset())

    def expand_part(self, part: str) -> list[str]:
        """What an identifier part stands for: dictionary, then learned, then a split
        into known abbreviations ('nomraz' -> nom, raz, and their meanings)."""
        known = (self.vocab.abbreviations.get(part) or self.learned.get(part)
                 or (self.glossary.abbreviations.get(part) if self.glossary else None))
        if known:
            return list(known)
        if len(part) >= SEGMENT_MIN and not self.vocab.knows(part) and not (
                self.glossary and self.glossary.knows(part)):
            pieces = self.segment(part)
            out: list[str] = []
            for piece in pieces:
                out += [piece, *self.vocab.abbreviations.get(piece, ())]
            return out
        return []

    def segment(self, part: str) -> list[str]:
        """Split `part` into known abbreviations or words when it is made only of them."""
        return _segment(part, self.vocab)

    def words(self, text: str, *, document: bool,
              translate: bool | None = None) -> list[tuple[str, str]]:
        """(folded word, the original word it came from) pairs, before stemming: the
        words of `text` and their expansions, then (for documents) their synonyms and
        then what the glossary translates them to (phrases first, then the single words
        no phrase took). `translate` asks for the translations without the synonyms
        (default: for documents only)."""
        read = [self._read(raw) for raw in _WORD.findall(text)]
        base = [pair for said, _ in read for pair in said]
        out = list(base)
        if document:
            out += [pair for _, synonyms in read for pair in synonyms]
        if self.glossary is not None and (document if translate is None else translate):
            out += self._translated(base)
        return out

    def _translated(self, base: list[tuple[str, str]]) -> list[tuple[str, str]]:
        # What the glossary says the words mean in the other language: phrases over
        # consecutive words ("contas a pagar"), then each word no phrase covered.
        assert self.glossary is not None
        words = [w for w, _ in base]
        covered = [False] * len(words)
        out: list[tuple[str, str]] = []
        for start, end, brought in self.glossary.phrases_in(words):
            covered[start:end] = [True] * (end - start)
            out += [(w, base[start][1]) for w in sorted(brought)]
        for n, (word, orig) in enumerate(base):
            if not covered[n]:
                out += [(w, orig) for w in sorted(self.glossary.translations(word))]
        return list(self._keep(out))

    def _read(self, raw: str) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
        # One token's words and synonyms, remembered: schema text repeats the same
        # names and words thousands of times.
        cached = self._cache.get(raw)
        if cached is None:
            base: list[tuple[str, str]] = []
            if is_identifier(raw):
                for part in split_identifier(raw):
                    base.append((part, raw))
                    base += [(w, raw) for w in self.expand_part(part)]
            else:
                word = fold(raw)
                if not word.isdigit():
                    base.append((word, raw))
            synonyms = [(syn, raw) for word, _ in base
                        for syn in sorted(self.vocab.synonyms_of(word))]
            cached = (self._keep(base), self._keep(synonyms))
            if len(self._cache) > CACHE_MAX:  # a long-running server sees endless questions
                self._cache.clear()
            self._cache[raw] = cached
        return cached

    def _keep(self, pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        return tuple((w, o) for w, o in pairs if w not in self.stopwords and len(w) > 1)

    def terms(self, text: str, *, document: bool = True) -> list[str]:
        """Stemmed terms of `text`; documents also get the synonyms of their words."""
        return [s for word, _ in self.words(text, document=document) for s in stems(word)]

    def query_terms(self, text: str, *, translate: bool = False) -> dict[str, str]:
        """Stemmed term -> the word of the question it came from (for 'why it matched');
        with `translate`, also what the glossary translates its words to."""
        out: dict[str, str] = {}
        for word, orig in self.words(text, document=False, translate=translate):
            for s in stems(word):
                out.setdefault(s, orig)
        return out

    def phrase_terms(self, text: str) -> dict[str, str]:
        """Stemmed term -> the question word it came from, for what the glossary's
        *phrases* found in `text` mean ("supplier invoices" -> conta, pagar, bill ...).
        A phrase names one concept, so its translations are safe to search with, unlike
        a single word's, which bring every sense of the word."""
        if self.glossary is None:
            return {}
        base = [pair for raw in _WORD.findall(text) for pair in self._read(raw)[0]]
        words = [w for w, _ in base]
        out: dict[str, str] = {}
        for start, _end, brought in self.glossary.phrases_in(words):
            for word in sorted(brought):
                if word not in self.stopwords and len(word) > 1:
                    for s in stems(word):
                        out.setdefault(s, base[start][1])
        return out

    def canonical(self, part: str) -> str:
        """One word per concept, for matching FK-like names: 'usr' and 'user' -> 'usuario'."""
        return canonical(part, self.learned, self.vocab)


def gloss(text: str, limit: int = 48, analyzer: Analyzer | None = None) -> str:
    """What the words of `text` mean in other words (mostly English), for an embedding
    model that reads only English: 'CAD_CLI: Cadastro de clientes' -> 'register
    customer client ...'. Words already in the text are left out; at most `limit`."""
    analyzer = analyzer or Analyzer()
    present = {fold(w) for w in _WORD.findall(text)}
    present |= {p for w in _WORD.findall(text) if is_identifier(w) for p in split_identifier(w)}
    out: dict[str, None] = {}
    for word, _ in analyzer.words(text, document=True):
        if word not in present and word not in out:
            out[word] = None
            if len(out) >= limit:
                break
    return " ".join(out)


@cache
def _segment(part: str, vocab: Vocabulary) -> list[str]:
    # Fewest pieces, each at least 2 letters and known; [] when there is no such split.
    best: list[list[str] | None] = [[]] + [None] * len(part)
    for end in range(2, len(part) + 1):
        for start in range(0, end - 1):
            prev = best[start]
            piece = part[start:end]
            if prev is not None and vocab.knows(piece):
                cand = [*prev, piece]
                if best[end] is None or len(cand) < len(best[end]):  # type: ignore[arg-type]
                    best[end] = cand
    result = best[len(part)]
    return result if result and len(result) > 1 else []


def learn_abbreviations(pairs: Iterable[tuple[str, str]],
                        vocab: Vocabulary | None = None) -> dict[str, tuple[str, ...]]:
    """Abbreviations read from annotations: for each (identifier, its description), an
    unknown part of the identifier that is the initials of consecutive words
    ('CBO' / 'Classificação Brasileira de Ocupações'), the start of a word
    ('PARENT' / 'parentesco') or its consonant skeleton ('QTDE' / 'quantidade') is taken
    to mean those words. The most frequent reading wins when several are found.
    """
    vocab = vocab or vocabulary()
    seen: dict[str, Counter[tuple[str, ...]]] = {}
    for identifier, description in pairs:
        words = [fold(w) for w in _WORD.findall(description)]
        content = [w for w in words if w not in vocab.stopwords and _LETTERS.match(w)]
        for part in split_identifier(identifier):
            if len(part) < 2 or not _LETTERS.match(part) or vocab.knows(part):
                continue
            if part in content:
                continue
            meaning = _reading(part, content)
            if meaning:
                seen.setdefault(part, Counter())[meaning] += 1
    return {part: counts.most_common(1)[0][0] for part, counts in sorted(seen.items())}


def _reading(part: str, words: list[str]) -> tuple[str, ...] | None:
    for start in range(len(words) - len(part) + 1):
        window = words[start:start + len(part)]
        if len(part) >= 2 and "".join(w[0] for w in window) == part:
            return tuple(window)
    if len(part) >= 3:
        for word in words:
            if len(word) > len(part) and word.startswith(part):
                return (word,)
        for word in words:
            if len(word) > len(part) and word[0] == part[0] and _subsequence(part, word):
                return (word,)
    return None


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)
