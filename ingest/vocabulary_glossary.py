"""The Portuguese <-> English business glossary (`data/glossary.yaml`), which retrieval
reads text with: a word or phrase of one language brings the words of the other
(fatura -> invoice, bill; "contas a pagar" -> accounts payable), so a Portuguese question
finds an English-named table and the other way round.

    g = glossary()
    g.translations("faturas")                # {'invoice', 'bill', 'nota', 'fiscal', ...}
    g.phrases_in(["contas", "pagar"])        # [(0, 2, {'accounts', 'payable', ...})]
    g.abbreviations["qty"]                   # ('quantity',): pieces of English identifiers
    g.extended(learn_terms(pairs))           # plus what annotations say names mean

Single words match by their form or, for words of 4+ letters, by their stem in the
language of the glossary word (Portuguese stems for Portuguese words, English for
English: "casado" is no "case"); phrases match as consecutive content words by stem.
The glossary is data: add terms to the YAML, not here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

import Stemmer
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemachat.ingest.vocabulary import Vocabulary, fold, split_identifier, vocabulary

Lang = Literal["pt", "en"]
_WORD = re.compile(r"[^\W_]+")
_LETTERS = re.compile(r"^[a-z]+$")
MIN_STEM = 4  # words shorter than this match by their exact form only
MAX_LEARNED_WORDS = 4  # a description longer than this is a sentence, not a name
# Words a short description starts with that say what kind of list it is, not what
# it lists ("Cadastro de transportadoras", "Table of carriers").
_GENERIC = frozenset({"cadastro", "tabela", "registro", "lista", "relacao", "controle",
                      "table", "list", "register", "registry", "master", "records", "record",
                      "dados", "data", "informacoes", "info"})


class GlossaryTerm(BaseModel):
    """One concept: the words and phrases that name it in each language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pt: list[str] = Field(min_length=1, description="Portuguese words or phrases.")
    en: list[str] = Field(min_length=1, description="English words or phrases.")

    @field_validator("pt", "en")
    @classmethod
    def _not_blank(cls, words: list[str]) -> list[str]:
        if any(not w.strip() for w in words):
            raise ValueError("a glossary word is blank")
        return words


class GlossaryData(BaseModel):
    """`data/glossary.yaml`."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    stopwords: str = Field("", description="Words retrieval never reads (space-separated).")
    abbreviations: dict[str, list[str]] = Field(
        default_factory=dict, description="English identifier pieces -> the words they stand for.")
    terms: list[GlossaryTerm]
    goods: list[GlossaryTerm] = Field(
        default_factory=list, description="Names of things sold, as stored descriptions "
        "say them (also looked up in stored values by query plans).")


@lru_cache(maxsize=200_000)
def stem_in(word: str, lang: Lang) -> str:
    """The Snowball stem of a folded word in one language."""
    return _stemmer(lang).stemWord(word)


@cache
def _stemmer(lang: Lang) -> Stemmer.Stemmer:
    return Stemmer.Stemmer("portuguese" if lang == "pt" else "english")


@dataclass(frozen=True, eq=False)  # hashed by identity: one per glossary
class Glossary:
    """The glossary read for matching (see the module docstring)."""

    abbreviations: dict[str, tuple[str, ...]]
    words: dict[str, frozenset[str]]  # folded single word -> the words it brings
    by_stem: dict[tuple[Lang, str], frozenset[str]]  # (language, stem) -> words it brings
    phrases: dict[tuple[Lang, tuple[str, ...]], frozenset[str]]  # stems of a phrase -> words
    fingerprint: str
    stopwords: frozenset[str] = frozenset()  # words never read, beside the vocabulary's
    longest: int = 1  # content words of the longest phrase
    learned: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()  # from annotations
    _cache: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def knows(self, word: str) -> bool:
        """True when `word` is a single-word term or an abbreviation of the glossary."""
        return word in self.words or word in self.abbreviations

    def translations(self, word: str) -> frozenset[str]:
        """The words `word` (folded) brings: the other words of every concept it names,
        found by its form, then by its stem in each language."""
        found = self._cache.get(word)
        if found is None:
            found = frozenset()
            for form in (word, *portuguese_singulars(word)):
                found = self.words.get(form, frozenset())
                if not found and len(form) >= MIN_STEM:
                    out: set[str] = set()
                    for lang in ("pt", "en"):
                        out |= self.by_stem.get((lang, stem_in(form, lang)), frozenset())
                    found = frozenset(out - {word, form})
                if found:
                    break
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[word] = found
        return found

    def phrases_in(self, words: Sequence[str]) -> list[tuple[int, int, frozenset[str]]]:
        """(start, end, words brought) for every glossary phrase among consecutive `words`
        (folded content words), longest first; phrases do not overlap."""
        if self.longest < 2 or len(words) < 2:
            return []
        seqs = {lang: [stem_in(w, lang) for w in words] for lang in ("pt", "en")}
        taken = [False] * len(words)
        out = []
        for n in range(min(self.longest, len(words)), 1, -1):
            for start in range(len(words) - n + 1):
                if any(taken[start:start + n]):
                    continue
                brought: set[str] = set()
                for lang in ("pt", "en"):
                    brought |= self.phrases.get((lang, tuple(seqs[lang][start:start + n])), set())
                if brought:
                    out.append((start, start + n, frozenset(brought - set(words[start:start + n]))))
                    taken[start:start + n] = [True] * n
        return sorted(out)

    def extended(self, learned: Iterable[tuple[tuple[str, ...], tuple[str, ...]]]) -> Glossary:
        """This glossary plus terms read from annotations (`learn_terms`): each pair of
        phrases names one concept. The same glossary when there are none."""
        pairs = [(tuple(a), tuple(b)) for a, b in learned if a and b]
        if not pairs:
            return self
        # Which language each side is in is not known: both are read as either.
        terms = [GlossaryTerm(pt=[" ".join(a), " ".join(b)], en=[" ".join(a), " ".join(b)])
                 for a, b in pairs]
        data = GlossaryData(abbreviations={k: list(v) for k, v in self.abbreviations.items()},
                            terms=terms)
        extra = _compile(data, vocabulary(), self.fingerprint + repr(pairs))
        return Glossary(
            abbreviations=self.abbreviations,
            words=_merge(self.words, extra.words),
            by_stem=_merge(self.by_stem, extra.by_stem),
            phrases=_merge(self.phrases, extra.phrases),
            fingerprint=extra.fingerprint, stopwords=self.stopwords,
            longest=max(self.longest, extra.longest),
            learned=(*self.learned, *pairs))


# Portuguese plurals the Snowball stemmer does not bring back to their singular's stem
# (filiais -> fili, filial -> filial): -ais/-eis/-ois/-uis -> -al/-el/-ol/-ul, -is -> -il,
# -oes/-aes -> -ao, -ens -> -em.
_PLURALS = (("ais", "al"), ("eis", "el"), ("eis", "il"), ("ois", "ol"), ("uis", "ul"),
            ("is", "il"), ("oes", "ao"), ("aes", "ao"), ("ens", "em"))


def portuguese_singulars(word: str) -> list[str]:
    """Singulars an irregular Portuguese plural (folded) may have: 'filiais' -> ['filial'],
    'devolucoes' -> ['devolucao'], 'armazens' -> ['armazem']."""
    return [word[:-len(end)] + to for end, to in _PLURALS
            if len(word) > len(end) + 2 and word.endswith(end)]


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for key, words in b.items():
        out[key] = out.get(key, frozenset()) | words
    return out


def read_glossary_data(text: str) -> GlossaryData:
    """Validate the YAML text of a glossary (pydantic ValidationError when malformed)."""
    return GlossaryData.model_validate(yaml.safe_load(text))


def glossary_text() -> str:
    """The bundled glossary file, as text (its content is part of index fingerprints)."""
    return resources.files("schemachat.ingest").joinpath("data/glossary.yaml").read_text(
        encoding="utf-8")


@cache
def glossary() -> Glossary:
    """The bundled glossary, read once."""
    text = glossary_text()
    return _compile(read_glossary_data(text), vocabulary(),
                    hashlib.sha256(text.encode()).hexdigest())


def _content(phrase: str, vocab: Vocabulary) -> tuple[str, ...]:
    # The words of a phrase that carry meaning: folded, small words left out.
    return tuple(w for w in (fold(x) for x in _WORD.findall(phrase))
                 if w not in vocab.stopwords and len(w) > 1)


def _compile(data: GlossaryData, vocab: Vocabulary, fingerprint: str) -> Glossary:
    words: dict[str, set[str]] = {}
    by_stem: dict[tuple[Lang, str], set[str]] = {}
    phrases: dict[tuple[Lang, tuple[str, ...]], set[str]] = {}
    longest = 1
    for term in [*data.terms, *data.goods]:
        named = [(lang, _content(p, vocab)) for lang in ("pt", "en")
                 for p in getattr(term, lang)]
        named = [(lang, c) for lang, c in named if c]
        brought = {w for _, c in named for w in c}
        # A single word brings the single words of its concept, and the words of its
        # phrases only in a language that has no single word for it: "transportadora"
        # brings carrier, shipper..., not the "company" of "freight company".
        single_langs = {lang for lang, c in named if len(c) == 1}
        for_single = {w for lang, c in named if len(c) == 1 or lang not in single_langs
                      for w in c}
        for lang, content in named:
            if len(content) == 1:
                word = content[0]
                others = for_single - {word}
                words.setdefault(word, set()).update(others)
                if len(word) >= MIN_STEM:
                    by_stem.setdefault((lang, stem_in(word, lang)), set()).update(others)
            else:
                key = (lang, tuple(stem_in(w, lang) for w in content))
                phrases.setdefault(key, set()).update(brought - set(content))
                longest = max(longest, len(content))
    abbreviations = {fold(k): tuple(fold(w) for w in v) for k, v in data.abbreviations.items()}
    return Glossary(abbreviations=abbreviations,
                    stopwords=frozenset(fold(w) for w in data.stopwords.split()),
                    words={k: frozenset(v) for k, v in words.items()},
                    by_stem={k: frozenset(v) for k, v in by_stem.items()},
                    phrases={k: frozenset(v) for k, v in phrases.items()},
                    fingerprint=fingerprint, longest=longest)


def learn_terms(pairs: Iterable[tuple[str, str]], vocab: Vocabulary | None = None,
                known: Glossary | None = None) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Terms read from annotations: for an identifier made of whole words (CARRIERS,
    SHIPPED_ON) whose short description shares no word with it ('Transportadoras',
    'Data de despacho'), the name's words and the description's are taken to name the
    same thing in two languages. Names the vocabulary or the glossary already read as
    the description says (CAD_CLI, 'Cadastro de clientes') teach nothing. Sorted, one
    reading per name (the most frequent)."""
    vocab = vocab or vocabulary()
    known = known or glossary()
    seen: dict[tuple[str, ...], dict[tuple[str, ...], int]] = {}
    for identifier, description in pairs:
        name = tuple(p for p in split_identifier(identifier)
                     if p not in vocab.stopwords and _LETTERS.match(p))
        said = tuple(w for w in _content(description, vocab)
                     if _LETTERS.match(w) and w not in _GENERIC)
        if not name or not said or len(name) > 3 or len(said) > MAX_LEARNED_WORDS:
            continue
        if any(len(p) < 3 or p in vocab.abbreviations or p in known.abbreviations
               for p in name):
            continue  # abbreviations are learned as such (text.learn_abbreviations)
        if _related(name, said, vocab, known):
            continue
        counts = seen.setdefault(name, {})
        counts[said] = counts.get(said, 0) + 1
    return sorted((name, max(counts, key=lambda s: (counts[s], s)))
                  for name, counts in seen.items())


def _related(name: tuple[str, ...], said: tuple[str, ...], vocab: Vocabulary,
             known: Glossary) -> bool:
    """Whether the description already says the name in the same words (by stem), or
    through a synonym or translation the project knows."""
    said_stems = {stem_in(w, lang) for w in said for lang in ("pt", "en")}
    for part in name:
        reach = {part, *vocab.synonyms_of(part), *known.translations(part)}
        if {stem_in(w, lang) for w in reach for lang in ("pt", "en")} & said_stems:
            return True
    return False
