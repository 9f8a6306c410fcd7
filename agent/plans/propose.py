"""Ranked query plans for a question, without a model.

    linker = Linker.of(doc, text_values)
    for cand in linker.propose(read_question(text), hits=["CAD_CLI", ...]):
        cand.plan, cand.score, cand.unmapped

For each base table (retrieval's best, the tables the question's subject names, and
their child tables, which hold the facts about them), the linker fills a plan from
what the question says: filters from the values it names (mapped codes, stored text),
comparisons, dates and missing things; the aggregate and its measure; what to group by;
the top N and what orders it. Only the tables the base reaches along foreign keys
(`reach.py`) are joined, so every count stays a count of base rows. Each plan is scored
by how much of the question it explains; words it cannot place are kept in `unmapped`,
so the answer can say what it could not map.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Any, cast

from schemachat.agent.plans.columns import Columns, name_column
from schemachat.agent.plans.compile import kind
from schemachat.agent.plans.draft import Draft, Found
from schemachat.agent.plans.duration import LATE, days_asked, duration
from schemachat.agent.plans.link import CODED, SchemaTerms, ValueLink, ValueLinks
from schemachat.agent.plans.plan import (
    Aggregate,
    Col,
    Expr,
    Filter,
    Having,
    HavingOp,
    Item,
    Op,
    Order,
    QueryPlan,
    Related,
)
from schemachat.agent.plans.question import (
    DAYS,
    PHONE,
    Arithmetic,
    Comparison,
    DateRef,
    Question,
    Span,
    cues,
    filler,
    find_cue,
    sales_words,
    says_money,
)
from schemachat.agent.plans.reach import Hop, Reach
from schemachat.agent.plans.share import share_item
from schemachat.agent.retrieval.text import Analyzer
from schemachat.ingest.models.combined import CombinedColumn, CombinedRelation, CombinedSchema
from schemachat.ingest.models.values import TextValues
from schemachat.ingest.vocabulary import fold, split_identifier, vocabulary

BASES = 6  # retrieval hits tried as the base table
COLUMN_BASES = 2  # tables tried because a column of theirs is named by its name
ONE_NAME = 2.0  # a count of the rows whose own name is one value (one row)
WINDOW = 4  # words before a number or date that name what it is about
_COUNTING = frozenset({"mais", "menos", "most", "fewest", "least"})  # no "highest order value"
UNPLACED = 2.5  # what a date, comparison or missing thing the plan cannot place costs
UNORDERED = 4.0  # a superlative's plan that orders nothing
_UNITS = DAYS | {"meses", "months", "anos", "years", "semanas", "weeks", "horas", "hours"}
CHILD = 1.0  # a base neither retrieval nor the subject named, only a child of one
VIEW = 3.0  # views are filtered or summed subsets: a table is the likelier answer
PLANNED = 3.0  # a table of targets or budgets asked about what was done
STAGING = 2.0  # a staging copy, backup or log table the question does not name
SALES = 3.0  # a sales question over a table recording sales
JOIN = 0.7  # each table a plan joins
SUBJECT = 1.5  # weight of how well the base table's terms match the question's subject
UNMAPPED = 1.2  # what each question word the plan leaves unexplained costs
STORED = 3.0  # times that, for a word naming a whole stored value ('TIGRE')


_LINKING = frozenset({"da", "de", "do", "das", "dos", "na", "no", "of", "from", "at",
                      "the", "in"})
_ASIDE = re.compile(r"\([^)]*\)")
_NUMBER_WORDS = frozenset({"number", "no", "nº", "no.", "numero", "num", "nr", "nro", "#",
                           "id", "code", "codigo", "cod"})
_ASKING = frozenset({"qual", "quais", "que", "which", "what"})
_WHO = frozenset(("who", "whom", "which", "quem"))  # asking for a row, not a value
_NUMBER_NAME = re.compile(r"(?:^|_)(?:NUM|NR|NRO|NUMERO)(?:_|$)")


def _own(columns: list[str], refers: set[str]) -> list[str]:
    return [c for c in columns if c not in refers]


@dataclass(frozen=True)
class Numbered:
    """A bare number of the question, the words before it and the tables they name by
    name (`Linker._numbered`)."""

    value: int
    span: Span
    near: list[int]
    named: set[str]


@dataclass
class Candidate:
    """A plan with its score, the question words it explains and those it does not."""

    plan: QueryPlan
    score: float
    explained: set[int] = field(default_factory=set)
    unmapped: list[str] = field(default_factory=list)
    guesses: list[str] = field(default_factory=list)
    expects_rows: bool = True




class Linker:
    """Plans for questions about one document (see the module docstring)."""

    def __init__(self, doc: CombinedSchema, values: TextValues | None,
                 analyzer: Analyzer | None = None) -> None:
        self.doc = doc
        self.terms = SchemaTerms.of(doc, analyzer)
        self.values = ValueLinks(self.terms, values)
        self.reach = Reach(doc, edges=self.terms.edges)  # the FKs found once
        self.prefixes = {p.lower() for p in vocabulary().prefixes}
        self.cols = Columns(doc, self.terms, self.prefixes)
        self.sales = self._sales_tables()
        self.declared = {(e.table, e.columns[0]): e.ref_table for e in self.terms.edges
                         if e.declared and len(e.columns) == 1}
        self.table_terms = frozenset().union(*self.terms.table_names.values())

    @classmethod
    def of(cls, doc: CombinedSchema, values: TextValues | None = None,
           analyzer: Analyzer | None = None) -> Linker:
        """A linker for `doc` and its value index."""
        return cls(doc, values, analyzer)

    # -- the entry point ----------------------------------------------------------------

    def propose(self, q: Question, hits: list[str], limit: int = 8) -> list[Candidate]:
        """Plans for `q`, best first; `hits`: retrieval's tables, best first."""
        links = self.values.find(q)
        subject = [i for i in _subject(q, links) if not self._names_value(q, i, links)]
        out: list[Candidate] = []
        bases, children = self._bases(q, hits, subject)
        # A table holding a value the question names is a base even when retrieval
        # missed it ("which faucets (torneiras) do we carry": CAD_PRO.PRO_DESCR).
        bases += [t for t in dict.fromkeys(link.table for link in links
                                           if link.meaning is None) if t not in bases]
        # Words naming a stored value ("Tigre", "torneira") say what the question is about
        # as much as its subject does: a plan leaving them out pays as for the subject.
        valued = {i for link in links if link.meaning is None
                  for i in (link.words or range(link.span.start, link.span.end))}
        # ... and one stored whole ('TIGRE', not a word inside descriptions) says most
        stored = {i for link in links if link.meaning is None and link.op != "CONTAINING"
                  for i in (link.words or range(link.span.start, link.span.end))}
        # With no subject ("quanto a vendedora Camila vendeu"), the words that only name
        # a value and its table say nothing about the rows: the others do ("vendeu").
        about = subject or [i for i in q.content() if i not in valued and
                            not self._names_value(q, i, links)] or q.content()
        # a number inside a stored code ('NF 55751-1') is no row's key
        coded = {i for link in links if link.meaning is None and link.strength >= CODED
                 for i in link.words}
        numbered = [n for n in self._numbered(q) if n.span.start not in coded]
        for rank, base in enumerate(bases):
            for draft in self._drafts(q, base, links, subject, about, numbered):
                if base in children and q.top is None:
                    draft.score -= CHILD
                cand = self._finish(q, draft, rank, valued, stored)
                if cand is not None:
                    out.append(cand)
        self._prefer_headers(out)
        out.sort(key=lambda c: -c.score)
        seen, unique = set(), []
        for cand in out:
            key = cand.plan.model_dump_json()
            if key not in seen:
                seen.add(key)
                unique.append(cand)
        return unique[:limit]

    def _prefer_headers(self, candidates: list[Candidate]) -> None:
        """A plan over a child table (order items) that explains nothing its parent's
        plan (the orders) does not, counts the wrong rows: it loses to the parent's."""
        by_base = {c.plan.table: c for c in sorted(candidates, key=lambda c: c.score)}
        for cand in candidates:
            rel = self.doc.relation(cand.plan.table)
            key = set(rel.primary_key.columns) if rel and rel.primary_key else set()
            if self._uses_own_columns(cand.plan, key):
                continue  # it sums or filters something only the items have
            for edge in self.reach.parents.get(cand.plan.table, []):
                parent = by_base.get(edge.ref_table)
                # Only an item of its header (the item's key holds the FK).
                if parent is not None and set(edge.columns) <= key and \
                        cand.explained <= parent.explained:
                    cand.score -= 2.0
                    break

    @staticmethod
    def _uses_own_columns(plan: QueryPlan, key: set[str]) -> bool:
        exprs = [i.expr for i in plan.select if i.expr] + [f.expr for f in plan.filters] + \
            list(plan.group_by)
        return any(e.column.table == plan.table and e.column.column not in key
                   for e in exprs)

    def _names_value(self, q: Question, i: int, links: list[ValueLink]) -> bool:
        """Whether word `i` stands right before a stored value and names its table
        ("marca" in "produtos da marca Suvinil"): it qualifies the value, not the rows."""
        # a staging copy's value ('CURITIBA' of TMP_IMPORT_CLI) qualifies nothing:
        # "clientes de Curitiba" are the customers
        return any(link.meaning is None and 0 < link.span.start - i <= 2 and
                   not self._staging(q, link.table) and
                   self.terms.table_name_match(link.table, q, [i])[1] for link in links)

    def _bases(self, q: Question, hits: list[str],
               subject: list[int]) -> tuple[list[str], set[str]]:
        """The base tables to try, and which of them came only as children."""
        names = [h for h in hits if self.doc.relation(h) is not None][:BASES]
        # Ties (CAD_CLI, TMP_IMPORT_CLI for "clientes") go to the table named for no more
        # than the question says, then by name.
        # A subject naming no table ("quantos dias se passam entre ... um pedido de
        # compra"): the tables the question's other words name.
        scored = []
        for words in (subject, q.content()):
            scored = sorted(((match, self._prior(q, r), r.name) for r in self.doc.relations()
                             if (match := self.terms.table_match(r.name, q, words)[0]) > 0),
                            key=lambda s: (-s[0], -s[1], s[2]))
            if scored:
                break
        named = [name for _, _, name in scored[:2]]
        names += [n for n in named if n not in names]
        # A column the question names by two or more words ("salário bruto": SAL_BRUTO)
        # brings its table, which retrieval may have ranked low.
        names += [t for t in self._column_named(q) if t not in names]
        # A question about what was sold: the tables recording sales, which may be two
        # joins from what it names ("top 5 brands by turnover": order items).
        if sales_words(q):
            names += [t for t in sorted(self.sales) if t not in names]
        # Child tables of what the subject names: "the 5 customers who bought the most"
        # sums orders; "which salespeople have a target" lists targets.
        children = set()
        # Views hold no FKs: the children come from the best-named table.
        table = next((name for _, _, name in scored if
                      (rel := self.doc.relation(name)) is not None and rel.kind != "view"), None)
        for name in dict.fromkeys(([table] if table else []) + named[:1] + names[:1]):
            for edge in self.reach.children.get(name, []):
                if edge.table not in names:
                    names.append(edge.table)
                    children.add(edge.table)
        return names, children

    def _column_named(self, q: Question) -> list[str]:
        """Tables holding a column whose own name two or more question words say."""
        words = q.content()
        best: dict[str, float] = {}
        for key, terms in self.terms.names.items():
            if key in self.terms.keys:
                continue
            score, hit = self.terms.match(terms, q, words)
            if len(hit) >= 2 and score > best.get(key[0], 0.0):
                best[key[0]] = score
        return sorted(best, key=lambda t: -best[t])[:COLUMN_BASES]

    # -- filling a plan ------------------------------------------------------------------

    def _drafts(self, q: Question, base: str, links: list[ValueLink],
                subject: list[int], about: list[int],
                numbered: list[Numbered]) -> list[Draft]:
        rel = self.doc.relation(base)
        if rel is None:
            return []
        if self._cue_is_a_name(q, base):
            # "custo médio", "average cost": the column CUSTO_MED, not an AVG of cost
            q = replace(q, aggregate=None, aggregate_span=None)
        d = Draft(base, self.reach.of(base), subject)
        bought = self._bought(q, base)
        if bought:  # "what customers bought" names our sales, not the purchase orders
            about = [i for i in about if i not in bought]
        score, hit = self.terms.table_match(base, q, about)
        d.score += SUBJECT * score + self._prior(q, rel)
        d.subject_score = score
        d.explained |= hit
        d.table_words = set(hit)
        # The base's name said anywhere ("porcelanato products") is explained too.
        d.explained |= self.terms.table_match(base, q, q.content())[1] - bought
        self._sold(q, d)
        self._comparisons(q, d)
        self._dates(q, d)
        self._weekdays(q, d)
        self._missing(q, d, links)
        self._present(q, d)
        self._overdue(q, d)
        self._numbers(q, d, numbered)
        self._documents(q, d)
        self._filters(q, d, links)
        self._named(q, d)
        if self._values_of_keys(d, []):
            # "quanto é a multa por atraso": one setting's value, not a sum or a group
            self._listing(q, d, subject)
        elif d.counts:  # "clientes com mais de 3 pedidos"
            self._count_groups(q, d)
        elif q.top is not None:
            self._top(q, d)
        elif q.share is not None and self._share(q, d):
            pass  # "what percentage of customers are blocked"
        elif q.aggregate is not None or self._grouped(q, d) or self._summed(q, d) or q.amount or (
                not q.listing and says_money(q)):
            # "qual foi a receita em 2024": an amount of money is a sum
            self._aggregate(q, d)
        else:
            self._listing(q, d, subject)
        return [d]

    @staticmethod
    def _grouped(q: Question, d: Draft) -> bool:
        """Whether a group cue is followed by words no filter took: "por saco" names the
        unit of the products listed (a value), "por filial" a group."""
        return any(i not in d.claimed for span in q.group_spans for i in q.content(span))

    def _cue_is_a_name(self, q: Question, base: str) -> bool:
        """Whether the AVG cue and a word next to it together name a number column of the
        base or a table it joins ("custo médio": CUSTO_MED)."""
        span = q.aggregate_span
        if q.aggregate != "AVG" or span is None or span.end - span.start != 1:
            return False
        cue = self.terms.word_terms(q.words[span.start].text)
        near = [self.terms.word_terms(q.words[i].text) for i in (span.start - 1, span.end)
                if 0 <= i < len(q.words) and q.words[i].folded.isalpha()
                and q.words[i].folded not in filler()]
        for hop in self.reach.of(base).values():
            rel = self.doc.relation(hop.table)
            for col in rel.columns if rel and hop.depth <= 1 else []:
                names = self.terms.names.get((hop.table, col.name), frozenset())
                if kind(col) == "number" and cue & names and any(w & names for w in near):
                    return True
        return False

    def _sales_tables(self) -> set[str]:
        """Tables whose name or own description says they record sales ("Pedidos de
        venda", "Notas fiscais de saída"), and their items."""
        marks = set(cues()["sales_tables"])
        out = set()
        for rel in self.doc.relations():
            words = {w for part in split_identifier(rel.name)
                     for w in (part, *self.terms.analyzer.expand_part(part))}
            words |= set(fold(rel.description or "").replace("(", " ").split())
            if words & marks:
                out.add(rel.name)
        return out

    def _sold(self, q: Question, d: Draft) -> None:
        """A question about what was sold ("os produtos mais vendidos", "revenue") is
        answered from a table recording sales, or from its items (MOV_PED_ITEM under
        MOV_PED), rather than from stock movements or a price list."""
        said = sales_words(q)
        if not said:
            return
        if self._records_sales(d.base):
            d.score += SALES
            d.explained |= set(said)
            d.sold = set(said)

    @staticmethod
    def _sold_said(q: Question) -> list[int]:
        """The sales words said as a verb ("vendeu", "sold"): the rows are sales."""
        return [i for i in sales_words(q) if _VERB.search(q.words[i].folded)]

    def _unsold(self, d: Draft, table: str, hit: set[int]) -> None:
        """"preço de venda entre 100 e 200": the sales words name a column of a table
        recording no sales (PRO_PRECO), so the base is not credited for them."""
        if d.sold and d.sold <= hit and not self._records_sales(table):
            d.score -= SALES
            d.sold = set()

    def _records_sales(self, base: str) -> bool:
        """Whether `base` records sales, or is the items of a table that does."""
        rel = self.doc.relation(base)
        key = set(rel.primary_key.columns) if rel and rel.primary_key else set()
        headers = {e.ref_table for e in self.reach.parents.get(base, [])
                   if set(e.columns) <= key}
        return base in self.sales or bool(headers & self.sales)

    def _bought(self, q: Question, base: str) -> set[int]:
        """The words saying what customers bought ("customers ... buy from us"), when
        `base` records no sales: they name the sales, not this table (MOV_COMPRA)."""
        if self._records_sales(base):
            return set()
        words = set(cues()["bought_by_customers"])
        return {i for i in sales_words(q) if q.words[i].folded in words}

    def _prior(self, q: Question, rel: CombinedRelation) -> float:
        """Views and tables named for more than the question says fit less: of
        MOV_PED and MOV_PED_ITEM, "pedidos" means the first."""
        words = q.content()
        penalty = 0.0
        parts = split_identifier(rel.name)
        if all(p in self.prefixes for p in parts):
            parts = parts[-1:]  # EST_MOV: the prefixes are the name
        # "the customers we sell padlocks to": selling says a sales table's name (PED);
        # "revenue" says no order
        sold: set[str] = set()
        money = set(cues()["money"])
        if self._records_sales(rel.name) and any(
                q.words[i].folded not in money for i in sales_words(q)):
            sold = {p for t in self.sales for p in split_identifier(t)}
        for part in parts:
            if (part in self.prefixes and len(parts) > 1) or part in sold:
                continue
            # an abbreviation by what it stands for: MOV is movimento, PED pedido
            if not self.terms.match(self.terms.said_part(part), q, words)[1]:
                penalty += 0.7
        planned = cues()["planned"]
        if any(p in planned for p in split_identifier(rel.name)) and \
                not any(q.words[i].folded in planned for i in words):
            penalty += PLANNED  # TB_VEND_META for "quem mais vendeu": targets, not sales
        if self._staging(q, rel.name):
            penalty += STAGING  # TMP_IMPORT_CLI for "clientes": a copy, not the customers
        return -penalty - (VIEW if rel.kind == "view" else 0.0)

    @staticmethod
    def _staging(q: Question, table: str) -> bool:
        """Whether `table` is a staging copy, backup or log the question does not name."""
        staging = cues()["staging"]
        return any(p in staging for p in split_identifier(table)) and \
            not any(q.words[i].folded in staging for i in q.content())

    def _filters(self, q: Question, d: Draft, links: list[ValueLink]) -> None:
        by_span: dict[tuple[int, int], list[tuple[float, str, ValueLink, float, float]]] = {}
        if q.under_spans:  # "da linha de hidráulica": the parent of the product's group
            d.reach = {**d.reach, **self.reach.lines(d.base)}
        for link in links:
            if link.words & d.claimed:
                continue  # a date, comparison or missing thing took these words
            if link.meaning is not None and link.words and link.words <= d.beside:
                continue  # "gross pay below 1500": 'pay' ends the column's name, no status
            # a code said inside "still to be received" says what is left, not a state;
            # inside "contando a matriz" it is counted with the rest; inside "between the
            # order and its delivery" it names dates, not a status
            if link.meaning is not None and any(
                    s.holds_any(link.words) for s in (*q.remaining_spans, *q.included_spans,
                                                      *(a.span for a in q.arithmetic
                                                        if not a.linking))):
                continue
            # the meaning's own words, or their plurals ("representantes"), said; not
            # those of an aside ("FOB (por conta do cliente)" is not what "cliente" says)
            said = {fold(w) + end for w in re.findall(r"\w+", _ASIDE.sub("", link.meaning or ""))
                    for end in ("", "s", "es")}
            if link.meaning is not None and link.words and not any(
                    q.words[i].folded in said for i in link.words) and any(
                    self._all_name(q, link.words, t)
                    for t in (link.table, d.base,
                              *(h.table for h in d.reach.values() if h.depth == 1))):
                continue  # the words name a table ("contas a pagar", "vendedor"), not a code
            for alias, hop in d.reach.items():
                if hop.table != link.table:
                    continue
                # the words naming the base ("invoices") are no context for a code of
                # another table (MOV_PED's 'faturado'): they name the rows asked about
                near = self._context(q, link.span, (hop.table, link.column),
                                     skip=d.table_words if hop.depth else set())
                if link.meaning is not None and hop.depth > 1 and near < 0.5 and \
                        not self.terms.table_name_match(hop.table, q, q.content())[1]:
                    # a mapped code of a far table is rarely what is meant, unless its
                    # column is named next to it ("na região Sul": UF_REGIAO = 'S') or
                    # the table itself is ("apart from the head office, which branch")
                    continue
                fit = link.strength - 0.15 * hop.depth + 0.3 * near + self._role(q, d, hop) + \
                    self._under(q, d, hop, link)
                owner = self._owner(q, d, hop, link)
                by_span.setdefault((link.span.start, link.span.end), []).append(
                    (fit, alias, link, fit + self._apart(q, d, hop) + owner, owner))
        chosen: list[tuple[float, str, ValueLink]] = []
        taken: set[int] = set()
        for (start, end), options in sorted(by_span.items(),
                                            key=lambda kv: kv[0][0] - kv[0][1]):
            # the words themselves, not the span between them: "usuário gmarques ...
            # sistema" is the profile 'U' around a login
            said = set().union(*(o[2].words for o in options)) or set(range(start, end))
            if said & taken:
                continue
            names = [o for o in options if o[2].op == "CONTAINING" and self._is_name(o[2])]
            as_name = self._said_as_name(q, start, end) if names else None
            if as_name is not None:
                options = names  # "called Construtora Soares": 'CONSTRUTORA SOARES LTDA' too
                d.claim(as_name)
            elif any(o[2].op != "CONTAINING" for o in options):  # a stored value beats a
                # word in one, unless only the word is said right after its table's name
                # ("almoxarifado de avarias": ALM_DESCR, not ORIGEM's 'avaria')
                whole = [o for o in options if o[2].op != "CONTAINING"]
                if any(o[4] for o in options) and not any(o[4] for o in whole) and \
                        q.words[start].text[:1].islower():  # a common noun, not a name
                    whole = [o for o in options if o[4]]
                options = whole
            # alike, a lookup table's own name beats another table's second name ('MAKITA'
            # the brand, not the supplier's trade name): that table exists to name it
            best = max(options, key=lambda o: (round(o[3], 6), self._is_name(o[2]),
                                               -self._width(o[2].table)))
            if best[0] >= 0.45:
                taken.update(best[2].words or range(start, end))
                chosen.append(best[:3])
        # filtered column -> its filter's index and the value that made it
        columns: dict[tuple[str, str], tuple[int, ValueLink]] = {}
        for fit, alias, link in sorted(chosen, key=lambda c: c[2].span.start):
            if (alias, link.column) in columns:
                self._another_value(q, d, *columns[(alias, link.column)], link)
                continue
            columns[(alias, link.column)] = len(d.filters), link
            d.said_at[len(d.filters)] = link.span.start
            self._value_filter(d, alias, link)
            if self._under(q, d, d.reach[alias], link):  # "under", "subgrupos do": said
                d.claim({i for s in q.under_spans if s.holds_any(link.words)
                         for i in range(s.start, s.end)})
            for span in q.excluded_spans:
                if link.meaning is not None and link.op == "=" and span.holds_any(link.words):
                    # "not counting the dismissed ones": every code but that one
                    d.filters[-1] = d.filters[-1].model_copy(update={"op": "<>"})
                    d.claim(range(span.start, span.end))
            d.score += 1.5 * fit
            d.claim(link.words or range(link.span.start, link.span.end))
            d.claim(link.ruled_out)
            if link.meaning is None:  # "a referência STA-91585": the column, named
                d.claim(self._column_before(q, d.reach[alias].table, link))

    def _column_before(self, q: Question, table: str, link: ValueLink) -> set[int]:
        """The words right before a stored value that name its column, not its table
        ("da referência STA-91585": PRO_REF's 'referência', not 'produto')."""
        before = q.content(Span(max(link.span.start - 2, 0), link.span.start))
        _, hit = self.terms.match(self.terms.names.get((table, link.column), frozenset()),
                                  q, before)
        return {i for i in hit if not self.terms.table_name_match(table, q, [i])[1]}

    def _width(self, table: str) -> int:
        rel = self.doc.relation(table)
        return len(rel.columns) if rel is not None else 0

    def _is_name(self, link: ValueLink) -> bool:
        rel = self.doc.relation(link.table)
        named = name_column(rel, self.terms) if rel else None
        return named is not None and named.name == link.column

    @staticmethod
    def _said_as_name(q: Question, start: int, end: int) -> range | None:
        """The words saying that words are (part of) a name: "called", "chamado" before
        them (an empty range: the cue is read already), "que são" just before a common
        noun, "no nome", "in their name" after them; None when nothing says so."""
        if q.named is not None and q.named.start <= start and end <= q.named.end:
            return range(0)
        # "fornecedores que são distribuidoras", "que são lojas de ferragens": a kind of
        # them, said as a common noun, is a word of their names
        kind = find_cue(q.words[max(start - 4, 0):start], cues()["kind_of"])
        if kind is not None and q.words[start].text.islower() and all(
                w.text.islower() for w in q.words[max(start - 4, 0) + kind.end:end]):
            return range(0)
        while end < len(q.words) and not q.words[end].folded.isalnum():
            end += 1  # past a closing quote
        cue = find_cue(q.words[end:end + 4], cues()["in_name"])
        return range(end, end + cue.end) if cue is not None and cue.start == 0 else None

    @staticmethod
    def _value_filter(d: Draft, alias: str, link: ValueLink) -> None:
        """Filter `alias` on the value `link` names; a mapping nobody wrote down is kept
        as a guess, so the answer says so."""
        d.use(alias)
        op = link.op if link.op in ("CONTAINING", "IN", "<>") else "="
        value = list(link.value) if isinstance(link.value, tuple) else link.value
        d.filters.append(Filter(expr=Expr(column=Col(table=alias, column=link.column)), op=op,
                                value=value, meaning=link.meaning, guess=link.guess))
        if link.guess:
            d.guesses.append(f"{link.column} = '{link.value}' ({link.meaning})")

    def _all_name(self, q: Question, words: frozenset[int], table: str) -> bool:
        """Whether every one of `words` names `table` ("usuários": USERS)."""
        return words <= self.terms.table_name_match(table, q, sorted(words))[1]

    def _another_value(self, q: Question, d: Draft, at: int, named: ValueLink,
                       link: ValueLink) -> None:
        """A second value of a filtered column: "A ou B" widens it to IN (A, B); else the
        first one named stands ("companies rather than individuals"), unless its words
        name the table ("usuários com perfil de gerente": G, not U = 'usuário')."""
        first = d.filters[at]
        # the last two words between the two values ("ativos e quantos bloqueados")
        said = q.folded(Span(min(named.span.end, link.span.start), link.span.start))
        again = q.aggregate is not None and q.aggregate_span is not None and \
            q.aggregate_span.end <= named.span.start and find_cue(
                q.words, cues()["aggregates"][q.aggregate], start=named.span.end) is not None
        # "A ou B", "A e B"; "ativos e quantos são bloqueados" with the aggregate again
        between = said[-4:] if again else said[-2:]
        # "companies compared with individuals": a figure for each, as if said again
        cue = find_cue(q.words[named.span.end:link.span.start], cues()["set_against"])
        if q.aggregate is not None and cue is not None:
            again, between = True, [*between, "e"]
            d.claim(range(named.span.end + cue.start, named.span.end + cue.end))
        if first.op == link.op == "CONTAINING" and not ({"ou", "or"} & set(between)):
            # "220V electric showers": both words are in the description
            d.said_at[len(d.filters)] = link.span.start
            self._value_filter(d, first.expr.column.table, link)
            d.claim(link.words)
            return
        # "ativos, de férias, afastados e demitidos": a list, its commas joining too
        if not ({"ou", "or", "e", "and", ","} & set(between)) or first.op not in ("=", "IN"):
            if named.words and self._all_name(q, named.words, named.table) and \
                    not self._all_name(q, link.words, link.table):
                self._value_filter(d, first.expr.column.table, link)
                d.filters[at] = d.filters.pop()
                d.said_at[at] = link.span.start
            d.claim(link.words)
            return
        values = [*(first.value if first.op == "IN" else [first.value]),  # type: ignore
                  link.value]
        meaning = " / ".join(m for m in (first.meaning, link.meaning) if m) or None
        d.filters[at] = Filter(expr=first.expr, op="IN", value=values,  # type: ignore[arg-type]
                               meaning=meaning, guess=first.guess or link.guess)
        d.claim(link.words)
        if again:
            # "quantos ativos e quantos bloqueados": the aggregate said again, one figure
            # for each value; a plan that reads the question's two halves
            d.each.append(first.expr)
            d.score += 0.5
        elif q.aggregate is not None and self._every_code(d, first.expr.column, values):
            # "a média de salário dos homens e das mulheres": together they are every
            # row, so one figure each is what is asked
            d.each.append(first.expr)

    def _every_code(self, d: Draft, col: Col, values: list[Any]) -> bool:
        """Whether `values` are all the codes the column's annotation lists."""
        rel = self.doc.relation(d.reach[col.table].table)
        column = rel.column(col.column) if rel else None
        codes = column.annotation.values if column and column.annotation else None
        return bool(codes) and {str(v) for v in codes} == {str(v) for v in values}

    def _context(self, q: Question, span: Span, key: tuple[str, str],
                 skip: set[int] | frozenset[int] = frozenset()) -> float:
        """How well the words around a value name its column (0..1): 'bairro Centro';
        `skip`: words that do not count."""
        # quotes around the value do not count ("'materiais de construção' no nome")
        end = span.end + 2 + sum(not w.folded.isalnum() for w in q.words[span.end:span.end + 1])
        start = span.start - 3 - sum(not w.folded.isalnum()
                                     for w in q.words[max(span.start - 1, 0):span.start])
        around = [i for i in q.content(Span(start, end)) if i not in span and i not in skip]
        score, _ = self.terms.column_match(key, q, around)
        return min(score / 4.0, 1.0)

    def _role(self, q: Question, d: Draft, hop: Hop) -> float:
        """A table reached through a role (a manager, a debit account) fits better when
        the question names that role; a second way to the same table fits worse."""
        if not hop.fk or not hop.joins:
            return 0.0
        table = d.reach[hop.joins[-1].on[0][0].table].table
        score, _ = self.terms.match(self.terms.names.get((table, hop.fk[0]), frozenset()),
                                    q, q.content())
        # "suppliers based in Santa Catarina": the way through the suppliers, not the
        # branches, to the same state.
        # A word naming the base names no table on a longer way to a table the base
        # also reaches itself: "customer addresses in BH" is CAD_CLI_END's own city,
        # not its customer's.
        words = q.content()
        if any(h.table == hop.table and h.depth < hop.depth for h in d.reach.values()):
            words = [i for i in words if not self.terms.table_name_match(d.base, q, [i])[1]]
        via = any(j.table != d.base and self.terms.table_name_match(j.table, q, words)[1]
                  for j in hop.joins[:-1])  # (the base again is a role, not a named table)
        return min(score / 6.0, 0.3) - (0.2 if hop.alias != hop.table else 0.0) + \
            (0.4 if via else 0.0)

    def _apart(self, q: Question, d: Draft, hop: Hop) -> float:
        """Of two ways to the same table, a bonus for the one passing a named table the
        other does not ("the Porto Alegre branch received": CAR_TIT, which "received"
        names, is on both ways to CAD_CID, the branch on one). It picks the way only; the
        draft's score is left as `_role` makes it."""
        others = [{j.table for j in h.joins[:-1]} for h in d.reach.values()
                  if h.table == hop.table and h is not hop]
        if not others:
            return 0.0
        shared = set.intersection(*others)
        words = q.content()
        return 0.3 if any(j.table not in shared and j.table != d.base and
                          self.terms.table_name_match(j.table, q, words)[1]
                          for j in hop.joins[:-1]) else 0.0

    def _owner(self, q: Question, d: Draft, hop: Hop, link: ValueLink) -> float:
        """A value said right after a table's name (and its number) qualifies that
        table: "o vendedor do pedido 3000 da filial de Curitiba" is the order's branch,
        so the way from the order fits, not the one through the salesperson. It picks
        the way only, like `_apart`."""
        # the value's own first word ("did the Belo Horizonte" stores 'Belo Horizonte')
        k = min((i for i in link.words if q.words[i].folded not in filler()),
                default=link.span.start) - 1
        while k >= 0 and (q.words[k].folded in _LINKING or q.words[k].number is not None):
            k -= 1
        if k < 0:
            return 0.0
        owner = d.reach[hop.joins[-1].on[0][0].table].table if hop.joins else d.base
        if any(self.terms.table_name_match(t, q, [k])[1] for t in {owner, hop.table}):
            return 0.8
        # ... or a table further back on its way, less: "customers in Rio de Janeiro
        # state" is the customer's city's state
        passed = {j.table for j in hop.joins[:-2]} - {d.base}
        return 0.5 if any(self.terms.table_name_match(t, q, [k])[1] for t in passed) else 0.0

    @staticmethod
    def _under(q: Question, d: Draft, hop: Hop, link: ValueLink) -> float:
        """A value said after "under", "subgrupos de" names the parent row: the way
        through the table's reference to itself fits it ("the subgroups under the
        electrical group": the GRP_PAI row is 'ELÉTRICA'), its own column less; after "a
        linha de", the rows are the members of the line's subgroups, not the groups."""
        spans = [s for s in q.under_spans if s.holds_any(link.words)]
        if not spans:
            return 0.0
        if d.base == link.table and link.meaning is None and any(s in q.line_spans
                                                                 for s in spans):
            return -1.5  # "os produtos da linha X": the line's members, not its subgroups
        joins = hop.joins
        itself = bool(joins) and joins[-1].table == d.reach[joins[-1].on[0][0].table].table
        return 0.8 if itself else 0.0

    def _comparisons(self, q: Question, d: Draft) -> None:
        for comp in q.comparisons:
            # Not the words naming the rows ("products have a markup below ..."): the
            # PRO_ of CAD_PRO's columns says nothing about which number is compared.
            words = [i for i in q.content(Span(comp.span.start - WINDOW, comp.span.start))
                     if i not in d.table_words]
            if comp.of is not None and self._share_of(q, d, comp, words):
                continue
            if comp.average:
                self._above_average(q, d, comp, words)
                continue
            if comp.versus:  # no other column found: nothing to compare with
                d.score -= UNPLACED
                continue
            if self._counts_rows(q, d, comp):
                continue
            words += q.content(Span(comp.span.end, comp.span.end + 2))
            expr = self._arithmetic(q, d, Span(comp.span.start - 8, comp.span.start)) or \
                self._days_late(q, d, comp)
            if expr is None:
                best = self.cols.measure_column(q, d, words, kinds=("number",), depth=1)
                if comp.percent:  # "acima de 5%": a percentage column, if one fits
                    best = self.cols.percent_column(q, d, words) or best
                best = best or self.cols.money(q, d)
                if best is None:
                    d.score -= UNPLACED
                    continue
                alias, col, hit, score = best
                d.use(alias)
                expr = Expr(column=Col(table=alias, column=col.name))
                d.claim(hit)
                d.score += 0.3 * score
                self._unsold(d, d.reach[alias].table, hit)
                if hit and max(hit) + 2 == comp.span.start:  # "gross pay below"
                    d.beside.add(max(hit) + 1)
            d.said_at[len(d.filters)] = comp.span.start
            d.filters.append(Filter(expr=expr, op=comp.op, value=comp.value))
            d.score += 1.0
            d.claim(range(comp.span.start, comp.span.end))

    def _above_average(self, q: Question, d: Draft, comp: Comparison,
                       words: list[int]) -> None:
        """"cargos com salário base acima da média": the number the words before name,
        compared with its average over its whole table."""
        best = self.cols.measure_column(q, d, words, kinds=("number",), depth=1)
        if best is None:
            d.score -= UNPLACED
            return
        d.said_at[len(d.filters)] = comp.span.start
        d.filters.append(Filter(expr=Expr(column=_taken(d, best)), op=comp.op, average=True))
        d.score += 1.0 + 0.3 * best[3]
        d.claim(range(comp.span.start, comp.span.end))

    def _counts_rows(self, q: Question, d: Draft, comp: Comparison) -> bool:
        """"clientes com mais de 3 pedidos", "customers who placed more than 5 orders":
        the number counts the base's rows (a plural naming the base follows it) per the
        subject's key, which `_count_groups` groups by. False when nothing fits."""
        after = q.content(Span(comp.span.end, comp.span.end + 2))
        # "3 pedidos", "3 purchase orders": words naming the base, a plural among them
        named = set(self.terms.table_name_match(d.base, q, after)[1])
        if not self._names_base(q, d, after) and not (
                named and any(q.words[i].folded.endswith("s") for i in after)):
            named = set()
        if not named or comp.percent or comp.of is not None or comp.value != int(comp.value) \
                or q.top is not None:
            return False
        parent = self._counted_parent(q, d, far=True)
        if parent is None:
            return False
        d.counts.append((parent, comp.op, comp.value))
        d.claim(named | set(range(comp.span.start, comp.span.end)))
        d.score += 1.0
        return True

    def _count_groups(self, q: Question, d: Draft) -> None:
        """The subject's keys whose count of base rows compares as `d.counts` says."""
        parent = d.counts[0][0]  # the subject's key, the same for every count said
        d.use(parent.table)
        self._grouped_subject(q, d, parent)
        key = Expr(column=parent)
        d.select = [Item(expr=key), Item(agg="COUNT")]
        d.group_by = [key]
        d.having = [Having(item=1, op=cast(HavingOp, op), value=value)
                    for _, op, value in d.counts]
        # "quantos clientes fizeram mais de 10 pedidos": how many such customers
        d.count_groups = q.aggregate == "COUNT"

    def _share_of(self, q: Question, d: Draft, comp: Comparison, words: list[int]) -> bool:
        """"freight above 10% of the goods value": VL_FRETE > VL_PROD * 0.1. False (and
        nothing done) when the words after the percentage name no other number, or name
        a percentage column ("acima de 5% de desconto" compares PERC_DESC with 5)."""
        of = q.content(comp.of or Span(0, 0))
        if not of or self.cols.percent_column(q, d, of) is not None:
            return False
        right = self.cols.measure_column(q, d, of, kinds=("number",), depth=1)
        if right is None:
            return self._dates_compared(q, d, comp, words) if comp.versus else False
        left = self.cols.measure_column(q, d, words, kinds=("number",), depth=1,
                                        exclude={right[1].name}) or \
            self.cols.money(q, d, exclude=frozenset({right[1].name}))
        if left is None or (left[0], left[1].name) == (right[0], right[1].name):
            return False
        for alias, _, hit, score in (left, right):
            d.use(alias)
            d.claim(hit)
            d.score += 0.3 * score
        d.filters.append(Filter(expr=Expr(column=Col(table=left[0], column=left[1].name)),
                                op=comp.op, other=Expr(column=Col(table=right[0],
                                                                  column=right[1].name)),
                                factor=comp.factor))
        d.score += 1.5
        d.claim(range(comp.span.start, comp.span.end))
        return True

    def _dates_compared(self, q: Question, d: Draft, comp: Comparison,
                        words: list[int]) -> bool:
        """"pagos antes do vencimento", "delivered after the promised date": the base's
        date the words before name (else the date it happened) against the date after."""
        right = self.cols.column(q, d, q.content(comp.of or Span(0, 0)), kinds=("date",),
                                 depth=0)
        if right is None or all(q.words[i].folded in ("date", "data", "dia", "day")
                                for i in right[2]):
            return False  # "the promised date": which date was not said
        left = self.cols.column(q, d, words, kinds=("date",), depth=0,
                                exclude={right[1].name})
        done = self.cols.done_date(d)
        if left is None and (done is None or done.name == right[1].name):
            return False
        column, hit = (left[1], left[2]) if left else (done, set())
        d.filters.append(Filter(expr=Expr(column=Col(table=d.base, column=column.name)),
                                op=comp.op, other=Expr(column=Col(table=d.base,
                                                                  column=right[1].name))))
        d.claim(set(hit) | right[2] | set(range(comp.span.start, comp.span.end)))
        d.score += 1.5 + 0.3 * right[3]
        return True

    def _days_late(self, q: Question, d: Draft, comp: Comparison) -> Expr | None:
        """"pagos com mais de 30 dias de atraso", "delivered more than 5 days late": the
        day the thing happened minus its due date, when the number is in days and a
        word of lateness stands next to it; after "levaram", "took": the base's end date
        minus its start date."""
        said = q.folded(comp.span)
        near = [i for i in range(comp.span.end, min(comp.span.end + 3, len(q.words)))
                if q.words[i].folded in LATE]
        took = [i for i in range(max(comp.span.start - 2, 0), comp.span.start)
                if q.words[i].folded in cues()["durations"]["took"]]
        if DAYS & set(said) and took and not near:
            # "levaram mais de 10 dias pra chegar": how long the row took, end - start
            lasted = duration(self.cols, q, d)
            if lasted is not None:
                d.claim(took)
            return lasted
        if not DAYS & set(said) or not near:
            return None
        due, done = self.cols.due_date(d), self.cols.done_date(d)
        if due is None or done is None:
            return None
        d.claim(near)
        return Expr(column=Col(table=d.base, column=done.name), op="-",
                    right=Col(table=d.base, column=due.name))

    def _dates(self, q: Question, d: Draft) -> None:
        # the words before each date: another date's are not this one's event ("feitos em
        # dezembro de 2023 só foram entregues em 2024": delivered is the second date's)
        windows = [self._date_words(q, d, ref) for ref in q.dates]
        for k, (ref, words) in enumerate(zip(q.dates, windows, strict=True)):
            others = {i for j, w in enumerate(windows) if j != k for i in w}
            parts = self.cols.year_month_columns(d)
            if parts is not None:
                alias, year, month = parts
                if ref.year is None and not month:
                    d.score -= UNPLACED
                    continue
                if ref.year is not None:
                    d.filters.append(Filter(
                        expr=Expr(column=Col(table=alias, column=year)),
                        op="BETWEEN" if ref.year_to else cast(Op, ref.side or "="),
                        value=[ref.year, ref.year_to] if ref.year_to else ref.year))
                if ref.month and month:
                    d.filters.append(_month(Expr(column=Col(table=alias, column=month)), ref))
                d.score += 1.0
                continue
            best = self.cols.column(q, d, words, kinds=("date",), depth=0) or \
                self._paid_date(q, d, ref) or \
                self._event_date(q, d, words + sorted(others)) or \
                self.cols.default_date(d) or \
                self.cols.column(q, d, words, kinds=("date",), depth=1) or \
                self.cols.parent_date(d)
            if best is None:
                d.score -= UNPLACED
                continue
            d.filters += _date_filters(_taken(d, best), ref)
            d.score += 1.0 + 0.3 * best[3]

    def _date_words(self, q: Question, d: Draft, ref: DateRef) -> list[int]:
        """The words right before a date that may name its column. Filler counts here:
        "cadastrados em 2023" names the date of registration. Not a table the subject
        names: "clientes" is in DT_ENTREGA's description ("entrega ao cliente"), but
        names who bought, not which date."""
        return [i for i in range(max(ref.span.start - WINDOW, 0), ref.span.start)
                if i not in q.used and q.words[i].folded.isalpha()
                and not self._names_a_table(q, d, i)]

    def _weekdays(self, q: Question, d: Draft) -> None:
        """"notas emitidas em sábado ou domingo em 2023": the days of the week of the date
        a year or month already filters, else of the date the words before name, else of
        the base's main date."""
        for days, span in q.weekdays:
            dated = next((f.expr.column for f in d.filters
                          if f.expr.part in ("YEAR", "MONTH")), None)
            if dated is None:
                words = [i for i in range(max(span.start - WINDOW, 0), span.start)
                         if i not in q.used and q.words[i].folded.isalpha()]
                best = self.cols.column(q, d, words, kinds=("date",), depth=0) or \
                    self.cols.default_date(d)
                if best is None:
                    d.score -= UNPLACED
                    continue
                dated = _taken(d, best)
            op: Op = "IN" if len(days) > 1 else "="
            d.filters.append(Filter(expr=Expr(column=dated, part="WEEKDAY"), op=op,
                                    value=days if len(days) > 1 else days[0]))
            d.claim(range(span.start, span.end))
            d.score += 1.0

    def _event_date(self, q: Question, d: Draft, near: list[int]) -> Found | None:
        """"employees who left the company in the first half of 2024": a word farther
        from the date that names one of the base's own dates (DT_DEM for "left")."""
        far = [i for i in q.content() if i not in near and i not in q.used
               and q.words[i].folded.isalpha() and not self._names_a_table(q, d, i)]
        return self.cols.column(q, d, far, kinds=("date",), depth=0)

    def _paid_date(self, q: Question, d: Draft, ref: DateRef) -> Found | None:
        """"quanto pagamos em 2023", "bills we settled in April": the payment date, when
        the words before the date name no other; not for a date said before a passive
        "foram pagos" ("títulos de 2024 foram pagos com atraso": the bills of 2024)."""
        date = self.cols.paid(d)[1] if q.paid is not None else None
        if date is None or q.paid is None or (
                q.paid.start > ref.span.start and q.folded(q.paid)[0] in _PASSIVE):
            return None
        return d.base, date, set(range(q.paid.start, q.paid.end)), 0.0

    def _names_a_table(self, q: Question, d: Draft, i: int) -> bool:
        """Whether word `i` names a table the base reaches ("clientes")."""
        return any(self.terms.table_name_match(table, q, [i])[1]
                   for table in {hop.table for hop in d.reach.values()})

    def _missing(self, q: Question, d: Draft, links: list[ValueLink]) -> None:
        for span in q.missing_spans:
            words = q.content(span)
            code = self._code_saying_without(q, d, words, links) or \
                self._flag_said(d, words, links)
            if code is not None:  # "sem frete" is the code S = 'sem frete', not a NULL
                self._value_filter(d, d.base, code)
                d.claim(set(words) | code.words)
                d.score += 1.5
                continue
            if words and set(self.terms.table_name_match(d.base, q, words)[1]) == set(words) \
                    and not self.cols.uncovered(d.base, q, words):
                d.score -= UNPLACED  # "nenhum pedido" read over the orders: none lack
                continue  # themselves; the customers' plan says it
            best = self.cols.column(q, d, words, kinds=None, depth=0, nullable=True)
            absent = self._absent(q, d, words)
            if absent is not None and (best is None or absent[1] > best[3]):
                related, score, hit = absent
                d.related.append(related)
                d.score += 1.0 + 0.3 * score
                d.claim(hit)
                continue
            if best is None:
                d.score -= UNPLACED
                continue
            alias, col, hit, score = best
            stored = self._stored_for(q, d, words, col.name, links)
            if stored is None:
                d.said_at[len(d.filters)] = span.start
                d.filters.append(Filter(expr=Expr(column=Col(table=alias, column=col.name)),
                                        op="IS NULL"))
            else:  # the value stored for it says it ("sem número, aquele S/N": 'S/N')
                d.claim(stored)
            d.score += 1.0 + 0.3 * score
            d.claim(hit)

    def _stored_for(self, q: Question, d: Draft, words: list[int], column: str,
                    links: list[ValueLink]) -> set[int] | None:
        """The missing words that name the column of a value stored for "none" ("sem
        número, aquele S/N": CLI_NUM = 'S/N'), None when no such value is said."""
        for link in links:
            if link.table != d.base or link.meaning is not None or link.op != "=":
                continue
            _, hit = self.terms.match(self.terms.names.get((d.base, link.column), frozenset()),
                                      q, words)
            if hit or link.column == column:
                return hit
        return None

    def _present(self, q: Question, d: Draft) -> None:
        """"clientes com alguma observação anotada": a column of the base that must be
        filled in (IS NOT NULL). Words naming no such column say nothing here ("tem algum
        pedido" is the orders' plan)."""
        for span in q.present_spans:
            words = [i for i in q.content(span)
                     if i not in d.claimed and not self._names_a_table(q, d, i)]
            best = self.cols.column(q, d, words, kinds=None, depth=0, nullable=True)
            # "pedidos que tiveram desconto": an amount above zero, not merely filled in
            amount = self.cols.measure_column(q, d, words, kinds=("number",), depth=0)
            if amount is not None and (best is None or amount[3] >= best[3]):
                d.filters.append(Filter(expr=Expr(column=_taken(d, amount)), op=">", value=0))
                d.score += 1.0 + 0.3 * amount[3]
                continue
            if best is None:
                d.score -= 1.0 if words else 0.0  # "alguma observação": the base has none
                continue
            d.filters.append(Filter(expr=Expr(column=_taken(d, best)), op="IS NOT NULL"))
            d.score += 1.0 + 0.3 * best[3]

    @staticmethod
    def _code_saying_without(q: Question, d: Draft, words: list[int],
                             links: list[ValueLink]) -> ValueLink | None:
        """A code of the base whose meaning itself says "sem/without" the words."""
        said = {f"{neg} {q.words[i].folded}" for i in words for neg in ("sem", "without")}
        return next((link for link in links if link.table == d.base and link.meaning and
                     any(s in fold(link.meaning) for s in said)), None)

    @staticmethod
    def _flag_said(d: Draft, words: list[int], links: list[ValueLink]) -> ValueLink | None:
        """A yes/no flag of the base named by the words after "sem/without": its "no"
        ("condições sem entrada" is CPG_ENTRADA = 'N')."""
        return next((replace(link, value=link.no[0], meaning=link.no[1], no=None)
                     for link in links if link.table == d.base and link.no is not None
                     and link.words and link.words <= set(words)), None)

    def _named(self, q: Question, d: Draft) -> None:
        """"colaboradoras que se chamam Ana", "cities that start with São": the base's name
        column starting with the name as stored ('ANA %'), when no stored value took those
        words already."""
        span = q.named or q.starts
        if span is None or any(i in d.claimed for i in range(span.start, span.end)):
            return
        rel = self.doc.relation(d.base)
        col = name_column(rel, self.terms) if rel else None
        if col is None:
            return
        said = [q.words[i].folded for i in range(span.start, span.end)]
        # "start with São e ficam...": the longest run of the words a stored name begins with
        stored = next((found for n in range(len(said), 0, -1) if (
            found := self.values.starting(d.base, col.name, said[:n])) is not None), None)
        if stored is None:
            if span is q.starts:  # its words were kept from the value links: unplaced
                d.score -= UNPLACED
            return
        d.filters.append(Filter(expr=Expr(column=Col(table=d.base, column=col.name)),
                                op="LIKE", value=stored.replace("%", "") + " %"))
        d.claim(range(span.start, span.end))
        d.score += 1.5

    def _overdue(self, q: Question, d: Draft) -> None:
        """"títulos vencidos", "overdue bills": the base's due date before today and,
        when one of its codes means open, that code (a paid title is not overdue)."""
        if q.overdue is None:
            return
        due = self.cols.due_date(d)
        if due is None:
            d.score -= UNPLACED
            return
        before = {w.folded for w in q.words[max(q.overdue.start - 2, 0):q.overdue.start]}
        done = self.cols.done_date(d) if before & set(cues()["done"]) else None
        if done is not None:  # "paid late", "pagos com atraso": done after the due date
            d.filters.append(Filter(expr=Expr(column=Col(table=d.base, column=done.name)),
                                    op=">", other=Expr(column=Col(table=d.base,
                                                                  column=due.name))))
            d.claim(range(q.overdue.start, q.overdue.end))
            d.score += 1.5
            return
        d.filters.append(Filter(expr=Expr(column=Col(table=d.base, column=due.name)), op="<",
                                today=True))
        opened = self.cols.open_code(d)
        if opened is not None:
            column, code, meaning = opened
            d.filters.append(Filter(expr=Expr(column=Col(table=d.base, column=column)), op="=",
                                    value=code, meaning=meaning))
        d.claim(range(q.overdue.start, q.overdue.end))
        d.score += 1.5

    def _absent(self, q: Question, d: Draft,
                words: list[int]) -> tuple[Related, float, set[int]] | None:
        """A table referring to the base that the words name: "customers without orders"
        asks for customers no order refers to."""
        best: tuple[Related, float, set[int]] | None = None
        # "nenhum pedido" in a draft about orders names the orders, not their items
        itself = bool(self.terms.table_name_match(d.base, q, words)[1])
        for edge in self.reach.children.get(d.base, []):
            score, hit = self.terms.table_match(edge.table, q, words)
            if itself and self.cols.uncovered(edge.table, q, words):
                continue
            if hit and (best is None or score > best[1]):
                on = list(zip(edge.columns, edge.ref_columns, strict=True))
                best = (Related(table=edge.table, on=on), score, hit)
        return best

    def _numbered(self, q: Question) -> list[Numbered]:
        """Each bare whole number with the words right before it (up to three, not past a
        verb: "shipped sales order") and the tables those words name by name (a carrier
        whose description mentions orders is not what "sales order 2000" numbers); once
        per question, for every draft."""
        out = []
        for value, span in q.numbers:
            if span.start == 0 or value != int(value):
                continue
            near = []
            for i in range(span.start - 1, max(span.start - 4, -1), -1):
                if not q.words[i].folded.isalpha() or _VERB.search(q.words[i].folded):
                    break
                near.append(i)
            named = {r.name for r in self.doc.relations()
                     if self.terms.table_name_match(r.name, q, near)[1]}
            out.append(Numbered(int(value), span, near, named))
        return out

    def _numbers(self, q: Question, d: Draft, numbered: list[Numbered]) -> None:
        """A bare number after a word naming a table: that row's key ("produto 100",
        "pedido de venda 1500"). A draft with no place for a number its words name a
        table for ("nota 3000") costs: it answers about every invoice."""
        for number in numbered:
            span, near, named = number.span, number.near, number.named
            word = span.start - 1
            if word > 0 and q.words[word].folded in _NUMBER_WORDS:
                word -= 1  # "invoice number 3000", "pedido nº 1500"
                if word > 0 and q.words[word].folded in _LINKING:
                    word -= 1  # "produto de código 100"
            if self._number_of_own_column(q, d, span.start - 1, number):
                continue  # "quais cargos têm o CBO 413105": CBO, not the job's key
            for alias, hop in d.reach.items():
                _, hit = self.terms.table_match(hop.table, q, [word])
                rel = self.doc.relation(hop.table)
                key = self._own_key(rel) if rel is not None else None
                if not hit and key is not None and hop.table in named:
                    # "funcionário de matrícula 1102": the word names the key itself
                    _, hit = self.terms.match(
                        self.terms.names.get((hop.table, key), frozenset()), q, [word])
                if not hit or rel is None or (named and hop.table not in named):
                    continue
                if key is None or (rel.primary_key is not None and
                                   len(rel.primary_key.columns) > 1 and
                                   self.cols.uncovered(hop.table, q, near)):
                    continue  # "pedido 43" is no order item's SEQ: ITEM is unsaid
                target = self._key_column(d, alias, hop, key)
                d.pinned = d.pinned or hop.depth == 0
                d.filters.append(Filter(expr=Expr(column=target), op="=", value=number.value))
                d.score += 1.0
                d.explained |= hit
                d.claim(range(word + 1, span.end))  # not also a phone number's digits
                break
            else:
                if any(self.terms.table_name_match(t, q, [word])[1] for t in named):
                    # and no stored value takes its digits ('1200' of an address)
                    d.score -= 1.0
                    d.claim(range(span.start, span.end))
                elif word >= 0:
                    self._numbered_column(q, d, word, number)

    def _number_of_own_column(self, q: Question, d: Draft, word: int,
                              number: Numbered) -> bool:
        """A number right after the very name of one of the base's columns that is
        neither a key nor a reference ("o CBO 413105", a code stored as text): that
        column's value."""
        rel = self.doc.relation(d.base)
        if rel is None or word < 0 or self.terms.table_name_match(d.base, q, [word])[1]:
            return False  # "produto 1500", "nota 2500": the row's own number
        key = set(rel.primary_key.columns) if rel.primary_key else set()
        for col in rel.columns:
            own = (d.base, col.name)
            if col.name in key or own in self.terms.references or \
                    kind(col) not in ("number", "text"):
                continue
            if self.terms.match(self.terms.names.get(own, frozenset()), q, [word])[1]:
                value = number.value if kind(col) == "number" else str(number.value)
                d.filters.append(Filter(expr=Expr(column=Col(table=d.base, column=col.name)),
                                        op="=", value=value))
                d.claim(range(word, number.span.end))
                d.score += 1.0
                return True
        return False

    def _numbered_column(self, q: Question, d: Draft, word: int, number: Numbered) -> None:
        """"as contas de nível 2": a whole number right after a word naming one of the
        base's own number columns is that column's value."""
        found = self.cols.column(q, d, [word], kinds=("number",), depth=0)
        if found is None or word not in found[2]:
            return
        d.filters.append(Filter(expr=Expr(column=_taken(d, found)), op="=",
                                value=number.value))
        d.claim(range(number.span.start, number.span.end))
        d.score += 1.0

    def _documents(self, q: Question, d: Draft) -> None:
        """"the CNPJ 48.346.193/0001-63": the text column the words before it name, equal
        to the number as written (documents are stored formatted)."""
        for span in q.documents:
            words = [i for i in range(max(span.start - 6, 0), span.start)
                     if q.words[i].folded.isalpha()][-3:]  # past "(11)"
            best = self.cols.column(q, d, words, kinds=("text",), depth=1)
            if best is None:
                d.score -= UNPLACED
                continue
            text = q.words[span.start].text
            # a phone is stored with its area code ('(11) 2020-9038'): the number in it
            op: Op = "CONTAINING" if re.fullmatch(PHONE, text) else "="
            d.filters.append(Filter(expr=Expr(column=_taken(d, best)), op=op, value=text))
            d.claim({span.start})
            d.score += 1.5 + 0.3 * best[3]

    def _own_key(self, rel: CombinedRelation) -> str | None:
        """The key column a number names: the primary key, or of a composite one the only
        column that refers to no other table (PED_NUM of FIL_COD + PED_NUM), or of
        several the one named a number (TIT_NUM, not TIT_PARC). A document's printed
        number outranks a surrogate key: "nota 2500" is NF_NUM of the unique (FIL_COD,
        NF_SERIE, NF_NUM), not the internal NF_ID."""
        refers = {c for e in self.terms.edges if e.table == rel.name for c in e.columns}
        for unique in rel.unique_constraints:
            numbers = [c for c in _own(unique.columns, refers) if _NUMBER_NAME.search(c)]
            if len(numbers) == 1:
                return numbers[0]
        columns = rel.primary_key.columns if rel.primary_key else []
        own = _own(columns, refers)
        if len(columns) == 1:
            return columns[0]
        if len(own) > 1:
            own = [c for c in own if _NUMBER_NAME.search(c)]
        return own[0] if len(own) == 1 else None

    def _key_column(self, d: Draft, alias: str, hop: Hop, key: str) -> Col:
        # The base's own FK column when the keyed table is its parent: no join needed.
        if hop.depth == 1 and len(hop.joins[0].on) == 1 and hop.joins[0].on[0][1].column == key:
            return hop.joins[0].on[0][0]
        d.use(alias)
        return Col(table=alias, column=key)

    # -- select, group, order -----------------------------------------------------------

    def _aggregate(self, q: Question, d: Draft) -> None:
        agg = q.aggregate or ("SUM" if q.amount else self._implicit(q, d))
        group = self._groups(q, d)
        lasted = duration(self.cols, q, d) if agg == "COUNT" and days_asked(q) else None
        if lasted is not None:  # "how many days did the price list last": per row
            item = Item(expr=lasted, agg="AVG" if group else None)
            d.score += 1.0
        elif agg == "COUNT":
            item = Item(agg="COUNT")
            counted = None if self._counts_a_kind(q, d) else self._counted_parent(q, d)
            if counted is not None and not group:
                item = Item(expr=Expr(column=counted), agg="COUNT", distinct=True)
                self._grouped_subject(q, d, counted)
        else:
            # "ICMS at each tax rate": the rate is grouped, so not what is summed
            measure = self._measure(q, d, exclude={g.column.column for g in group
                                                   if g.column.table == d.base})
            if measure is None:
                d.score -= 3.0
                return
            item = Item(expr=measure, agg=agg)  # type: ignore[arg-type]
            # "juros por atraso" names the measure: no figure is grouped by itself
            group = [g for g in group if g != measure]
        group = group or [e for e in d.each if e not in group]
        d.select = [*(Item(expr=g) for g in group), item]
        d.group_by = group

    @staticmethod
    def _counts_a_kind(q: Question, d: Draft) -> bool:
        """"quantos filhos de funcionário": the first word after the count cue is a code
        of the base's own column (PARENTESCO 'F'), so the base's rows are counted, not the
        employees they belong to."""
        span = q.aggregate_span
        first = next((i for i in q.content() if span and i >= span.end), None)
        return first is not None and any(
            at == first and d.filters[k].meaning is not None and
            d.filters[k].expr.column.table == d.base for k, at in d.said_at.items()
            if k < len(d.filters))

    def _share(self, q: Question, d: Draft) -> bool:
        """A percentage (agent/plans/share.py), grouped when the question says so; False
        when the question names no part of a whole."""
        item = share_item(self.cols, q, d)
        if item is None:
            return False
        group = self._groups(q, d)
        d.select = [*(Item(expr=g) for g in group), item]
        d.group_by = group
        d.score += 1.0
        return True

    def _summed(self, q: Question, d: Draft) -> bool:
        """A difference or product nobody asked to list ("what was the difference between
        gross and net payroll") is a total."""
        return any((a.between or not q.listing) and not any(
            i in d.claimed for i in range(a.span.start, a.span.end)) for a in q.arithmetic)

    def _implicit(self, q: Question, d: Draft) -> str:
        """The aggregate of "saldo em estoque por almoxarifado" (no cue said it): SUM
        when the subject names one of the base's measures by its description, else
        COUNT."""
        if self._summed(q, d) or any(q.words[i].folded in cues()["money"]
                                     for i in q.content()):
            return "SUM"
        rel = self.doc.relation(d.base)
        for col in rel.columns if rel else []:
            key = (d.base, col.name)
            if kind(col) == "number" and self.cols.measure_like(key) and self.terms.match(
                    self.terms.described.get(key, frozenset()), q, d.subject)[1]:
                return "SUM"
        return "COUNT"

    def _groups(self, q: Question, d: Draft) -> list[Expr]:
        out: list[Expr] = []
        for span in q.group_spans:
            unit = self._time_unit(q, span)
            if unit is not None:
                exprs = self._time_group(d, unit)
                if exprs:
                    out += exprs
                    d.claim(range(span.start, span.end))
                    d.score += 1.0
                    continue
            # "cada filial gastou de telefone e internet": words a value took after the
            # first group nothing
            words = q.content(span)
            words = words[:1] + [i for i in words[1:] if i not in d.claimed]
            best = self.cols.column(q, d, words, kinds=None, depth=2, keys=True, hop_cost=0.3)
            if best is not None and words and words[0] not in best[2] and not (
                    q.lang == "en" and len(words) > 1 and words[1] == words[0] + 1
                    and words[1] in best[2]
                    and (d.reach[best[0]].table, best[1].name) not in self.terms.keys):
                # the word right after "each/por" is what is grouped, if a column is it
                # (in English, unless a column not a key is the next word's: "each tax
                # rate", but not PAG_ID of "each branch pay")
                best = self.cols.column(q, d, words[:1], kinds=None, depth=2, keys=True,
                                        hop_cost=0.3) or best
            if best is not None and d.reach[best[0]].depth > 0 and len(words) > 1:
                # "cada situação de cadastro": words that name the base as well as the
                # other table ("cadastro": CAD_CLI too) give no reason to leave the base
                own = self.cols.column(q, d, words[:1], kinds=None, depth=0, keys=True)
                rest = set(words[1:])
                if own is not None and rest <= self.terms.table_name_match(
                        d.base, q, words[1:])[1]:
                    best = (own[0], own[1], own[2] | rest, own[3])
            if best is None:
                d.score -= 1.0
                continue
            alias, col, hit, score = best
            alias = self._own_copy(d, alias, col.name)
            d.use(alias)
            table = d.reach[alias].table
            rel = self.doc.relation(table)
            if alias == d.base and rel and rel.primary_key and \
                    rel.primary_key.columns == [col.name]:
                d.score -= 2.0  # one group per row: not what "per" means
            if self.terms.references.get((table, col.name)) == table:
                d.score -= 1.0  # the table's own parent pointer: rarely what "per" means
            if self.cols.unsaid(q, col.name):
                d.score -= 1.0  # "por estado" is not EST_CIVIL: 'civil' was never said
            # ALMOX means something only with its FIL_COD; FIL_COD alone is a branch.
            alone = (table, col.name) in self.terms.references or col.name in self.terms.pk_names
            columns = (col.name,) if alone else \
                self.terms.fk_columns.get((table, col.name), (col.name,))
            out += [Expr(column=Col(table=alias, column=c)) for c in columns]
            d.score += 1.0 + 0.3 * score
            d.claim(hit)
        return out

    def _subject_column(self, q: Question, d: Draft) -> list[Expr]:
        """A text column of the base the subject's first word names, when that word names
        no table: "os 3 bairros com mais clientes" ranks CLI_BAIRRO's values."""
        first = [i for i in d.subject if i not in d.claimed][:1]
        if not first or any(self.terms.table_name_match(rel.name, q, first)[1]
                            for rel in self.doc.relations()):
            return []
        found = self.cols.column(q, d, first, kinds=("text",), depth=0)
        if found is None:
            return []
        d.claim(found[2])
        return [Expr(column=Col(table=d.base, column=found[1].name))]

    def _money_group(self, d: Draft, expr: Expr) -> bool:
        """Whether a group is an amount of money (VL_JUROS), which names a measure, not
        who or what the rows are grouped by."""
        key = (d.reach[expr.column.table].table, expr.column.column)
        return self.cols.measure_like(key) and self.cols.money_like(key)

    def _own_copy(self, d: Draft, alias: str, column: str) -> str:
        """The base itself when it holds the same column as the key of the join that
        reaches `alias` (group NF_CAB by its FIL_COD, not by MOV_PED's)."""
        hop = d.reach[alias]
        if hop.depth == 1 and any(a.column == column == b.column and a.table == d.base
                                  for a, b in hop.joins[0].on):
            return d.base
        return alias

    def _time_unit(self, q: Question, span: Span) -> str | None:
        for part, words in cues()["time_units"].items():
            if any(w in words for w in q.folded(span)):
                return part
        return None

    def _time_group(self, d: Draft, unit: str) -> list[Expr]:
        parts = self.cols.year_month_columns(d)
        if parts is not None and unit != "DAY":  # a month's total holds no day
            alias, year, month = parts
            cols = [year] if unit == "YEAR" or not month else [year, month]
            return [Expr(column=Col(table=alias, column=c)) for c in cols]
        # the date a year or month already filters ("em cada mês de 2023" paid in 2023:
        # the months of the payment date), else the base's main date
        found = self.cols.default_date(d)
        column = next((f.expr.column for f in d.filters if f.expr.part in ("YEAR", "MONTH")),
                      Col(table=found[0], column=found[1].name) if found else None)
        if column is None:
            return []
        rel = self.doc.relation(d.reach[column.table].table)
        dated = rel.column(column.column) if rel else None
        kind_of = dated.type if dated else ""
        if unit == "YEAR":
            return [Expr(column=column, part="YEAR")]
        if unit == "MONTH":
            return [Expr(column=column, part="YEAR"), Expr(column=column, part="MONTH")]
        if "TIMESTAMP" in kind_of.upper():  # a day, not each instant
            return [Expr(column=column, part="DATE")]
        return [Expr(column=column)]

    def _measure(self, q: Question, d: Draft, exclude: set[str] | None = None
                 ) -> Expr | None:
        """What SUM/AVG/MIN/MAX aggregate: the number the words after (or before) the
        cue name, two of them combined, or the base's main money column; none of the
        base's `exclude`."""
        span = q.aggregate_span or Span(0, 0)
        expr = self._arithmetic(q, d, Span(0, len(q.words)))
        if expr is None and days_asked(q):  # "em média, quantos dias ... ficaram"
            expr = duration(self.cols, q, d)
            d.score += 1.0 if expr is not None else 0.0
        if expr is not None:
            return expr
        # The words after the cue, else before it ("o limite de crédito médio"), not
        # those naming the rows themselves.
        best = None
        # "how many units": the cue's own word names the measure (a quantity)
        hinted = [i for i in range(span.start, span.end) if q.words[i].folded in cues()["hints"]]
        # the first five free words of the eight after it, past the ones a filter took
        # ("qto o Fabio Zanella Santos recebeu liquido": the name is a filter, "liquido"
        # the measure)
        free = [i for i in q.content() if i not in d.claimed and i not in d.table_words]
        windows = [hinted] if hinted else [
            [i for i in free if span.end <= i < span.end + 8][:5],
            [i for i in free if span.start - WINDOW <= i < span.start]]
        for words in windows:
            found = self.cols.measure_column(q, d, words, kinds=("number",), depth=0,
                                             exclude=exclude)
            if found is not None and not self._measures_asked(q, d, found, bool(hinted)):
                found = None
            if found is not None and (best is None or found[3] > best[3]):
                best = found
        if best is not None:
            best = self.cols.said(q, d, best)
        elif not hinted and not days_asked(q):  # units or days asked for are no money
            best = self.cols.money(q, d)
            if best is not None and self._sold_said(q) and not d.sold and \
                    not self._records_sales(d.reach[best[0]].table):
                d.score -= SALES  # "qto a gente vendeu pra X": no credit limit sums sales
        if best is None:
            return None
        alias, col, hit, score = best
        paid = self.cols.paid(d)[0] if q.paid is not None else None
        if paid is not None and alias == d.base and self.cols.money_like((alias, col.name)) \
                and not hit - set(range(q.paid.start, q.paid.end)):
            # "quanto pagamos": what was paid, not the bill's value; but "quanto recebemos
            # de juros" names its column
            col = paid
            d.claim(range(q.paid.start, q.paid.end))
        d.use(alias)
        d.score += 0.5 + 0.3 * score
        d.explained |= hit
        rest = self._remaining(q, d, alias, col)
        if rest is not None:  # "units still to be received": QTDE - QTDE_REC
            return Expr(column=Col(table=alias, column=col.name), op="-",
                        right=Col(table=alias, column=rest.name))
        return Expr(column=Col(table=alias, column=col.name))

    def _remaining(self, q: Question, d: Draft, alias: str,
                   col: CombinedColumn) -> CombinedColumn | None:
        """The sibling of a measure that a "still to be <verb>" names: a number column of
        the same table named as the measure plus the verb (QTDE_REC of QTDE)."""
        table = d.reach[alias].table
        rel = self.doc.relation(table)
        own = self.terms.names.get((table, col.name), frozenset())
        for span in q.remaining_spans:
            said = [i for i in range(span.start, span.end) if q.words[i].folded.isalpha()]
            for other in rel.columns if rel else []:
                names = self.terms.names.get((table, other.name), frozenset())
                if other.name != col.name and kind(other) == "number" and own <= names and \
                        self.terms.match(names - own, q, said)[1]:
                    d.claim(range(span.start, span.end))
                    return other
        return None

    def _measures_asked(self, q: Question, d: Draft, found: Found, units: bool) -> bool:
        """Whether `found` can be what was asked: units are no money ("units" also reads
        as "amount", which names VL_TOTAL), and revenue is money (not PRO_PESO, which
        "products" names through its prefix)."""
        key = (d.reach[found[0]].table, found[1].name)
        if units:
            return not self.cols.money_named(key)
        if sales_words(q) and self.cols.unit_value(key):
            return False  # revenue is no sum of prices or costs
        return self.cols.money_like(key) or not any(q.words[i].folded in cues()["money"]
                                                    for i in q.content())

    def _arithmetic(self, q: Question, d: Draft, window: Span) -> Expr | None:
        """`a - b` or `a * b` when the question combines two columns of the base near
        `window` ("preço menos custo", "difference between gross and net")."""
        for arith in q.arithmetic:
            # a filter may hold the words before "pelo" ("o estoque da filial Curitiba
            # pelo preço"), not those after the cue
            if arith.span.end <= window.start or arith.span.start >= window.end or \
                    any(i in d.claimed for i in range(arith.right.start, arith.right.end)):
                continue
            expr = self._combine(q, d, arith)
            if expr is not None:
                return expr
        return None

    def _combine(self, q: Question, d: Draft, arith: Arithmetic) -> Expr | None:
        words = [i for i in q.content(arith.left) if i not in d.claimed]
        kinds = ("date",) if arith.dates else ("number", "date")
        left = self.cols.measure_column(q, d, words, kinds=kinds, depth=0) \
            if words else self.cols.money(q, d)  # "descontando o ICMS": from the main value
        right_words = q.content(arith.right)
        if left is None and arith.op == "*":
            # "se vendesse tudo pelo preço de venda": the base's quantity at a price
            left = self._priced_quantity(q, d, right_words)
        if left is None:
            return None
        right = self.cols.measure_column(q, d, right_words, kinds=(kind(left[1]),), depth=0,
                                         exclude={left[1].name})
        if right is None and arith.op == "*":  # "at the product's sale price": a parent's
            right = self.cols.measure_column(q, d, right_words, kinds=("number",), depth=1,
                                             exclude={left[1].name})
        if right is None and arith.dates and len(words) > 1:
            # "dias depois da emissão vencem": the first word names the earlier date
            first = words[0] + 1
            return self._combine(q, d, replace(arith, left=Span(arith.left.start, first),
                                               right=Span(first, arith.right.end)))
        if right is None:
            return None
        if kind(left[1]) == "date" and arith.op == "-":
            left, right = right, left  # "days between the order and its delivery": later
        d.claim(left[2] | right[2] | set(range(arith.span.start, arith.span.end)))
        if kind(left[1]) == "date":  # "quantos dias": the difference is in days
            d.claim({i for i, w in enumerate(q.words) if w.folded in DAYS})
        d.use(left[0])
        d.use(right[0])
        d.score += 1.0
        return Expr(column=Col(table=left[0], column=left[1].name), op=arith.op,
                    right=Col(table=right[0], column=right[1].name))

    def _priced_quantity(self, q: Question, d: Draft, price_words: list[int]) -> Found | None:
        """The base's quantity column, when the words after "pelo"/"at" name a unit price
        the base reaches (CAD_PRO.PRO_PRECO from EST_SALDO)."""
        price = self.cols.measure_column(q, d, price_words, kinds=("number",), depth=1)
        if price is None or not self.cols.unit_value((d.reach[price[0]].table,
                                                      price[1].name)):
            return None
        rel = self.doc.relation(d.base)
        for col in rel.columns if rel else []:
            names = self.terms.names.get((d.base, col.name), frozenset())
            if kind(col) == "number" and {"quantidade", "quantiti", "qtde"} & names:
                return (d.base, col, set(), 0.0)
        return None

    def _counted_parent(self, q: Question, d: Draft, far: bool = False) -> Col | None:
        """The base's FK column to the table the question is about, when that is not the
        base ("how many customers ordered ...": COUNT(DISTINCT CLI_COD) of orders); with
        `far`, also a parent's FK to it ("top 5 brands by turnover": order items by
        their product's MAR_COD)."""
        subject = d.subject
        # The base counts itself only when its name says what the subject says (EST_SALDO
        # holds products, but "produtos" are CAD_PRO's rows).
        own, _ = self.terms.table_name_match(d.base, q, subject)
        exact = not self.cols.uncovered(d.base, q, subject)
        if subject and exact and self.terms.table_name_match(d.base, q, subject[:1])[1]:
            return None  # the first word names the base: "produtos da linha X" are products
        best: tuple[float, Col] | None = None
        for hop in d.reach.values():
            if len(hop.fk) != 1 or hop.depth not in ((1, 2) if far else (1,)):
                continue
            score, _ = self.terms.table_name_match(hop.table, q, subject)
            if hop.depth == 2:  # one more join: only when it names the subject better
                score -= 0.5
            # of two keys to one table, the one the question's words name ("the account
            # most money was debited to": CTA_DEB, not CTA_CRED)
            fk = hop.joins[-1].on[0][0]
            score += 0.1 * bool(self.terms.match(self.terms.names.get(
                (d.reach[fk.table].table, fk.column), frozenset()), q,
                [i for i in q.content() if i not in subject])[1])
            # "quais vendedores têm meta": TB_VEND_META and CAD_VEND both say vendedor,
            # but only CAD_VEND says nothing more: its rows are the ones asked for.
            closer = not exact and score >= own > 0 and \
                not self.cols.uncovered(hop.table, q, subject) and \
                bool(self.terms.table_name_match(hop.table, q, subject[:1])[1])
            if (score > own + 0.5 or closer) and (best is None or score > best[0]):
                best = (score, hop.joins[-1].on[0][0])
        return best[1] if best else None


    def _top(self, q: Question, d: Draft) -> None:
        n, desc = q.top  # type: ignore[misc]
        span = q.top_span or Span(0, 0)
        group = self._groups(q, d) if q.group_spans else []
        # The words around the superlative (and the superlative itself: "cheapest"),
        # but not those naming the rows themselves.
        words = [i for i in q.content(Span(span.start - WINDOW, span.end + 5))
                 if i not in d.claimed and i not in d.table_words]
        words += [i for i in range(span.start, span.end) if i not in words]
        named = self._names_base(q, d, words)
        d.limit = n
        parent = self._counted_parent(q, d, far=True)
        if parent is not None:
            d.use(parent.table)
            if self._nullable(d, parent):  # "os 3 vendedores com mais clientes": no
                d.filters.append(Filter(expr=Expr(column=parent), op="IS NOT NULL"))
            if group and all(self._money_group(d, e) for e in group):
                group = []  # "os 5 clientes que mais pagaram juros por atraso": who paid
        elif not group:
            group = self._subject_column(q, d)
        keys = group or ([Expr(column=parent)] if parent is not None else [])
        # Grouped, the measure is the base's own: a parent's figure summed over its
        # child rows means nothing.
        if parent is not None:  # "the 5 customers ...": the key says who they are
            self._grouped_subject(q, d, parent)
        combined = self._arithmetic(q, d, Span(0, len(q.words)))
        if combined is not None:  # "the biggest margin, price minus cost"
            self._ordered(d, keys, combined, "SUM", desc)
            return
        best = self.cols.said(q, d, self.cols.measure_column(
            q, d, [i for i in words if i not in named],
            kinds=("number",) if keys else ("number", "date"), depth=0 if keys else 1))
        if best is not None and kind(best[1]) == "date" and not keys and \
                not self._says_time(q, d, best):
            # "the 5 largest customer payments": 'payments' named DT_PGTO, yet the size
            # of a payment is money
            money = self.cols.money(q, d)
            if money is not None:
                best = (money[0], money[1], best[2], money[3])
        dated = self._top_date(q, d, words, best)
        if dated is not None:  # "overdue the longest": by the earliest due date
            best = dated
            column = _taken(d, best)
            if not desc and self._nullable(d, column):  # NULLs sort first in Firebird
                d.filters.append(Filter(expr=Expr(column=column), op="IS NOT NULL"))
            if keys:
                self._ordered(d, keys, Expr(column=column), "MAX" if desc else "MIN", desc)
                d.score += 1.0
                return
        if keys and named and best is None and named <= set(sales_words(q)):
            best = self.cols.money(q, d)  # "the month with the highest sales": money
        if keys and named and best is None:  # "the 5 customers with the most orders"
            d.select = [*(Item(expr=k) for k in keys), Item(agg="COUNT")]
            d.group_by = keys
            d.order_by = [Order(item=len(keys), desc=desc)]
            d.claim(named)
            d.score += 1.0
            return
        if best is None and (keys or not [
                i for i in words if i not in range(span.start, span.end) and
                self.cols.column(q, d, [i], kinds=None, depth=1) is not None]):
            # "the 5 biggest invoices" (or "bills payable", words naming no column);
            # grouped, "the 5 customers who bought the most"
            best = self.cols.money(q, d)
        if best is None:
            # FIRST n of rows in no order answers no superlative: any other reading wins.
            d.score -= UNORDERED
            d.select = self._shown(d, d.base)
            return
        if q.by_value is not None and not self.cols.money_like((d.reach[best[0]].table,
                                                                best[1].name)):
            value = self._value_of(d, best)  # "em valor": money, not units
            if value is not None:
                d.claim(best[2] | set(range(q.by_value.start, q.by_value.end)))
                d.score += 1.0
                self._ordered(d, keys, value, "SUM", desc)
                return
        alias, col, hit, score = best
        d.use(alias)
        d.claim(hit)
        d.score += 1.0 + 0.6 * score
        units = any(cues()["hints"].get(q.words[i].folded) == "quantidade" for i in words)
        if units and self.cols.money_named((d.reach[alias].table, col.name)):
            d.score -= 2.0  # "vendeu mais unidades": a count of units is no money column
        if not keys and (self._child_measures_better(q, d, words, score) or (
                self.reach.children.get(d.base) and any(_VERB.search(q.words[i].folded)
                                                        for i in words))):
            d.score -= 2.0  # "the products sold most": a child table holds the sales
        # "the 3 departments with the highest average salary": the aggregate said
        agg = cast(Aggregate, q.aggregate if q.aggregate in ("AVG", "MIN", "MAX") else "SUM")
        self._ordered(d, keys, Expr(column=Col(table=alias, column=col.name)), agg, desc)

    def _says_time(self, q: Question, d: Draft, found: Found) -> bool:
        """Whether the words naming a date column, or the superlative, speak of time:
        "most recent" (hinted to a date, cue list `hints`), "youngest" (hinted to the
        column's birth), "the longest" (cue list `top_dated`)."""
        span = q.top_span or Span(0, 0)
        names = self.terms.names.get((d.reach[found[0]].table, found[1].name), frozenset())
        hints = cues()["hints"]
        return any(set(hints.get(q.words[i].folded, "").split()) & ({"data", "date"} | names)
                   or q.words[i].folded in ("data", "date", "dia", "day")
                   for i in [*found[2], *range(span.start, span.end)]) or _dated_superlative(q)

    def _top_date(self, q: Question, d: Draft, words: list[int],
                  best: Found | None) -> Found | None:
        """The date a superlative of time ranks by (cue list `top_dated`), when `best` is
        none: the one the words name, else the due date of what is overdue, else the
        base's main date. None for other superlatives."""
        if not _dated_superlative(q) or (best is not None and kind(best[1]) == "date"):
            return None
        found = self.cols.column(q, d, words, kinds=("date",), depth=1)
        if found is not None:
            return found
        due = self.cols.due_date(d) if q.overdue is not None else None
        return (d.base, due, set(), 0.0) if due is not None else self.cols.default_date(d)

    def _value_of(self, d: Draft, found: Found) -> Expr | None:
        """The money a quantity stands for: the base's money column, else the quantity
        times the unit price beside it (`QTDE * VL_UNIT`)."""
        alias, col = found[0], found[1]
        table = d.reach[alias].table
        rel = self.doc.relation(table)
        numbers = [c for c in (rel.columns if rel else []) if kind(c) == "number"]
        totals = [c for c in numbers if self.cols.money_like((table, c.name)) and
                  not self.cols.unit_value((table, c.name))]
        if totals:
            return Expr(column=Col(table=alias, column=totals[0].name))
        prices = [c for c in numbers if self.cols.unit_value((table, c.name))]
        if prices:
            return Expr(column=Col(table=alias, column=col.name), op="*",
                        right=Col(table=alias, column=prices[0].name))
        return None

    def _nullable(self, d: Draft, col: Col) -> bool:
        """Whether `col` (of an alias of `d`) may be NULL: a row with no parent."""
        rel = self.doc.relation(d.reach[col.table].table)
        found = rel.column(col.column) if rel else None
        return found is not None and bool(found.nullable)

    def _ordered(self, d: Draft, keys: list[Expr], measure: Expr, agg: Aggregate,
                 desc: bool) -> None:
        """Rows (or groups of `keys`, with `agg` of the measure) ordered by `measure`."""
        if keys:
            d.select = [*(Item(expr=k) for k in keys), Item(expr=measure, agg=agg)]
            d.group_by = keys
            d.order_by = [Order(item=len(keys), desc=desc)]
            return
        d.select = [*self._shown(d, d.base), Item(expr=measure)]
        d.order_by = [Order(item=len(d.select) - 1, desc=desc)]

    def _grouped_subject(self, q: Question, d: Draft, parent: Col) -> None:
        """Rows grouped or listed by their key to the subject's table ("os 5 vendedores
        que mais venderam": orders by COD_VEND; "quais clientes inadimplentes": overdue
        bills' CLI_COD) are about the subject as much as that table is."""
        self._about(q, d, self.terms.references.get(
            (d.reach[parent.table].table, parent.column), ""))

    def _about(self, q: Question, d: Draft, table: str,
               words: list[int] | None = None) -> None:
        """Credit `d` with how well `table` names the subject (or `words` standing for
        it), when better than its base."""
        score, hit = self.terms.table_name_match(table, q, d.subject if words is None else words)
        d.claim(hit)
        if score > d.subject_score:
            d.score += SUBJECT * (score - d.subject_score)
            d.subject_score = score

    def _names_base(self, q: Question, d: Draft, words: list[int]) -> set[int]:
        """Plural nouns among `words` that name the base table or a part of its key
        ("the most orders" counts orders, "mais parcelas" its installments), or such a
        noun of any number right after "mais"/"most"; verbs ("bought") do not."""
        names = self.terms.table_names.get(d.base, frozenset())
        rel = self.doc.relation(d.base)
        keys = rel.primary_key.columns if rel and rel.primary_key else []
        # "mais parcelas": a part of the base's key names its rows too
        names = names.union(*(self.terms.names.get((d.base, k), frozenset()) for k in keys
                              if len(keys) > 1))
        # "mais pedido de compra cancelado": right after the superlative, singular too
        top = q.top_span
        after = set(q.content(Span(top.end, top.end + 3))) if top and q.words[
            top.end - 1].folded in _COUNTING else set()
        out = set()
        for i in words:
            word = q.words[i].folded
            if (word.endswith("s") or i in after) and not _VERB.search(word) and \
                    self.terms.word_terms(q.words[i].text) & names:
                out.add(i)
        return out

    def _child_measures_better(self, q: Question, d: Draft, words: list[int],
                               own: float) -> bool:
        """Whether a table that references the base measures what the words say better
        than the base's own columns do."""
        for edge in self.reach.children.get(d.base, []):
            if len(edge.columns) != 1:
                continue
            child = Draft(edge.table, {edge.table: Hop(edge.table, edge.table, ())})
            found = self.cols.measure_column(q, child, words, kinds=("number",), depth=0)
            if found is not None and found[3] > own + 0.5:
                return True
        return False

    def _listing(self, q: Question, d: Draft, subject: list[int]) -> None:
        if self._when(q, d):
            return
        role = self._asked_role(q, d)
        if role is not None:  # "who is Beatriz's manager": the manager, not Beatriz
            d.select = self._shown(d, role)
            d.score += 0.5
            return
        parent = self._asked_parent(q, d)
        if parent is not None:  # "qual banco cobra o título 7777": the bank, named
            named = self._parent_column(q, d, parent)
            d.select = [Item(expr=Expr(column=named))] if named else self._shown(d, parent)
            d.distinct = True  # the number may pick several rows (a bill's installments)
            d.score += 0.5
            return
        # two columns combined ("a margem do produto 300, preço menos custo") are what
        # is asked, shown with the rows
        combined = self._arithmetic(q, d, Span(0, len(q.words)))
        asked = self._asked_column(q, d) if combined is None else None
        if asked is not None:  # "qual o preço do produto 250": the price, not the rows
            alias, col, hit, _ = asked
            d.select = [Item(expr=Expr(column=Col(table=alias, column=col.name)))]
            d.claim(hit)
            d.score += 0.5
            return
        parent = None if combined is not None else self._counted_parent(q, d, far=True)
        if parent is not None:
            d.use(parent.table)  # a parent's FK to the subject ("far"): its join too
            d.select = [Item(expr=Expr(column=parent))]
            d.distinct = True
            self._grouped_subject(q, d, parent)
            return
        shown = self._shown(d, d.base)
        if combined is not None:
            shown.append(Item(expr=combined))
        for flt in d.filters:
            if flt.op not in ("=", "IS NULL") and flt.expr.part is None:
                item = Item(expr=flt.expr)
                if item not in shown:
                    shown.append(item)
        # A key-value table: the key filtered ('JUROS_MES'), its value is the answer.
        shown += [i for i in self._values_of_keys(d, shown) if i not in shown]
        # A column the question names by its name that no filter uses: "o salário base
        # do cargo" shows SAL_BASE.
        extra = self._named_column(q, d)
        if extra is not None:
            item = Item(expr=Expr(column=Col(table=d.base, column=extra[0].name)))
            if item not in shown:
                shown.append(item)
                d.explained |= extra[1]
        # A parent the question names too: "the banks and their accounts".
        for alias, hop in d.reach.items():
            if hop.depth != 1 or alias != hop.table:
                continue
            # not the words naming the base ("produtos" is in TB_GRUPO_PRO's name too)
            _, hit = self.terms.table_name_match(
                hop.table, q, [i for i in q.content()
                               if i not in d.claimed and i not in d.table_words])
            if hit:
                named = self._shown(d, alias)
                d.use(alias)
                shown += [i for i in named if i not in shown]
                d.explained |= hit
        d.select = shown

    def _when(self, q: Question, d: Draft) -> bool:
        """"quando foi emitida a nota 3000", "qual a data do último pedido": the base's
        date the words name (else, after "quando", its main one), the latest (MAX) or
        earliest (MIN) of them when the question says so. False when no date is asked."""
        if q.when is None and q.extreme is None:
            return False
        words = [i for i in q.content() if i not in d.claimed and i not in d.table_words]
        # the base's own date, else a parent's the words name ("when was salesperson 12
        # hired": the employee's admission date)
        found = self.cols.column(q, d, words, kinds=("date",), depth=0) or (
            self.cols.column(q, d, words, kinds=("date",), depth=1)
            if q.when is not None else None)
        who = q.extreme is not None and q.when is None and q.words[0].folded in _WHO
        if found is None and (q.when is not None or who):
            found = self.cols.default_date(d)
        if found is None:
            return False
        expr = Expr(column=_taken(d, found))
        if who and q.extreme is not None:
            # "who was the last person to log in": the row with the latest date
            d.claim(found[2] | set(range(q.extreme[1].start, q.extreme[1].end)))
            if self._nullable(d, expr.column):
                d.filters.append(Filter(expr=expr, op="IS NOT NULL"))
            d.select = [*self._shown(d, d.base), Item(expr=expr)]
            d.order_by = [Order(item=len(d.select) - 1, desc=q.extreme[0] == "MAX")]
            d.limit = 1
            d.score += 0.5
            return True
        if q.extreme is not None:
            d.select = [Item(expr=expr, agg=q.extreme[0])]  # type: ignore[arg-type]
            d.claim(range(q.extreme[1].start, q.extreme[1].end))
        else:
            d.select = [Item(expr=expr)]
            d.distinct = True  # "on what date was the May payroll paid": one date, once
        if q.when is not None:
            d.claim(range(q.when.start, q.when.end))
        d.score += 0.5
        return True

    def _asked_column(self, q: Question, d: Draft) -> Found | None:
        """The base's own column (no key) that the subject's first word names, when the
        question asks for one thing ("qual o preço ...", "what's the CBO code ...")."""
        opening = find_cue(q.words, cues()["ask_one"])
        if not d.subject or q.listing is False or opening is None or opening.start != 0:
            return None
        rel = self.doc.relation(d.base)
        keys = {c.name for c in (rel.columns if rel else []) if (d.base, c.name) in
                self.terms.keys or (d.base, c.name) in self.terms.references}
        # the first word, else the first three ("the full legal name": legal name)
        own = self.cols.column(q, d, d.subject[:1], kinds=None, depth=0, exclude=keys) or \
            self.cols.column(q, d, d.subject[1:3], kinds=None, depth=0, exclude=keys)
        if not d.pinned:
            return own
        # of the one row a number picks, a parent's column naming more of the subject
        # ("the base salary for the job employee 1320 holds": TB_CARGO.SAL_BASE, not
        # the employee's SALARIO)
        parent = self.cols.column(q, d, d.subject[:3], kinds=None, depth=1,
                                  exclude=keys | self.terms.key_names)
        if parent is not None and parent[0] != d.base and \
                len(parent[2]) > len(own[2] if own else ()):
            d.use(parent[0])
            # ... and as much about the subject as a plan over that parent would be
            score, hit = self.terms.table_match(d.reach[parent[0]].table, q, d.subject)
            d.score += SUBJECT * score
            d.explained |= hit
            return parent
        return own

    def _asked_role(self, q: Question, d: Draft) -> str | None:
        """The alias of a self-reference whose role the subject's first word names and
        the base's own name does not ("o gestor da Beatriz": CAD_FUNC.FUN_GESTOR)."""
        first = [i for i in d.subject if i not in d.claimed][:1]
        if not first or self.terms.table_name_match(d.base, q, first)[1]:
            return None
        for alias, hop in d.reach.items():
            if hop.depth != 1 or hop.joins[0].role is None:
                continue
            _, hit = self.terms.match(self.terms.names.get((d.base, hop.fk[0]), frozenset()),
                                      q, first)
            if hit:
                d.use(alias)
                d.claim(hit)
                return alias
        return None

    def _asked_parent(self, q: Question, d: Draft) -> str | None:
        """Of the one row a number picks, the parent table the subject's first word names
        ("qual banco cobra o título 7777": TB_BANCO along CAR_TIT.PORTADOR), or of the
        question's words when no subject comes before the number ("o cliente 1234 fica
        em que cidade"); a second word only right after an asking one. A word right after
        an asking one comes first ("o lançamento contábil 50000 foi pra qual centro de
        custo": not the account "contábil" names). Of many rows, only a parent asked
        for late ("a filial de Joinville tem conta em qual banco": the banks)."""
        if not d.pinned:
            return self._parent_named(q, d, _after_asking(q, d, start=2))
        # not the words naming the row's own table by its name ("o título 9000 veio de
        # qual nota": CAR_TIT's description speaks of invoices, its name does not)
        free = [i for i in d.subject or q.content() if i not in d.claimed and
                (d.subject or i not in d.explained) and
                not self.terms.table_name_match(d.base, q, [i])[1]][:2]
        # the second only right after an asking word ("... veio de qual nota"), not an
        # adjective of the first ("margem unitária")
        free = free[:1] + [i for i in free[1:] if i and q.words[i - 1].folded in _ASKING]
        # a word right after an asking one says it first, then one right before "com
        # qual" ("foi pra um cliente com qual inscrição": the customer's)
        asked = _after_asking(q, d) + _before_with_asking(q, d)
        return self._parent_named(q, d, [*asked, *(i for i in free if i not in asked)])

    def _parent_column(self, q: Question, d: Draft, parent: str) -> Col | None:
        """The asked parent's own column the subject's other words name ("the NF-e access
        key of the invoice behind receivable 8000": NF_CAB.CHAVE_NFE, not the invoice's
        number), None when they name none."""
        table = d.reach[parent].table
        words = [i for i in d.subject[:3] if i not in d.claimed]
        # "... um cliente com qual inscrição estadual": the words after a later asking one
        words += [k for i in _after_asking(q, d, start=1) for k in range(i, i + 3)
                  if k not in words and k not in d.claimed and k in q.content()]
        found = self.cols.column(q, d, words, kinds=None, depth=1,
                                 exclude=self.terms.key_names)
        if found is None or found[0] != parent or \
                not [i for i in found[2] if not self.terms.table_name_match(table, q, [i])[1]]:
            return None
        d.claim(found[2])
        return Col(table=parent, column=found[1].name)

    def _parent_named(self, q: Question, d: Draft, free: list[int]) -> str | None:
        """The first parent of the base (one join, one column) one of `free` names, put
        in the draft; None when none is."""
        for first in free:
            for alias, hop in d.reach.items():
                if hop.depth != 1 or len(hop.fk) != 1 or alias != hop.table:
                    continue
                if self.terms.table_name_match(hop.table, q, [first])[1]:
                    d.use(alias)
                    self._about(q, d, hop.table, None if d.subject else [first])
                    return alias
        return None

    def _values_of_keys(self, d: Draft, shown: list[Item]) -> list[Item]:
        """A key-value table's value column (text named for a value: SETTING_VALUE) when
        its key is filtered to one stored value (SETTING_KEY = 'JUROS_MES')."""
        rel = self.doc.relation(d.base)
        key = set(rel.primary_key.columns) if rel and rel.primary_key else set()
        pinned = {f.expr.column.column for f in d.filters if f.op == "=" and
                  f.expr.column.table == d.base and f.expr.part is None and f.meaning is None}
        if not pinned & key or rel is None:
            return []
        return [Item(expr=Expr(column=Col(table=d.base, column=col.name)))
                for col in rel.columns
                if col.name not in key and kind(col) == "text" and {"valor", "valu", "value"}
                & self.terms.names.get((d.base, col.name), frozenset())][:1]

    def _named_column(self, q: Question, d: Draft) -> tuple[CombinedColumn, set[int]] | None:
        """The base's non-key column whose own name the question's free words match best."""
        words = [i for i in q.content() if i not in d.claimed]
        rel = self.doc.relation(d.base)
        best: tuple[float, CombinedColumn, set[int]] | None = None
        for col in rel.columns if rel else []:
            key = (d.base, col.name)
            if key in self.terms.keys or "BLOB" in col.type.upper():
                continue
            score, hit = self.terms.match(self.terms.names.get(key, frozenset()), q, words)
            if len(hit) >= 2 and (best is None or score > best[0]):
                best = (score, col, hit)
        return (best[1], best[2]) if best else None

    def _counts_one_name(self, plan: QueryPlan) -> bool:
        """Whether a count's filter picks its rows by their own name, which one stored
        value holds: it counts one row ("quantos cimentos": the products called cimento,
        not the product group CIMENTO)."""
        rel = self.doc.relation(plan.table)
        named = name_column(rel, self.terms) if rel else None
        return named is not None and any(
            f.op in ("=", "CONTAINING") and isinstance(f.value, str) and
            f.expr.column.table == plan.table and f.expr.column.column == named.name and
            f.expr.part is None and f.expr.op is None and
            self.values.holding(plan.table, named.name, f.value) <= 1
            for f in plan.filters)

    def _shown(self, d: Draft, alias: str) -> list[Item]:
        """What a list of a table's rows shows: its key and a name or description."""
        rel = self.doc.relation(d.reach[alias].table)
        if rel is None:
            return [Item(agg="COUNT")]
        cols = list(rel.primary_key.columns) if rel.primary_key else []
        named = name_column(rel, self.terms)
        if named is not None and named.name not in cols:
            cols.append(named.name)
        printed = self._own_key(rel) if named is None else None
        if printed is not None and printed not in cols:  # NF_NUM beside NF_ID
            cols.append(printed)
        if not cols:
            cols = [c.name for c in rel.columns[:2]]
        return [Item(expr=Expr(column=Col(table=alias, column=c))) for c in cols]

    # -- finding columns -----------------------------------------------------------------


    # -- scoring -------------------------------------------------------------------------

    def _weight(self, q: Question, i: int) -> float:
        """How much a question word says (rare schema words say more), 0.5..2."""
        terms = self.terms.word_terms(q.words[i].text)
        known = [self.terms.idf[t] for t in terms if t in self.terms.idf]
        return min(max(max(known) / 2.5, 0.5), 2.0) if known else 1.0

    def _names_of_keys(self, d: Draft) -> None:
        """A key shown to a parent table (CID_COD, CRG_COD) brings the parent's name
        (CID_NOME): people read names, not codes. Only along a declared foreign key
        that is never NULL, whose join keeps every row, or when the rows are the distinct
        parents themselves ("in which city is the supplier Votoran"), where a NULL key is
        no parent to name."""
        parents = d.distinct and len(d.select) == 1
        for item in list(d.select):
            col = item.expr.column if item.expr and item.agg is None and \
                item.expr.op is None else None
            if col is None or col.table not in d.reach:
                continue
            table = d.reach[col.table].table
            ref = self.declared.get((table, col.column))
            own = self.doc.relation(table)
            column = next((c for c in own.columns if c.name == col.column), None) \
                if own else None
            parent = self.doc.relation(ref) if ref else None
            if column is None or (column.nullable and not parents) or parent is None:
                continue
            hop = next((h for h in d.reach.values() if h.table == ref and h.joins and
                        h.joins[-1].on[0][0] == col), None)
            name = name_column(parent, self.terms)
            if hop is None or name is None:
                continue
            shown = Expr(column=Col(table=hop.alias, column=name.name))
            if any(i.expr == shown for i in d.select):
                continue
            d.use(hop.alias)
            d.select.append(Item(expr=shown))
            if item.expr in d.group_by:
                d.group_by.append(shown)

    def _finish(self, q: Question, d: Draft, rank: int,
                valued: set[int] | frozenset[int] = frozenset(),
                stored: set[int] | frozenset[int] = frozenset()) -> Candidate | None:
        if not d.select:
            return None
        joined = len(d.joins)  # before the joins that only bring names
        self._names_of_keys(d)
        try:
            plan = d.plan()
        except ValueError:
            return None
        for join in d.joins:
            d.explained |= self.terms.table_match(join.table, q, q.content())[1]
        # "across all the branches": every branch, no filter to place
        tables = {hop.table for hop in d.reach.values()}
        d.explained |= {i for span in q.every_spans for i in q.content(span)
                        if any(self.terms.table_name_match(t, q, [i])[1] for t in tables)}
        # "including the head office": rows counted with the rest, nothing to place
        d.explained |= {i for span in q.included_spans for i in q.content(span)}
        if not d.sold:  # "vendeu" explained by no table recording sales (COD_VEND's stem)
            d.explained -= set(self._sold_said(q)) - d.claimed
        missed = [i for i in q.content() if i not in d.explained]
        unmapped = [q.words[i].text for i in missed]
        # a word naming a table the plan leaves out ("na folha") says as much as the subject
        tabled = {i for i in missed if self.terms.word_terms(q.words[i].text) & self.table_terms}
        cost = sum(UNMAPPED * (STORED if i in stored else 2.0 if i in d.subject or
                               i in valued or i in tabled else 1.0) *
                   self._weight(q, i)
                   for i in missed)
        # A join the plan needs costs a little: of two plans saying as much, the one over
        # fewer tables (CAR_TIT alone, not CAR_BAIXA joined to CAR_TIT) is the likelier.
        score = d.score - cost + 1.0 / (rank + 1) - JOIN * joined
        if os.environ.get("PLAN_TRACE"):  # a developer's view of how a score came about
            print(f"  {d.base}: steps {d.score:.2f} unmapped -{cost:.2f} rank "
                  f"+{1.0 / (rank + 1):.2f} = {score:.2f}")
        counts = any(i.agg == "COUNT" and not plan.group_by for i in plan.select)
        if counts and self._counts_one_name(plan):
            score -= ONE_NAME
        return Candidate(plan, score, d.explained, unmapped, d.guesses,
                         expects_rows=not counts)


_PASSIVE = frozenset(("foram", "foi", "were", "was"))  # "foram pagas", "was paid"


def _dated_superlative(q: Question) -> bool:
    """Whether the superlative is one of time (cue list `top_dated`: "the longest")."""
    span = q.top_span
    return span is not None and \
        find_cue(q.words[span.start:span.end], cues()["top_dated"]) is not None


def _taken(d: Draft, found: Found) -> Col:
    """The column `found` names, brought into the draft with the words that named it."""
    alias, col, hit, _ = found
    d.use(alias)
    d.claim(hit)
    return Col(table=alias, column=col.name)


def _month(expr: Expr, ref: DateRef) -> Filter:
    if ref.month_to and ref.month_to != ref.month:
        return Filter(expr=expr, op="BETWEEN", value=[ref.month, ref.month_to])
    return Filter(expr=expr, op="=", value=ref.month)


def _date_filters(column: Col, ref: DateRef) -> list[Filter]:
    """EXTRACT filters for a year (or a decade), its month (or months) and day."""
    if ref.year_to:
        return [Filter(expr=Expr(column=column, part="YEAR"), op="BETWEEN",
                       value=[ref.year, ref.year_to])]
    if ref.side:  # "desde 2016": EXTRACT(YEAR FROM ...) >= 2016
        return [Filter(expr=Expr(column=column, part="YEAR"), op=cast(Op, ref.side),
                       value=ref.year)]
    out = [] if ref.year is None else [
        Filter(expr=Expr(column=column, part="YEAR"), op="=", value=ref.year)]
    if ref.month:
        out.append(_month(Expr(column=column, part="MONTH"), ref))
    if ref.day and ref.day_to:
        out.append(Filter(expr=Expr(column=column, part="DAY"), op="BETWEEN",
                          value=[ref.day, ref.day_to]))
    elif ref.day:
        out.append(Filter(expr=Expr(column=column, part="DAY"), op="=", value=ref.day))
    return out


_VERB = re.compile(r"(?:aram|eram|iram|amos|emos|imos|ou|eu|iu|ed)$")


def _after_asking(q: Question, d: Draft, start: int = 0) -> list[int]:
    """The words right after an asking one said at `start` or later ("... em qual
    banco"), not claimed by the draft."""
    content = set(q.content())
    return [i + 1 for i in range(start, len(q.words) - 1) if q.words[i].folded in _ASKING
            and i + 1 not in d.claimed and i + 1 in content]


def _before_with_asking(q: Question, d: Draft) -> list[int]:
    """The word right before "com qual", "with which" ("um cliente com qual limite"),
    not claimed by the draft."""
    content = set(q.content())
    return [i - 2 for i in range(2, len(q.words)) if q.words[i].folded in _ASKING and
            q.words[i - 1].folded in ("com", "with") and i - 2 in content and
            i - 2 not in d.claimed]


def _subject(q: Question, links: list[ValueLink]) -> list[int]:
    """The words naming what the question is about: up to four content words after the
    aggregate cue (or from the start), before any filter or group, and not the words
    after a superlative (they name the measure: "os 10 clientes com maior limite")."""
    start = q.aggregate_span.end if q.aggregate_span is not None else 0
    if q.top_span is not None and q.aggregate_span is not None and \
            q.aggregate_span.start > q.top_span.start:
        start = 0  # "os 10 produtos com mais estoque, somando as filiais": the products
    stops = [s.start for s in (*q.group_spans, *q.missing_spans)]
    if q.top_span is not None:
        stops.append(q.top_span.start)
    stops += [c.span.start for c in q.comparisons] + [r.span.start for r in q.dates]
    stops += [link.span.start for link in links if link.meaning is None]
    ends = set(cues()["subject_ends"])
    stops += [i for i, w in enumerate(q.words) if w.folded in ends]
    content = q.content(Span(start, len(q.words)))
    first = content[0] if content else start
    end = min([s for s in stops if s > first] or [len(q.words)])
    # "quantos dias ...": a number of days, not rows of a table holding days
    # "the Curitiba branch's orders": the orders, not the branch that owns them ("which
    # carrier's orders" asks for the carrier)
    found = [i for i in q.content(Span(start, end)) if q.words[i].folded not in _UNITS
             and not (q.words[i].owner and i + 1 < len(q.words) and
                      q.words[i - 1].folded not in _ASKING)][:4]
    if q.aggregate_span is not None and \
            q.words[q.aggregate_span.end - 1].folded in cues()["counting_nouns"]:
        found = [q.aggregate_span.end - 1, *found[:3]]  # "headcount" says what is counted
    if not found and q.top_span is not None:  # "the 10 highest-paid employees"
        found = q.content(Span(q.top_span.end, len(q.words)))[:4]
    return found


