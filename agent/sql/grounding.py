"""What the agent may present as fact: names and numbers found in the schema document or
returned by the engine, never ones a model made up.

- `sql_citations(sql, doc)`: the tables and columns a query uses that exist in `doc`;
- `unknown_relations(sql, doc)`: names after FROM/JOIN that `doc` does not have;
- `keep_grounded(text, allowed)`: a model's wording without the sentences that name an
  identifier or a number the facts do not contain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from schemachat.agent.answer import Citation
from schemachat.agent.sql.parsed import ParsedSQL, parse
from schemachat.ingest.models.combined import CombinedSchema

# Something that looks like a schema name: upper case with a digit or underscore
# (CLI_COD, TB_UF, NF_CAB2) — what a tiny model invents when it "knows" a table.
_NAME_LIKE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:[_$][A-Za-z0-9$]+)+\b|\b[A-Z]{2,}[0-9]+\b")
_NUMBER = re.compile(r"(?<![\w.])\d[\d.,]*\d|(?<![\w.])\d(?![\w])")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _parsed(sql: str | ParsedSQL) -> ParsedSQL:
    return sql if isinstance(sql, ParsedSQL) else parse(sql)


def sql_relations(sql: str | ParsedSQL) -> list[str]:
    """Names that follow FROM/JOIN or a comma in a FROM list, in order (as Firebird
    resolves them: unquoted folded to upper case)."""
    return _parsed(sql).relations()


def unknown_relations(sql: str | ParsedSQL, doc: CombinedSchema) -> list[str]:
    """Relations the query reads that are neither in `doc` nor system tables (RDB$, MON$)."""
    known = {r.name for r in doc.relations()} | {p.name for p in doc.procedures}
    return [n for n in sql_relations(sql)
            if n not in known and not n.startswith(("RDB$", "MON$", "SEC$"))]


def sql_citations(sql: str | ParsedSQL, doc: CombinedSchema) -> list[Citation]:
    """The tables the query reads that exist in `doc`, each with the columns of it the
    query names (qualified `X.COL` or bare, when only one used table has that column)."""
    parsed = _parsed(sql)
    tables = [doc.relation(n) for n in parsed.relations()]
    used = [t for t in tables if t is not None]
    words = parsed.names()
    cites: list[Citation] = []
    for rel in used:
        cites.append(Citation(table=rel.name))
        for col in rel.columns:
            if col.name in words:
                cites.append(Citation(table=rel.name, column=col.name))
    return list(dict.fromkeys(cites))


def name_like(text: str) -> list[str]:
    """Words of `text` that look like schema names (CLI_COD, TB_UF, CAD_CLIENTES)."""
    return _NAME_LIKE.findall(text)


def doc_names(doc: CombinedSchema) -> set[str]:
    """Every relation, procedure and column name of `doc`, plus TABLE.COLUMN."""
    names = {p.name for p in doc.procedures}
    for rel in doc.relations():
        names.add(rel.name)
        for col in rel.columns:
            names.add(col.name)
            names.add(f"{rel.name}.{col.name}")
    return names


def keep_grounded(text: str, facts: str, known_names: Iterable[str]) -> str:
    """`text` without its sentences that name a schema-looking identifier absent from
    `known_names`, or a number absent from `facts`. What is left can only repeat what
    the facts say (a small model cannot add a table, a column or a figure)."""
    known = {n.upper() for n in known_names}
    fact_numbers = set(_NUMBER.findall(facts.replace(",", "")))
    kept = []
    for sentence in _SENTENCE.split(text.strip()):
        sentence = sentence.strip()
        if not sentence:
            continue
        bad_name = any(n.upper() not in known for n in name_like(sentence))
        numbers = set(_NUMBER.findall(sentence.replace(",", "")))
        if bad_name or not numbers <= fact_numbers:
            continue
        kept.append(sentence)
    return " ".join(kept)
