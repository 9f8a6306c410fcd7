"""Column names a question says in full: "net pay by department" names PAYSLIPS.NET_PAY,
"bills by due date" CAR_TIT.DT_VENC (dt: data, date; venc: vencimento, due). A BM25
score counts "net" and "pay" apart, in every table that has either; a column whose every
word the question says (two or more, besides the words of its own table's name) is a much
surer sign that its table holds what is asked.

    names = ColumnNames.of(chunks, analyzer)
    names.rank(analyzer.query_terms("Net pay by department"))   # [('PAYSLIPS', 'NET_PAY')]

Columns are read from the chunks' "Columns:" lines (one per table or view), so the
index needs no other file; the words of a name are read like the chunks' (expansions,
synonyms, translations), so an English question meets a Portuguese name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from schemachat.agent.retrieval.chunks import Chunk
from schemachat.agent.retrieval.roles import GENERIC
from schemachat.agent.retrieval.text import Analyzer
from schemachat.ingest.vocabulary import split_identifier

MIN_WORDS = 2  # a column named by one word is an ordinary word of the question
_COLUMNS = re.compile(r"^Columns: (.*)$", re.MULTILINE)
_NAME = re.compile(r"(?:^|; )([A-Z][A-Z0-9_$]*) ")


@dataclass(frozen=True)
class _Column:
    table: str
    column: str
    parts: tuple[frozenset[str], ...]  # per word of the name that must be said: its terms


class ColumnNames:
    """The multi-word column names of an index, and which question terms say each word."""

    def __init__(self, columns: list[_Column]) -> None:
        self._columns = columns
        self._by_term: dict[str, list[tuple[int, int]]] = {}
        for n, col in enumerate(columns):
            for p, terms in enumerate(col.parts):
                for term in terms:
                    self._by_term.setdefault(term, []).append((n, p))

    @classmethod
    def of(cls, chunks: Iterable[Chunk], analyzer: Analyzer) -> ColumnNames:
        """The column names of the table and view chunks."""
        out: list[_Column] = []
        for chunk in chunks:
            if chunk.kind != "table":
                continue
            found = _COLUMNS.search(chunk.text)
            if not found:
                continue
            table_terms = set(analyzer.terms(chunk.object))
            for column in dict.fromkeys(_NAME.findall(found.group(1))):
                parts = [frozenset(analyzer.terms(part.upper())) for part in
                         dict.fromkeys(split_identifier(column))
                         if len(part) > 1 and part not in GENERIC]
                # the words naming the table itself are not asked for (CLI_ in CAD_CLI)
                parts = [t for t in parts if t and not t & table_terms]
                if len(parts) >= MIN_WORDS:
                    out.append(_Column(chunk.object, column, tuple(parts)))
        return cls(out)

    def rank(self, asked: Mapping[str, str] | Iterable[str]) -> list[tuple[str, str]]:
        """(table, column) for the columns whose every word is among the question's
        terms `asked`, tables with the longest such name first, each table once."""
        said: dict[int, set[int]] = {}
        for term in asked:
            for n, p in self._by_term.get(term, ()):
                said.setdefault(n, set()).add(p)
        hits = sorted((n for n, parts in said.items()
                       if len(parts) == len(self._columns[n].parts)),
                      key=lambda n: -len(self._columns[n].parts))
        out: dict[str, str] = {}
        for n in hits:
            out.setdefault(self._columns[n].table, self._columns[n].column)
        return list(out.items())
