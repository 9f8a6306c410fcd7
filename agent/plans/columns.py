"""Which column of a draft's tables the question means: the one its words name (by name,
description or the table it references), the base's main money or date column, its due
date or the code meaning open; and whether a column's name holds something the question
never says (VL_META for "vendas")."""

from __future__ import annotations

from schemachat.agent.plans.compile import kind
from schemachat.agent.plans.draft import Draft, Found
from schemachat.agent.plans.link import SchemaTerms, typed_code
from schemachat.agent.plans.question import Question, sales_words, says_money
from schemachat.agent.plans.reach import Hop
from schemachat.ingest.models.combined import CombinedColumn, CombinedRelation, CombinedSchema
from schemachat.ingest.vocabulary import fold, split_identifier

# Words of a figure, its unit or a label, not of a thing: VL_TOTAL, PERC_DESC_MAX and
# UF_SIGLA name nothing more than their other parts do.
_GENERIC = frozenset(("total", "valor", "valu", "value", "quantidade", "quantiti", "amount",
                      "preco", "price", "codigo", "code", "sigla", "numero", "number", "nome",
                      "name", "descricao", "description", "identificador", "percentual",
                      "percent"))

_DUE = frozenset(("vencimento", "due"))  # name terms of a due date

_EXPECTED = frozenset(("previsao", "expected"))  # of an expected date

_DONE = frozenset(("pagamento", "payment", "entrega", "delivery", "recebimento", "receipt",
                   "baixa"))  # of the date a thing happened

_PAID = frozenset(("pago", "paid"))  # name terms of an amount paid (VL_PAGO)

_PAYMENT = frozenset(("pagamento", "payment"))  # of the date it was paid (DT_PGTO)

_OPEN = frozenset(("aberto", "open", "pendente", "pending"))  # of a code meaning open

UNSAID = 3.0  # the main money column is named for something the question never says


class Columns:
    """Column lookups over one document's terms (see the module docstring)."""

    def __init__(self, doc: CombinedSchema, terms: SchemaTerms, prefixes: set[str]) -> None:
        self.doc = doc
        self.terms = terms
        self.prefixes = prefixes

    def column(self, q: Question, d: Draft, words: list[int], *,
               kinds: tuple[str, ...] | None, depth: int, keys: bool = False,
               nullable: bool = False, exclude: set[str] | None = None,
               measures: bool = False, hop_cost: float = 0.6) -> Found | None:
        """The column (of the base or a table it reaches within `depth`) that `words`
        name best: (alias, column, words matched, score), or None when none matches.
        `measures`: only numbers that are neither keys nor codes."""
        best: tuple[float, str, CombinedColumn, set[int]] | None = None
        fits: list[tuple[str, Hop, CombinedColumn, set[int]]] = []
        for alias, hop in d.reach.items():
            if hop.depth > depth:
                continue
            rel = self.doc.relation(hop.table)
            if rel is None:
                continue
            for col in rel.columns:
                key = (hop.table, col.name)
                if kinds is not None and kind(col) not in kinds:
                    continue
                if (nullable and not col.nullable) or (exclude and col.name in exclude):
                    continue
                if "BLOB" in col.type.upper() and not nullable:
                    continue  # a BLOB is only tested for NULL ("sem observação")
                if measures and not self.measure_like(key):
                    continue
                named = self.terms.match(self.terms.names.get(key, frozenset()), q, words)[1]
                fits.append((alias, hop, col, named))
        # A word one column's name says is that column's: "juros" is VL_JUROS, not
        # VL_PAGO, whose description speaks of interest paid
        owned = set().union(*(named for *_, named in fits))
        for alias, hop, col, named in fits:
            key = (hop.table, col.name)
            score, hit = self.terms.column_match(
                key, q, [i for i in words if i not in owned or i in named])
            if not hit:
                continue
            score -= hop_cost * hop.depth
            if keys and key in self.terms.references:
                score += 0.5
            if best is None or score > best[0]:
                best = (score, alias, col, hit)
        if best is None or best[0] <= 0:
            return None
        return best[1], best[2], best[3], best[0]

    def percent_column(self, q: Question, d: Draft, words: list[int]) -> Found | None:
        """The base's percentage column the words name ("desconto" -> PERC_DESC)."""
        percent = frozenset(("percentual", "percent", "percentag", "aliquota", "rate"))
        rel = self.doc.relation(d.base)
        best: Found | None = None
        for col in rel.columns if rel else []:
            key = (d.base, col.name)
            if kind(col) != "number" or not percent & self.terms.names.get(key, frozenset()):
                continue
            score, hit = self.terms.column_match(key, q, words)
            if hit and (best is None or score > best[3]):
                best = (d.base, col, hit, score)
        return best

    def measure_like(self, key: tuple[str, str]) -> bool:
        """A number that measures something: not a key, a code, or named like an id
        (TIT_NUM, a view's CLI_COD)."""
        if key in self.terms.keys or key in self.terms.mapped or key[1] in self.terms.key_names:
            return False
        return not ({"codigo", "numero", "identificador", "sequencia", "matricula"}
                    & self.terms.names.get(key, frozenset()))

    def money_named(self, key: tuple[str, str]) -> bool:
        """A column whose name says it holds money (a value, price or cost)."""
        return bool({"valor", "valu", "preco", "price", "custo", "cost"}
                    & self.terms.names.get(key, frozenset()))

    def money_like(self, key: tuple[str, str]) -> bool:
        """A money column, or a total (VL_TOTAL, QTD_TOTAL_NF): what a sum of money reads."""
        return self.money_named(key) or "total" in self.terms.names.get(key, frozenset())

    def unit_value(self, key: tuple[str, str]) -> bool:
        """A column whose name says it holds one unit's price or cost."""
        return bool({"custo", "cost", "preco", "price", "unitario", "unitari", "unit"}
                    & self.terms.names.get(key, frozenset()))

    def measure_column(self, q: Question, d: Draft, words: list[int], *,
                       kinds: tuple[str, ...], depth: int,
                       exclude: set[str] | None = None) -> Found | None:
        """`column` among the numbers (and dates) that measure something."""
        return self.column(q, d, words, kinds=kinds, depth=depth, exclude=exclude,
                            measures=True)

    def money(self, q: Question, d: Draft, exclude: frozenset[str] = frozenset()
              ) -> Found | None:
        """The base's main money column (a total, else a value), for 'total de vendas';
        not one of `exclude`."""
        rel = self.doc.relation(d.base)
        if rel is None:
            return None
        # "turnover", "faturamento": an amount of money, never a quantity
        sales = bool(sales_words(q))
        # "qto a gente vendeu de iluminação": what sold is worth, unless units are said
        amount = says_money(q) or sales
        ranked = []
        for col in rel.columns:
            key = (d.base, col.name)
            if kind(col) != "number" or not self.measure_like(key) or col.name in exclude:
                continue
            names = self.terms.names.get(key, frozenset())
            if amount and not self.money_like(key):
                continue  # "revenue" of products is no sum of their weights
            if sales and self.unit_value(key):
                continue  # nor of their prices or costs
            terms = self.terms.columns.get(key, frozenset())
            score = 2.0 * bool({"total"} & names) + 1.0 * bool({"valor", "valu"} & names) + \
                1.0 * bool({"total"} & terms) + 0.5 * col.type.upper().endswith(",2)") + \
                1.5 * (not amount) * bool({"quantidade", "quantiti"} & names) - \
                1.0 * bool({"unitario", "unitari", "unit"} & names)  # a price, not an amount
            if score > 0:
                ranked.append((score, -rel.columns.index(col), col))
        if not ranked:
            return None
        ranked.sort(key=lambda r: (-r[0], -r[1]))
        col = ranked[0][2]
        return d.base, col, set(), -UNSAID if self.unsaid(q, col.name) else 0.0

    def said(self, q: Question, d: Draft, best: Found | None) -> Found | None:
        """`best`, unless its name holds a thing the question never says and the base's
        main money column does not: "quem mais vendeu" matched VL_META by 'valor' alone,
        and VL_TOTAL is what was sold. A measure that stays unsaid scores UNSAID less."""
        if best is None or not self.unsaid(q, best[1].name):
            return best
        money = self.money(q, d)
        if money is not None and money[3] == 0.0:
            return money[0], money[1], best[2], best[3]
        return best[0], best[1], best[2], best[3] - UNSAID

    def unsaid(self, q: Question, name: str) -> bool:
        """Whether a column's name holds a thing the question never says: VL_META is a
        target's value, and "quanto ela vendeu" asks for no target."""
        for part in split_identifier(name):
            terms = self.terms.name_part(part)
            if part in self.prefixes or terms & _GENERIC:
                continue
            # all the words: "máximo" is a cue word, yet it says PERC_DESC_MAX's MAX
            if not self.terms.match(terms, q, list(range(len(q.words))))[1]:
                return True
        return False

    def uncovered(self, table: str, q: Question, words: list[int]) -> int:
        """How many parts of a table's name (prefixes aside) `words` do not say."""
        parts = [p for p in split_identifier(table) if p not in self.prefixes]
        return sum(not self.terms.match(self.terms.name_part(p), q, words)[1] for p in parts)

    def due_date(self, d: Draft) -> CombinedColumn | None:
        """The base's due date (vencimento), else its expected date (previsão)."""
        return self.dated(d, _DUE) or self.dated(d, _EXPECTED)

    def done_date(self, d: Draft) -> CombinedColumn | None:
        """The base's date of when the thing happened (pagamento, entrega, baixa)."""
        return self.dated(d, _DONE)

    def paid(self, d: Draft) -> tuple[CombinedColumn | None, CombinedColumn | None]:
        """The base's amount paid and its payment date (VL_PAGO, DT_PGTO), each None when
        the base has none."""
        rel = self.doc.relation(d.base)
        amount = next((col for col in (rel.columns if rel else []) if kind(col) == "number"
                       and self.money_named((d.base, col.name))
                       and _PAID & self.terms.names.get((d.base, col.name), frozenset())),
                      None)
        return amount, self.dated(d, _PAYMENT)

    def dated(self, d: Draft, wanted: frozenset[str]) -> CombinedColumn | None:
        """The base's first date column whose name holds one of `wanted`."""
        rel = self.doc.relation(d.base)
        return next((col for col in (rel.columns if rel else []) if kind(col) == "date" and
                     wanted & self.terms.names.get((d.base, col.name), frozenset())), None)

    def open_code(self, d: Draft) -> tuple[str, str | int | float, str] | None:
        """(column, code, meaning) of the base's annotated code that means open."""
        rel = self.doc.relation(d.base)
        for col in rel.columns if rel else []:
            values = col.annotation.values if col.annotation else None
            for code, meaning in (values or {}).items():
                if _OPEN & self.terms.name_part(fold(meaning).split()[-1] if meaning else ""):
                    return col.name, typed_code(code, col), meaning
        return None

    def default_date(self, d: Draft) -> Found | None:
        """The base's main date: a required one first, then by how date-like its name is
        (emissão before alteração)."""
        rel = self.doc.relation(d.base)
        if rel is None:
            return None
        dates = [c for c in rel.columns if kind(c) == "date"]
        if not dates:
            return None
        dates.sort(key=lambda c: (c.nullable, date_rank(self.terms, d.base, c)))
        return d.base, dates[0], set(), 0.0

    def parent_date(self, d: Draft) -> Found | None:
        """The main date of the first parent that has one (an order item's date is its
        order's)."""
        rel = self.doc.relation(d.base)
        key = set(rel.primary_key.columns) if rel and rel.primary_key else set()
        for alias, hop in d.reach.items():
            # Only the header an item belongs to (its key holds the FK): an order
            # item's date is its order's; a salesperson's is not their hiring date.
            if hop.depth != 1 or not set(hop.fk) <= key:
                continue
            found = self.default_date(Draft(hop.table, {hop.table: Hop(hop.table,
                                                                          hop.table, ())}))
            if found is not None:
                return alias, found[1], set(), -0.5
        return None

    def year_month_columns(self, d: Draft) -> tuple[str, str, str | None] | None:
        """(alias, year column, month column) when the base keeps a year as a number
        (RH_FOLHA.ANO, MES) and has no date of its own."""
        rel = self.doc.relation(d.base)
        if rel is None or any(kind(c) == "date" and not c.nullable for c in rel.columns):
            return None
        year = month = None
        for col in rel.columns:
            if kind(col) != "number":
                continue
            names = self.terms.names.get((d.base, col.name), frozenset())
            if {"ano", "year"} & names and year is None:
                year = col.name
            elif {"mes", "month"} & names and month is None:
                month = col.name
        return (d.base, year, month) if year else None


def name_column(rel: CombinedRelation, terms: SchemaTerms) -> CombinedColumn | None:
    """The column that names a row: nome, razão social, descrição."""
    best: tuple[int, CombinedColumn] | None = None
    for col in rel.columns:
        if kind(col) != "text":
            continue
        names = terms.names.get((rel.name, col.name), frozenset())
        score = 3 * bool({"nome", "name", "razao"} & names) + \
            2 * bool({"descricao", "descr", "description"} & names)
        if score and (best is None or score > best[0]):
            best = (score, col)
    return best[1] if best else None


def date_rank(terms: SchemaTerms, table: str, col: CombinedColumn) -> int:
    """0 for an issue date, 1 for a registration date, 2 for any other date."""
    names = terms.names.get((table, col.name), frozenset())
    if {"emissao", "emiss", "emi"} & names:
        return 0
    if {"cadastro", "cadastr"} & names:
        return 1
    return 2
