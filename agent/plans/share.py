"""A percentage asked for: which select item says it ("what percentage of customers are
blocked", "quanto deu o ICMS, em percentual do valor dos produtos").

The words after the cue (`Question.share_whole`) name the whole; the rest of the question
says the part. Three forms, by what the words name:

- the whole is a measure and another measure is named: SUM(part) * 100 / SUM(whole)
  (`Item.of`): "what percentage of gross pay went to deductions";
- the whole is a measure (or, when its words name nothing, the base's main money column)
  and a filter says the part: SUM(CASE WHEN part THEN whole ELSE 0 END) * 100 / SUM(whole)
  (`Item.part`): "quantos por cento do que a gente recebeu entrou via pix";
- the whole is the rows themselves: COUNT(CASE WHEN part THEN 1 END) * 100 / COUNT(*):
  "what percentage of customers are blocked".

The part's filter is the last one said outside the whole's words, and it leaves the
WHERE clause; the other filters stay there for every row ("what percentage of 2023
orders were cancelled": the year filters the rows, the cancelled ones are the part).
"""

from __future__ import annotations

from schemachat.agent.plans.columns import Columns
from schemachat.agent.plans.draft import Draft, Found
from schemachat.agent.plans.plan import Col, Expr, Item
from schemachat.agent.plans.question import Question, sales_words


def share_item(cols: Columns, q: Question, d: Draft) -> Item | None:
    """The percentage `q` asks for over `d`, taking the part's filter out of `d`; None
    (and `d` untouched) when the question names no part, or the words after the cue name
    a percentage column ("qual o percentual de comissão": PERC_COMISSAO is asked for)."""
    if q.share_whole is None:
        return None
    inside = set(range(q.share_whole.start, q.share_whole.end))
    words = q.content(q.share_whole)
    if words and cols.percent_column(q, d, words) is not None:
        return None
    # "do que a gente recebeu", "of what we sold": an amount, whatever its words name
    amount = q.words[q.share_whole.start].folded in ("que", "what") \
        if q.share_whole.end > q.share_whole.start else False
    free = [i for i in words if i not in d.claimed]
    # "do faturamento de 2023", "of our sales": money, though the word names the table
    amount = amount or (bool(free) and set(free) <= set(sales_words(q)))
    rows = not amount and set(free) <= d.table_words
    whole = None if rows else cols.measure_column(q, d, free, kinds=("number",), depth=0)
    if whole is None and not rows:
        whole = cols.money(q, d)  # "do que a gente recebeu": what was received
    if whole is not None:
        rest = [i for i in q.content() if i not in d.claimed and i not in inside
                and i not in d.table_words and i not in whole[2]]
        part = cols.measure_column(q, d, rest, kinds=("number",), depth=0,
                                   exclude={whole[1].name}) if rest else None
        if part is not None:
            _drop(d, _codes_beside(d, whole, inside))
            for found in (whole, part):
                d.use(found[0])
                d.claim(found[2])
            return Item(expr=_expr(part), agg="SUM", of=_expr(whole))
    at = _part_filter(d, inside)
    if at is None:
        return None
    part_filter = d.filters[at]
    _drop(d, [at, *(_codes_beside(d, whole, inside) if whole is not None else [])])
    if whole is None:
        return Item(agg="COUNT", part=part_filter)
    d.use(whole[0])
    d.claim(whole[2])
    return Item(expr=_expr(whole), agg="SUM", part=part_filter)


def _drop(d: Draft, indexes: list[int]) -> None:
    for at in sorted(set(indexes), reverse=True):  # the last first: indexes stay valid
        d.pop_filter(at)


def _codes_beside(d: Draft, whole: Found, inside: set[int]) -> list[int]:
    """The code filters said, inside the whole's words, right beside the words of its
    measure: they are one name with it ("gross pay" is SAL_BRUTO; 'pay' is not the
    payroll status 'paga')."""
    beside = {i + step for i in whole[2] for step in (-1, 1)} & inside
    return [at for at, word in d.said_at.items() if word in beside and
            at < len(d.filters) and d.filters[at].meaning is not None]


def _part_filter(d: Draft, inside: set[int]) -> int | None:
    """The index of the filter that says the part: the last one said, not among the
    whole's words."""
    said = [(word, at) for at, word in d.said_at.items()
            if at < len(d.filters) and word not in inside]
    return max(said)[1] if said else None


def _expr(found: Found) -> Expr:
    alias, col = found[0], found[1]
    return Expr(column=Col(table=alias, column=col.name))
