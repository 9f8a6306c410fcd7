"""Questions with their gold query plans, written from the annotated document: what the
schema adapter learns to choose plans from, and what the held-out plan benchmark asks.

    for gold in plan_questions(doc, values, seed=0):
        gold.question, gold.lang, gold.plan      # "quantos clientes estão com situação ativo?"

Every name and value comes from the document and the value index: a table's noun from
its description ("Cadastro de clientes (pessoas ...)" -> "clientes") or, in English,
from its name read through the vocabulary (CAD_CLI -> customers); a column's from its
description; codes by their annotated meaning; stored text values from
`text_values.json`; years from the samples' range when known. Each kind of question
(a count, a count of a code, a sum or an average, a count per code, the top N by a
number, a year, a stored value reached through a foreign key) has several phrasings in
each language, drawn at random (seeded), so the adapter sees the words vary around the
same plan, as people's questions do.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from schemachat.agent.plans.compile import kind
from schemachat.agent.plans.plan import Col, Expr, Filter, Item, Order, QueryPlan
from schemachat.agent.plans.reach import Reach
from schemachat.ingest.models.combined import CombinedColumn, CombinedRelation, CombinedSchema
from schemachat.ingest.models.values import TextValues
from schemachat.ingest.vocabulary import split_identifier, vocabulary

PER_TABLE = 10  # questions written per table at most (before the engine checks them)
YEARS = (2022, 2023, 2024)  # the years asked about when a date column's range is unknown
_HEAD = re.compile(r"^(cadastro|tabela|registro|lista|log|movimento|movimentação)\s+"
                   r"(de|do|da|dos|das)\s+", re.IGNORECASE)

PT = {
    "count": ["quantos {n} existem?", "quantos {n} temos?", "qual o número de {n}?",
              "quantos registros de {n} há?"],
    "code": ["quantos {n} estão com {c} {m}?", "quantos {n} têm {c} igual a {m}?",
             "total de {n} com {c} {m}", "quantos {n} {m} temos?"],
    "sum": ["qual o total de {c} dos {n}?", "qual a soma de {c} em {n}?",
            "some o {c} de todos os {n}"],
    "avg": ["qual a média de {c} dos {n}?", "qual o {c} médio dos {n}?"],
    "group": ["quantos {n} há por {c}?", "quantos {n} existem em cada {c}?",
              "contagem de {n} por {c}"],
    "top": ["quais os {k} {n} com maior {c}?", "liste os {k} {n} de maior {c}",
            "top {k} {n} por {c}"],
    "year": ["quantos {n} com {c} em {y}?", "quantos {n} tiveram {c} em {y}?"],
    "value": ["quantos {n} de {v} temos?", "quantos {n} são de {v}?", "{n} de {v}: quantos?"],
    "share": ["qual a porcentagem dos {n} com {c} {m}?", "quantos por cento dos {n} estão {m}?",
              "que percentual dos {n} tem {c} {m}?"],
}
EN = {
    "count": ["how many {n} are there?", "how many {n} do we have?", "count the {n}",
              "what is the number of {n}?"],
    "code": ["how many {n} have {c} {m}?", "how many {n} are {m}?", "count the {m} {n}"],
    "sum": ["what is the total {c} of the {n}?", "sum of {c} over all {n}"],
    "avg": ["what is the average {c} of the {n}?", "average {c} of {n}"],
    "group": ["how many {n} per {c}?", "how many {n} are there for each {c}?",
              "count of {n} by {c}"],
    "top": ["which {k} {n} have the highest {c}?", "top {k} {n} by {c}",
            "list the {k} {n} with the largest {c}"],
    "year": ["how many {n} have {c} in {y}?", "how many {n} with {c} in {y}?"],
    "value": ["how many {n} from {v} do we have?", "how many {n} are from {v}?"],
    "share": ["what percentage of {n} have {c} {m}?", "what percentage of the {n} are {m}?",
              "what share of {n} are {m}?"],
}


_FEMININE_OF = {"quantos": "quantas", "dos": "das", "os": "as", "todos os": "todas as"}
# a word that agrees with the noun: right before it, or before the top N's number
_FEMININE = re.compile(r"\b(quantos|dos|todos os|os)( \{k\} \{n\}| \{n\})")
NAME_PARTS = frozenset(("nome", "nom", "descr", "desc", "razao", "raz", "fantasia",
                        "cidade", "nomraz", "titulo", "marca"))  # columns that name a row


def feminine(noun: str) -> bool:
    """Whether a Portuguese plural noun phrase takes feminine words ("quantas notas"):
    by its first word's ending, which is right for the common cases."""
    first = noun.split()[0].lower() if noun.split() else ""
    return first.endswith(("as", "ões", "dades", "agens"))


@dataclass
class GoldQuestion:
    """A question and the plan that answers it."""

    question: str
    lang: str  # "pt" | "en"
    plan: QueryPlan
    kind: str  # count | code | sum | avg | group | top | year | value | golden
    source: str = "document"  # "document" | "golden" (confirmed in feedback)


def table_noun(rel: CombinedRelation, lang: str) -> str | None:
    """What the rows of `rel` are called: from its description in Portuguese
    ("Cadastro de clientes (...)" -> "clientes"), from its name read through the
    vocabulary in English (CAD_CLI -> "customers"); None when nothing says."""
    if lang == "pt":
        text = rel.annotation.description if rel.annotation else None
        if not text:
            return None
        head = re.split(r"[(:;.,]", text, maxsplit=1)[0].strip()
        head = _HEAD.sub("", head).strip()
        return head[0].lower() + head[1:] if 2 < len(head) <= 40 else None
    words = _english(rel.name, skip_prefix=True)
    if not words:
        return None
    if words.endswith("s"):
        return words
    return words[:-1] + "ies" if words.endswith("y") and words[-2:-1] not in "aeiou" \
        else words + "s"


def column_noun(col: CombinedColumn, lang: str) -> str | None:
    """What `col` holds: its description's first clause (pt), its name through the
    vocabulary (en)."""
    if lang == "pt":
        text = col.annotation.description if col.annotation else None
        if not text:
            return None
        head = re.split(r"[(:;.,]", text, maxsplit=1)[0].strip()
        return head[0].lower() + head[1:] if 2 < len(head) <= 40 else None
    return _english(col.name, skip_prefix=False)


def _english(name: str, *, skip_prefix: bool) -> str | None:
    vocab = vocabulary()
    prefixes = {p.lower() for p in vocab.prefixes}
    parts = list(split_identifier(name))
    if skip_prefix and parts and parts[0] in prefixes:
        parts = parts[1:]
    words = []
    for part in parts:
        wording = vocab.wording.get(part.upper())
        if wording is None or not wording.get("en"):
            if part in ("cod", "id", "num", "nr") or len(part) < 3:
                continue  # keys say nothing a person would
            return None  # a piece nobody wrote English words for: no honest phrasing
        words.append(str(wording["en"]))
    return " ".join(words) or None


def plan_questions(doc: CombinedSchema, values: TextValues | None = None, *,
                   seed: int = 0) -> Iterator[GoldQuestion]:
    """Questions with gold plans for every table the document describes (see the module
    docstring); deterministic for a seed."""
    rng = random.Random(seed)
    reach = Reach(doc)
    for rel in sorted(doc.tables, key=lambda r: r.name):
        found = []
        for lang, phrases in (("pt", PT), ("en", EN)):
            noun = table_noun(rel, lang)
            if noun is None:
                continue
            found += list(_for_table(rel, noun, lang, phrases, rng, reach, doc, values))
        rng.shuffle(found)
        yield from found[:PER_TABLE]


def _for_table(rel: CombinedRelation, noun: str, lang: str, phrases: dict[str, list[str]],
               rng: random.Random, reach: Reach, doc: CombinedSchema,
               values: TextValues | None) -> Iterator[GoldQuestion]:
    base = rel.name

    def ask(kind: str, plan: QueryPlan, **words: object) -> GoldQuestion:
        phrase = rng.choice(phrases[kind])
        if lang == "pt" and feminine(noun):  # the words that agree with the noun
            phrase = _FEMININE.sub(lambda m: _FEMININE_OF[m.group(1)] + m.group(2), phrase)
        text = phrase.format(n=noun, **words)
        return GoldQuestion(text[0].upper() + text[1:], lang, plan, kind)

    def col(column: CombinedColumn, alias: str = base) -> Expr:
        return Expr(column=Col(table=alias, column=column.name))

    count = Item(agg="COUNT")
    yield ask("count", QueryPlan(table=base, select=[count]))
    key = set(rel.primary_key.columns) if rel.primary_key else set()
    key |= {c for fk in rel.foreign_keys for c in fk.columns}  # codes of other rows
    for column in rel.columns:
        name = column_noun(column, lang)
        codes = column.annotation.values if column.annotation else {}
        if name and codes:
            code, meaning = rng.choice(sorted(codes.items()))
            yield ask("code", QueryPlan(table=base, select=[count], filters=[Filter(
                expr=col(column), op="=", value=code, meaning=meaning)]), c=name, m=meaning)
            yield ask("group", QueryPlan(table=base, select=[Item(expr=col(column)), count],
                                         group_by=[col(column)]), c=name)
            code, meaning = rng.choice(sorted(codes.items()))
            yield ask("share", QueryPlan(table=base, select=[Item(agg="COUNT", part=Filter(
                expr=col(column), op="=", value=code, meaning=meaning))]), c=name, m=meaning)
        kind = _kind(column)
        if name and kind == "number" and column.name not in key and column.computed is None \
                and not codes:
            agg = rng.choice(["sum", "avg"])
            yield ask(agg, QueryPlan(table=base, select=[Item(expr=col(column),
                                                              agg=agg.upper())]), c=name)
            k = rng.choice([3, 5, 10])
            yield ask("top", QueryPlan(table=base, select=[Item(expr=col(column))],
                                       order_by=[Order(item=0, desc=True)], limit=k),
                      c=name, k=k)
        if name and kind == "date":
            year = rng.choice(YEARS)
            yield ask("year", QueryPlan(table=base, select=[count], filters=[Filter(
                expr=Expr(column=Col(table=base, column=column.name), part="YEAR"), op="=",
                value=year)]), c=name, y=year)
    if values is not None:
        yield from _value_questions(base, reach, doc, values, rng, ask, count)


def _value_questions(base: str, reach: Reach, doc: CombinedSchema, values: TextValues,
                     rng: random.Random, ask: Callable[..., GoldQuestion],
                     count: Item) -> Iterator[GoldQuestion]:
    """Counts of base rows whose parent (one foreign key away) holds a stored text value
    ("quantos clientes de Campinas?": CAD_CLI joined to CAD_CID on CID_NOME)."""
    for alias, hop in reach.of(base).items():
        if hop.depth != 1:
            continue
        parent = doc.relation(hop.table)
        if parent is None:
            continue
        for column in parent.columns:
            if not NAME_PARTS & set(split_identifier(column.name)):
                continue  # a value people name things by, not a code or a note
            found = values.columns.get(f"{parent.name}.{column.name}")
            words = [v.strip() for v in (found.values if found else [])
                     if 3 <= len(v.strip()) <= 30 and not v.strip().isdigit()]
            if not words or _kind(column) != "text":
                continue
            value = rng.choice(sorted(words))
            plan = QueryPlan(table=base, joins=list(hop.joins), select=[count], filters=[
                Filter(expr=Expr(column=Col(table=alias, column=column.name)), op="=",
                       value=value)])
            yield ask("value", plan, v=value)
            break


def _kind(column: CombinedColumn) -> str:
    return kind(column)
