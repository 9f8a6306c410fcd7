"""Worked examples for a SQL prompt, written over the turn's own tables.

A small base model copies its examples: with made-up tables it copied their columns
(`PRO_DESCR` on a table of customers) and the engine rejected every draft. So the
examples here use the retrieved tables and the skeleton's aliases: a grouped count over
the joins, a top-N on a number, a filter on a mapped code. Each is built from the
document (names, types, value mappings), so copying one gives SQL the engine accepts.
Confirmed question -> SQL pairs (golden examples from feedback) that share words with
the question come last, nearest the question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from schemachat.agent.feedback import GoldenExample
from schemachat.agent.prompts.facts import focus_columns
from schemachat.agent.retrieval.text import Analyzer
from schemachat.ingest.models.combined import CombinedColumn, CombinedRelation, CombinedSchema

GOLDEN_SHOWN = 2  # golden examples a prompt shows at most
TOP_N = 5
_ALIAS = re.compile(r"\b(FROM|JOIN)\s+(\"[^\"]+\"|[A-Z0-9_$]+)(?:\s+AS)?\s+([A-Z][A-Z0-9_]*)\b",
                    re.IGNORECASE)
_NOT_ALIAS = frozenset(("WHERE", "JOIN", "LEFT", "RIGHT", "INNER", "FULL", "CROSS", "ON",
                        "GROUP", "ORDER", "HAVING", "UNION", "ROWS", "FETCH", "PLAN", "NATURAL"))
_PT_WORDS = re.compile(r"\b(quantos|quantas|qual|quais|liste|listar|mostre|temos|existem|há|"
                       r"por|cada|média|maior|menor|do|da|dos|das|são|não)\b|[ãõçáéíóúâê]",
                       re.IGNORECASE)
_COUNTING = re.compile(r"\b(quant[oa]s|how many|number of|count)\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_NUMBER = ("NUMERIC", "DECIMAL", "DOUBLE", "FLOAT", "INTEGER", "BIGINT", "SMALLINT")


@dataclass(frozen=True)
class Aliased:
    """A table of the skeleton and its alias."""

    rel: CombinedRelation
    alias: str


def skeleton_tables(doc: CombinedSchema, skeleton: str) -> list[Aliased]:
    """The tables of a `FROM T t JOIN U u ON ...` text (a skeleton or a draft) with
    their aliases, in order; tables without an alias are left out."""
    out = []
    for _, name, alias in _ALIAS.findall(skeleton):
        rel = doc.relation(name[1:-1] if name.startswith('"') else name.upper())
        if rel is not None and alias.upper() not in _NOT_ALIAS:
            out.append(Aliased(rel, alias))
    return out


def is_portuguese(question: str) -> bool:
    """Whether `question` reads as Portuguese (the examples follow its language)."""
    return _PT_WORDS.search(question) is not None


def _keys(rel: CombinedRelation) -> set[str]:
    keys = set(rel.primary_key.columns if rel.primary_key else [])
    return keys | {c for fk in rel.foreign_keys for c in fk.columns}


def _label(col: CombinedColumn) -> str:
    # A few words of the description read like a question; the name when there is none.
    text = (col.annotation.description if col.annotation else None) or col.description
    if not text:
        return col.name
    words = re.split(r"[.;:(]", text.strip())[0].split()
    return " ".join(words[:5]).lower() or col.name


def _text_column(rel: CombinedRelation) -> CombinedColumn | None:
    # What names a row: a NOME/DESCR/RAZAO column, else the longest VARCHAR outside keys.
    keys = _keys(rel)
    texts = [c for c in rel.columns if c.type.upper().startswith("VARCHAR")
             and c.name not in keys]
    named = [c for c in texts if re.search(r"NOM|DESC|RAZ|TITUL|NAME", c.name)]
    return (named or sorted(texts, key=lambda c: (-_length(c.type), c.position)) or [None])[0]


def _length(type_: str) -> int:
    m = re.search(r"\((\d+)", type_)
    return int(m.group(1)) if m else 0


def _first(columns: list[CombinedColumn], focus: list[CombinedColumn]) -> CombinedColumn | None:
    # The question's own columns first, then the table's order.
    names = {c.name for c in columns}
    return next((c for c in focus if c.name in names), columns[0] if columns else None)


def _number_column(rel: CombinedRelation, focus: list[CombinedColumn]) -> CombinedColumn | None:
    keys = _keys(rel)
    return _first([c for c in rel.columns if c.type.upper().startswith(_NUMBER)
                   and c.name not in keys and c.computed is None
                   and not c.name.endswith(("_COD", "_ID", "_NUM"))], focus)


def _mapped_columns(rel: CombinedRelation) -> list[CombinedColumn]:
    return [c for c in rel.columns if c.annotation and c.annotation.values]


def _group_column(rel: CombinedRelation, joined: bool,
                  focus: list[CombinedColumn]) -> CombinedColumn | None:
    # Few distinct values: a mapped code, a short CHAR (UF, type), or the name of a
    # joined lookup table's row (a group, a city); never a customer's own name.
    short = [c for c in rel.columns if c.type.upper().startswith("CHAR")
             and 0 < _length(c.type) <= 3 and c.name not in _keys(rel)]
    named = [c for c in [_text_column(rel)] if c is not None and joined]
    return _first(_mapped_columns(rel) + short + named, focus)


def _literal(col: CombinedColumn, code: str) -> str:
    if col.type.upper().startswith(("CHAR", "VARCHAR")):
        return "'" + code.replace("'", "''") + "'"
    return code


def _grouped(tables: list[Aliased], skeleton: str, focus: dict[str, list[CombinedColumn]],
             pt: bool) -> tuple[str, str] | None:
    # Count the first table's rows per a column of the last table joined.
    for table in reversed(tables):
        group = _group_column(table.rel, len(tables) > 1, focus[table.rel.name])
        if group is not None:
            break
    else:
        return None
    col, first = f"{table.alias}.{group.name}", tables[0].rel.name
    question = (f"quantos registros de {first} por {_label(group)}?" if pt
                else f"how many {first} rows per {_label(group)}?")
    return question, f"SELECT {col}, COUNT(*) AS QTDE {skeleton} GROUP BY {col};"


def _top(table: Aliased, focus: list[CombinedColumn], pt: bool) -> tuple[str, str] | None:
    number, text = _number_column(table.rel, focus), _text_column(table.rel)
    if number is None:
        return None
    a, shown = table.alias, f"{table.alias}.{number.name}"
    if text is not None:
        shown = f"{a}.{text.name}, {shown}"
    question = (f"os {TOP_N} registros de {table.rel.name} com maior {_label(number)}" if pt
                else f"the {TOP_N} {table.rel.name} rows with the largest {_label(number)}")
    return question, (f"SELECT FIRST {TOP_N} {shown} FROM {table.rel.name} {a} "
                      f"ORDER BY {a}.{number.name} DESC;")


def _filtered(table: Aliased, focus: list[CombinedColumn], question: str,
              analyzer: Analyzer, pt: bool) -> tuple[str, str] | None:
    col = _first(_mapped_columns(table.rel), focus)
    if col is None or col.annotation is None:
        return None
    # The code whose meaning the question names ("ativos" -> 'A'), else the first.
    wanted = set(analyzer.terms(question, document=False))
    values = list(col.annotation.values.items())
    code, meaning = max(values, key=lambda kv: len(wanted & set(analyzer.terms(kv[1]))))
    a, shown, name = table.alias, _text_column(table.rel), table.rel.name
    where = f"FROM {name} {a} WHERE {a}.{col.name} = {_literal(col, code)};"
    if _COUNTING.search(question):
        return (f"quantos registros de {name} com {_label(col)} {meaning}?" if pt
                else f"how many {name} rows with {_label(col)} {meaning}?",
                f"SELECT COUNT(*) {where}")
    return (f"liste os registros de {name} com {_label(col)} {meaning}" if pt
            else f"list the {name} rows with {_label(col)} {meaning}",
            f"SELECT FIRST {TOP_N} {a}.{shown.name if shown else col.name} {where}")


def _listed(table: Aliased, pt: bool) -> tuple[str, str]:
    a = table.alias
    shown = [c for c in [*(table.rel.primary_key.columns[:1] if table.rel.primary_key
                           else []), getattr(_text_column(table.rel), "name", None)] if c]
    what = ", ".join(f"{a}.{c}" for c in dict.fromkeys(shown)) or "*"
    question = (f"liste {TOP_N} registros de {table.rel.name}" if pt
                else f"list {TOP_N} {table.rel.name} rows")
    return question, f"SELECT FIRST {TOP_N} {what} FROM {table.rel.name} {a};"


def schema_examples(doc: CombinedSchema, skeleton: str, question: str,
                    analyzer: Analyzer | None = None) -> list[tuple[str, str]]:
    """(question, SQL) examples over the skeleton's tables, preferring the columns the
    question is about; [] when the skeleton names no table."""
    tables = skeleton_tables(doc, skeleton)
    if not tables:
        return []
    analyzer = analyzer or Analyzer()
    focus = {t.rel.name: focus_columns(t.rel, question, analyzer) for t in tables}
    pt = is_portuguese(question)
    found = [_grouped(tables, skeleton, focus, pt),
             next((f for f in (_top(t, focus[t.rel.name], pt) for t in tables[:2]) if f),
                  None),
             next((f for f in (_filtered(t, focus[t.rel.name], question, analyzer, pt)
                               for t in tables) if f), None)]
    out = [f for f in found if f is not None]
    out = out if len(out) >= 2 else [_listed(tables[0], pt), *out]
    # The example most like the question last: a small model copies the nearest one.
    words = set(_WORD.findall(question.casefold()))
    return sorted(out, key=lambda e: len(words & set(_WORD.findall(e[0].casefold()))))


def golden_examples(golden: Iterable[GoldenExample], question: str, doc: CombinedSchema,
                    analyzer: Analyzer, limit: int = GOLDEN_SHOWN) -> list[tuple[str, str]]:
    """Up to `limit` confirmed pairs sharing the most words with `question` (at least
    one), over tables the document still has; best last."""
    wanted = set(analyzer.terms(question, document=False))
    scored = []
    for i, g in enumerate(golden):
        if any(doc.relation(t) is None for t in g.tables):
            continue
        overlap = len(wanted & set(analyzer.terms(g.question, document=False)))
        if overlap:
            scored.append((overlap, i, g))
    best = sorted(scored, key=lambda t: (-t[0], -t[1]))[:limit]
    return [(g.question, g.sql.strip().rstrip(";") + ";") for _, _, g in reversed(best)]
