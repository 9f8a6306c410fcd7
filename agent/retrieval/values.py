"""Stored values in retrieval: words that exist only in the data.

- **Codes** (`code_line`): a code column's values with their counts, from the samples'
  histograms, and their meanings when known: the annotation's, else the vocabulary's
  common codes for such a column (`SITUACAO` 'B' = bloqueado), marked as a guess. They go
  into the column's line in the chunk, so "clientes bloqueados" finds CAD_CLI.
- **The value index** (`ValueIndex`, from `text_values.json`): the distinct short text
  values of every table; a question word or phrase that is a stored value ("Campinas",
  "WHOLESALE") or a word of one ranks that value's table, as one more ranking to fuse.

    index = ValueIndex.build(text_values, doc)
    index.rank(["clientes", "de", "campinas"], analyzer)   # [('CAD_CID', 'CID_NOME ...'), ...]
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from schemachat.agent.retrieval.text import Analyzer
from schemachat.ingest.models.combined import CombinedColumn, CombinedSchema
from schemachat.ingest.models.values import TextValues
from schemachat.ingest.vocabulary import fold, stems, vocabulary

CODES_SHOWN = 12  # values of a code column written into its chunk
MAX_NGRAM = 3  # words of a question looked up together
_WORD = re.compile(r"[^\W_]+")
_LETTER = re.compile(r"[^\W\d_]")


def code_line(col: CombinedColumn) -> str:
    """' Codes: A 3,120; I 410; B 12 (guess: A = ativo, B = bloqueado).' for a column
    whose samples hold a histogram of text codes; '' otherwise. Annotated meanings are
    already on the line (`Values:`), so only the counts are added for them."""
    if not col.distribution:
        return ""
    shown = [v for v in col.distribution if isinstance(v.value, str) and v.value.strip()]
    if not shown:
        return ""
    line = " Codes: " + "; ".join(f"{v.value.strip()} {v.count:,}"
                                  for v in shown[:CODES_SHOWN]) + "."
    if not (col.annotation and col.annotation.values):
        meanings = common_meanings(col.name, [str(v.value).strip() for v in shown])
        if meanings:
            line = line[:-1] + " (guess: " + ", ".join(
                f"{code} = {meaning}" for code, meaning in meanings.items()) + ")."
    return line


def common_meanings(column: str, codes: Sequence[str]) -> dict[str, str]:
    """What the vocabulary's common codes say `codes` of a column named `column` mean
    (the first rule whose pattern fits the name; a rule marked `only_if_all_known` only
    when it knows every code)."""
    for rule in vocabulary().codes:
        if re.search(rule["columns"], column):
            known = {c: rule["values"][c] for c in codes if c in rule["values"]}
            if rule.get("only_if_all_known") and len(known) < len(codes):
                continue
            return known
    return {}


@dataclass
class ValueIndex:
    """Stored text values by folded value and by word stem, with the columns holding
    them (`TABLE.COLUMN`) and, for words, in how many values of that column."""

    full: dict[str, list[str]] = field(default_factory=dict)
    words: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def build(cls, values: TextValues | None, doc: CombinedSchema) -> ValueIndex:
        """The index of `values` for the tables of `doc` (values of unknown tables, and
        values without letters (numbers, dates, document keys), are left out)."""
        out = cls()
        if values is None:
            return out
        known = {r.name for r in doc.tables}
        stop = vocabulary().stopwords
        for key, found in values.columns.items():
            if key.partition(".")[0] not in known:
                continue
            for raw in found.values:
                if not _LETTER.search(raw):
                    continue
                words = [w for w in (fold(x) for x in _WORD.findall(raw)) if w not in stop]
                if not words or len(words) > 8:
                    continue
                columns = out.full.setdefault(" ".join(words), [])
                if key not in columns:
                    columns.append(key)
                for word in set(words):
                    if len(word) >= 3 and _LETTER.search(word):
                        counts = out.words.setdefault(_stem(word), {})
                        counts[key] = counts.get(key, 0) + 1
        return out

    def save(self, path: Path) -> None:
        """Write the index as JSON."""
        path.write_text(json.dumps({"full": self.full, "words": self.words},
                                   ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, path: Path) -> ValueIndex:
        """The index `save` wrote (empty when there is none)."""
        try:
            data = json.loads(path.read_text("utf-8"))
        except OSError:
            return cls()
        return cls(full=data["full"], words=data["words"])

    def rank(self, words: Sequence[str], analyzer: Analyzer,
             schema_terms: frozenset[str] = frozenset()) -> list[tuple[str, str, bool]]:
        """Tables holding values the question's `words` (as written, in order) name, best
        first, each with why ('CID_NOME = Campinas') and whether a whole value was named.
        A phrase or word that is a whole stored value counts most, and so do translations
        of a word that are one ("dinheiro" -> 'CASH'); a word inside longer values counts
        by how rare it is, and not at all when it names the schema (`schema_terms`:
        stems of table names)."""
        if not self.full and not self.words:
            return []
        folded = [fold(w) for w in words]
        content = [w for w in folded if w not in analyzer.stopwords and len(w) > 1]
        best: dict[str, tuple[float, str]] = {}

        def note(key: str, strength: float, said: str) -> None:
            table, _, column = key.partition(".")
            if strength > best.get(table, (0.0, ""))[0]:
                best[table] = (strength, f"{column} = {said}")

        for n in range(min(MAX_NGRAM, len(content)), 0, -1):
            for start in range(len(content) - n + 1):
                phrase = " ".join(content[start:start + n])
                # one word that also names the schema ("compras") is a weak sign
                strength = 1.0 if n == 1 and self._names_schema(phrase, schema_terms) else 2.0 + n
                for key in self.full.get(phrase, []):
                    note(key, strength, phrase)
        for word in content:
            if analyzer.glossary is not None and not self._names_schema(word, schema_terms):
                for other in analyzer.glossary.translations(word):
                    for key in self.full.get(other, []):
                        note(key, 2.0, f"{other} ({word})")
            if len(word) < 4 or self._names_schema(word, schema_terms):
                continue
            holding = self.words.get(_stem(word), {})
            for key, count in holding.items():
                # rare words (one column, few values) say more than common ones
                note(key, 1.0 / math.log2(2 + len(holding)) * min(1.0, 0.5 + count / 20),
                     word)
        return [(t, why, strength >= 2.0)
                for t, (strength, why) in sorted(best.items(), key=lambda kv: -kv[1][0])]


    @staticmethod
    def _names_schema(word: str, schema_terms: frozenset[str]) -> bool:
        return bool(set(stems(word)) & schema_terms)


def _stem(word: str) -> str:
    return min(stems(word), key=len)
