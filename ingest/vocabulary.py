"""The Portuguese/English vocabulary of legacy schema names, one list for everything that
reads names: FK-like columns (`joins`), suggestions, retrieval (`data/vocabulary.yaml`).

    split_identifier("CLI_NOMRAZ")        # ('cli', 'nomraz')
    vocabulary().abbreviations["cli"]     # ('cliente',)
    canonical("usr")                      # 'usuario': one word per concept
    stems("vencidos")                     # Portuguese and English Snowball stems

Words are folded (lower case, no accents) everywhere but in the `pt`/`en` wording a
description uses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import Stemmer
import yaml

_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
CACHE_MAX = 200_000  # tokens remembered by the cached functions


@lru_cache(maxsize=CACHE_MAX)
def strip_accents(text: str) -> str:
    """'Situação' -> 'Situacao'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=CACHE_MAX)
def fold(text: str) -> str:
    """Lower case without accents: 'Situação' -> 'situacao'."""
    return strip_accents(text).lower()


def is_identifier(word: str) -> bool:
    """True for words that look like schema names (CLI_COD, VL_TOTAL, NF): the only ones
    whose parts are read as abbreviations, so prose words such as 'com' or 'end' are not."""
    return "_" in word or (len(word) >= 2 and word.isupper()) or any(c.isdigit() for c in word)


@lru_cache(maxsize=CACHE_MAX)
def split_identifier(word: str) -> tuple[str, ...]:
    """The folded parts of an identifier: 'CLI_NOMRAZ' -> ('cli', 'nomraz'),
    'dtCadastro' -> ('dt', 'cadastro'); digits are dropped."""
    parts: list[str] = []
    for piece in strip_accents(word).split("_"):
        parts += [p.lower() for p in _PARTS.findall(piece) or [piece] if not p.isdigit()]
    return tuple(p for p in parts if p)


@dataclass(frozen=True, eq=False)  # hashed by identity: one per process
class Vocabulary:
    """Abbreviations, their wording, synonym groups, stop words, table prefixes and common
    code meanings (see data/vocabulary.yaml)."""

    abbreviations: dict[str, tuple[str, ...]]
    synonyms: dict[str, frozenset[str]]
    canonical: dict[str, str]
    stopwords: frozenset[str]
    by_stem: dict[str, frozenset[str]] = field(default_factory=dict)
    wording: dict[str, dict[str, Any]] = field(default_factory=dict)  # ABBR -> pt/en/...
    prefixes: dict[str, dict[str, str]] = field(default_factory=dict)
    codes: list[dict[str, Any]] = field(default_factory=list)

    def knows(self, part: str) -> bool:
        """True when `part` is an abbreviation or a word of a synonym group."""
        return part in self.abbreviations or part in self.synonyms

    def synonyms_of(self, word: str) -> frozenset[str]:
        """The other words of `word`'s synonym groups; inflected forms ('vencidos')
        are found through their stems."""
        if word in self.synonyms:
            return self.synonyms[word]
        if len(word) < 4:
            return frozenset()
        found: set[str] = set()
        for s in stems(word):
            found |= self.by_stem.get(s, frozenset())
        return frozenset(found)

    def tokens(self) -> dict[str, dict[str, Any]]:
        """Attribute words a description uses, by upper-case abbreviation (COD, NOM...)."""
        return {k: w for k, w in self.wording.items() if "entity" not in w}

    def entities(self) -> dict[str, dict[str, Any]]:
        """Things a table or FK is about, by upper-case abbreviation (CLI, PRO...), with
        their article under 'de' ('do'/'da')."""
        return {k: {**{f: v for f, v in w.items() if f != "entity"}, "de": w["entity"]}
                for k, w in self.wording.items() if "entity" in w}


def _entry(key: str, value: Any) -> tuple[tuple[str, ...], dict[str, Any] | None]:
    # (the words an abbreviation stands for, its wording or None)
    if isinstance(value, list):
        return tuple(fold(w) for w in value), None
    if not isinstance(value, dict) or "pt" not in value:
        raise ValueError(f"vocabulary.yaml: abbreviation {key!r} needs a list of words or a "
                         "mapping with 'pt'")
    means = value.get("means") or fold(value["pt"]).split()
    return tuple(fold(w) for w in means), {k: v for k, v in value.items() if k != "means"}


@cache
def vocabulary() -> Vocabulary:
    """The bundled vocabulary, read once."""
    text = resources.files("schemachat.ingest").joinpath("data/vocabulary.yaml").read_text(
        encoding="utf-8")
    data = yaml.safe_load(text)
    abbreviations: dict[str, tuple[str, ...]] = {}
    wording: dict[str, dict[str, Any]] = {}
    for key, value in data["abbreviations"].items():
        words, said = _entry(key, value)
        abbreviations[fold(key)] = words
        if said is not None:
            wording[key.upper()] = said
    synonyms: dict[str, set[str]] = {}
    canonical: dict[str, str] = {}
    for group in data["synonyms"]:
        words = [fold(w) for w in group]
        for word in words:
            synonyms.setdefault(word, set()).update(w for w in words if w != word)
            canonical.setdefault(word, words[0])
    from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_PORTUGUESE

    stop = {fold(w) for w in [*STOPWORDS_EN, *STOPWORDS_PORTUGUESE, *data["stopwords"].split()]}
    by_stem: dict[str, set[str]] = {}
    for word, others in synonyms.items():
        for s in stems(word):
            by_stem.setdefault(s, set()).update(others | {word})
    return Vocabulary(abbreviations, {k: frozenset(v) for k, v in synonyms.items()}, canonical,
                      frozenset(stop), {k: frozenset(v) for k, v in by_stem.items()},
                      wording, data["prefixes"], data["codes"])


@cache
def _stemmers() -> tuple[Stemmer.Stemmer, Stemmer.Stemmer]:
    return Stemmer.Stemmer("portuguese"), Stemmer.Stemmer("english")


@cache
def stems(word: str) -> tuple[str, ...]:
    """The Portuguese and English stems of a folded word (one when they agree)."""
    if len(word) <= 3:
        return (word,)
    pt, en = _stemmers()
    a, b = pt.stemWord(word), en.stemWord(word)
    out = (a,) if a == b else (a, b)
    single = _singular(word)
    if single is not None and (c := pt.stemWord(single)) not in out:
        out += (c,)
    return out


# Portuguese plurals the stemmer misses once accents are folded: "filiais" stems to
# "fili" but "filial" to "filial"; "emissoes" to "emisso" but "emissao" to "emissa".
_PLURALS = (("oes", "ao"), ("ais", "al"), ("eis", "el"), ("ois", "ol"), ("uis", "ul"))


def _singular(word: str) -> str | None:
    if len(word) < 6:
        return None
    return next((word[:-3] + one for many, one in _PLURALS if word.endswith(many)), None)


def canonical(part: str, learned: Mapping[str, tuple[str, ...]] | None = None,
              vocab: Vocabulary | None = None) -> str:
    """One word per concept, for matching FK-like names: 'usr' and 'user' -> 'usuario'.
    `learned`: abbreviations read from annotations."""
    vocab = vocab or vocabulary()
    expanded = vocab.abbreviations.get(part) or (learned or {}).get(part)
    word = expanded[0] if expanded else part
    return vocab.canonical.get(word, word)


def signature(column: str, learned: Mapping[str, tuple[str, ...]] | None = None) -> frozenset[str]:
    """What a column name means as a set of concepts: 'COD_VEND' and 'VEN_COD' ->
    {codigo, vendedor}."""
    return frozenset(canonical(p, learned) for p in split_identifier(column))
