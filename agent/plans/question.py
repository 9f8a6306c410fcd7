"""What a question asks, read without a model: its words, numbers, dates, comparisons and
the cues of `cues.yaml` (how many, total, per, without, the 10 largest ...).

    q = read_question("quantos clientes têm limite de crédito acima de 20 mil reais?")
    q.aggregate            # 'COUNT'
    q.comparisons          # [Comparison(op='>', value=20000.0, ...)]

Positions are word indexes into `q.words`, so the linker can ask which words stand
before a number or after "por".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

import yaml

from schemachat.ingest.vocabulary import fold

# A number ends with a digit: "em 2023, em quantidade" is the year 2023 and a comma; a
# number with letters stuck to it ("220V", "50kg") is one word, a size stored as such.
# A document number is one word, stored as written: CNPJ, CPF, CEP, phone numbers
# ("2020-9038", "99876-5432", stored with their area code), and keys of twenty digits or
# more (an NF-e access key, a boleto's barcode): text, no amount.
PHONE = r"\d{4,5}-\d{4}"
_DOCUMENT = (r"\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}|\d{3}\.\d{3}\.\d{3}-\d{2}|\d{5}-\d{3}\b|"
             + PHONE + r"\b|\d{20,}\b")
_TOKEN = re.compile(_DOCUMENT + r"|R\$\s*|\d+[^\W\d_]+\b|\d(?:[\d.,]*\d)?%?|"
                    r"[^\W\d_]+(?:['’][^\W\d_]+)?|[^\s\w]", re.UNICODE)
_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
_YEAR = re.compile(r"^(19[5-9]\d|20\d\d)$")
EN_HINTS = frozenset(("how", "the", "of", "which", "what", "per", "is", "are", "in", "by",
                      "who", "list", "show", "we", "our", "with", "many", "much", "have",
                      "has", "was", "were"))
PT_HINTS = frozenset(("quantos", "quantas", "qual", "quais", "de", "do", "da", "dos", "das",
                      "por", "em", "nao", "sao", "tem", "liste", "media", "que", "os", "quem",
                      "na", "nos", "nas"))


@cache
def cues() -> dict[str, Any]:
    """The bundled cue lists (cues.yaml), folded."""
    text = resources.files(__package__).joinpath("cues.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@dataclass(frozen=True)
class Word:
    """One word (or number, or sign) of the question."""

    text: str  # as written
    folded: str  # lower case, no accents
    number: float | None = None  # when it is a number (multipliers applied later)
    owner: bool = False  # written with "'s" ("the branch's orders"): it owns what follows


@dataclass(frozen=True)
class Span:
    """Words [start, end) of the question that a cue or a link stands for."""

    start: int
    end: int

    def __contains__(self, i: object) -> bool:
        return isinstance(i, int) and self.start <= i < self.end

    def holds_any(self, words: Iterable[int]) -> bool:
        """Whether any of `words` (indexes) is inside the span."""
        return any(i in self for i in words)


DAYS = frozenset(("dias", "dia", "days", "day"))  # a number of days: "30 dias", "5 days"

@dataclass(frozen=True)
class Size:
    """A size said with its unit ("2.5 mm", "1000-liter", "3/4-inch", "60x60"), in the
    form product names store it: `number` '2,5', '60x60', '3/4'; `unit` 'mm', 'l', ''."""

    number: str
    unit: str
    span: Span


@dataclass(frozen=True)
class Comparison:
    """`op value` with the words that name what is compared just before (`before`)."""

    op: str
    value: float
    span: Span  # the cue and the number (and its multiplier)
    text: str
    percent: bool = False  # "acima de 5%": a percentage
    of: Span | None = None  # "10% of the goods value": the words naming the other column
    factor: float | None = None  # what the other column is multiplied by (0.1, 1.2)
    versus: bool = False  # "desconto maior que o frete": another column, no number
    average: bool = False  # "salário acima da média": the column's own average


@dataclass(frozen=True)
class DateRef:
    """A year, a month of a year (or months `month`..`month_to`: a quarter, a half), or
    a day, named in the question."""

    year: int | None  # None: a month of every year ("aniversário em março")
    month: int | None
    span: Span
    month_to: int | None = None
    day: int | None = None
    day_to: int | None = None  # "entre 1 e 15 de julho": days `day`..`day_to`
    year_to: int | None = None  # "the 1980s", "anos 80": years `year`..`year_to`
    side: str | None = None  # "desde 2016": '>=', "before 2015": '<' (a year only)


@dataclass(frozen=True)
class Arithmetic:
    """Two things combined: "preço menos custo", "difference between gross and net"."""

    op: str  # '-' or '*'
    left: Span
    right: Span
    span: Span
    between: bool = False  # "the difference between X and Y": a figure, not a column
    dates: bool = False  # "days after X ... Y": two dates, a number of days
    # said by a preposition ("at", "pelo"), which more often only links words: "cancelled
    # at each branch" holds no operand
    linking: bool = False


@dataclass
class Question:
    """The question, read (see the module docstring)."""

    text: str
    words: list[Word]
    lang: str  # 'pt' or 'en'
    aggregate: str | None = None
    aggregate_span: Span | None = None
    top: tuple[int, bool] | None = None  # (n, descending)
    top_span: Span | None = None
    group_spans: list[Span] = field(default_factory=list)  # the words after a group cue
    missing_spans: list[Span] = field(default_factory=list)  # the words after a missing cue
    present_spans: list[Span] = field(default_factory=list)  # "tem alguma observação"
    about_spans: list[Span] = field(default_factory=list)  # "have to do with interest"
    excluded_spans: list[Span] = field(default_factory=list)  # after "sem contar", "except"
    every_spans: list[Span] = field(default_factory=list)  # after "across all the"
    included_spans: list[Span] = field(default_factory=list)  # after "contando a", "including"
    under_spans: list[Span] = field(default_factory=list)  # "subgroups under the X group"
    line_spans: list[Span] = field(default_factory=list)  # "a linha de X": X's members' rows
    glossed: set[int] = field(default_factory=set)  # "(estoquista)": a value's own words
    remaining_spans: list[Span] = field(default_factory=list)  # "still to be received"
    share: Span | None = None  # "what percentage of": the cue
    share_whole: Span | None = None  # the words after it, naming the whole
    overdue: Span | None = None  # "vencidos", "overdue": past the due date, not settled
    paid: Span | None = None  # "quanto pagamos": the amount and date paid, not billed
    named: Span | None = None  # "se chamam Ana": the capitalised words of a name
    starts: Span | None = None  # "start with São": the first words of a name
    when: Span | None = None  # "quando", "when": a date is asked
    by_value: Span | None = None  # "em valor", "by value": ranked by money, not units
    extreme: tuple[str, Span] | None = None  # "a última", "the first": (MAX or MIN, words)
    comparisons: list[Comparison] = field(default_factory=list)
    dates: list[DateRef] = field(default_factory=list)
    numbers: list[tuple[float, Span]] = field(default_factory=list)  # not consumed above
    documents: list[Span] = field(default_factory=list)  # "48.346.193/0001-63": as stored
    sizes: list[Size] = field(default_factory=list)  # "2.5 mm", "60x60": a product's size
    weekdays: list[tuple[list[int], Span]] = field(default_factory=list)  # "aos sábados"
    listing: bool = False
    amount: bool = False  # "qual foi a receita ...": one amount asked, a sum
    arithmetic: list[Arithmetic] = field(default_factory=list)
    used: set[int] = field(default_factory=set)  # word indexes a cue consumed

    def folded(self, span: Span) -> list[str]:
        """The folded words of `span`."""
        return [w.folded for w in self.words[span.start:span.end]]

    def content(self, span: Span | None = None) -> list[int]:
        """Indexes of the words in `span` (default: all) that may name schema things:
        not consumed by a cue, not filler, not punctuation."""
        span = span or Span(0, len(self.words))
        return [i for i in range(max(span.start, 0), min(span.end, len(self.words)))
                if i not in self.used and self.words[i].folded not in filler()
                and self.words[i].number is None and any(c.isalnum()
                                                         for c in self.words[i].folded)]


@cache
def filler() -> frozenset[str]:
    """Words that never name a table, column or value (cues.yaml `filler`)."""
    return frozenset(cues()["filler"])


def _number(token: str) -> float | None:
    raw = token.rstrip("%")
    if not raw or not raw[0].isdigit():
        return None
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", raw):  # 1.000 / 10,000: thousands
        return float(re.sub(r"[.,]", "", raw))
    if re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+", raw):  # 10.000,50: Portuguese
        return float(raw.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(,\d{3})+\.\d+", raw):  # 10,000.50: English
        return float(raw.replace(",", ""))
    if re.fullmatch(r"\d+,\d+", raw):  # 2,5: a Portuguese decimal
        return float(raw.replace(",", "."))
    try:
        return float(raw.rstrip(".,"))
    except ValueError:
        return None


def _words(text: str) -> list[Word]:
    out = []
    # "e-mail", "batch-controlled": the words of a hyphenated compound, without the hyphen
    # (which would end the span of a cue: "não têm e-mail")
    for tok in _TOKEN.findall(_HYPHEN.sub(" ", text)):
        owner = re.search(r"['’]s$", tok.strip()) is not None
        tok = re.sub(r"['’]s$", "", tok.strip())  # "what's", "Moura's"
        if not tok or tok.startswith("R$"):
            continue
        document = re.fullmatch(_DOCUMENT, tok) is not None
        out.append(Word(tok, fold(tok), None if document else _number(tok),
                        owner=owner and fold(tok) not in ("what", "it", "that", "who")))
    return out


def _phrases(entries: list[str]) -> list[list[str]]:
    # Longest first, so "mais de" wins over "mais".
    return sorted(([fold(w) for w in e.split()] for e in entries), key=len, reverse=True)


def _match(words: list[Word], i: int, phrase: list[str]) -> bool:
    return [w.folded for w in words[i:i + len(phrase)]] == phrase


def find_cue(words: list[Word], entries: list[str], used: set[int] | None = None,
             start: int = 0) -> Span | None:
    """The first place at or after `start` where one of `entries` is said."""
    phrases = _phrases(entries)
    for i in range(start, len(words)):
        if used and i in used:
            continue
        for phrase in phrases:
            if _match(words, i, phrase):
                return Span(i, i + len(phrase))
    return None


def read_question(text: str) -> Question:
    """Read `text` (see the module docstring)."""
    words = _words(text)
    pt = sum(w.folded in PT_HINTS for w in words)
    en = sum(w.folded in EN_HINTS for w in words)
    q = Question(text, words, "pt" if pt >= en else "en")
    c = cues()
    q.documents = [Span(i, i + 1) for i, w in enumerate(words)
                   if re.fullmatch(_DOCUMENT, w.text)]
    q.used.update(s.start for s in q.documents)
    _read_glosses(q)
    _read_our_company(q)
    _read_numbers(q, c)
    _read_dates(q, c)
    _read_weekdays(q, c)
    _read_comparisons(q, c)
    _read_versus_average(q, c)
    _read_versus(q, c)
    _read_sizes(q, c)
    _read_either(q)
    _read_top(q, c)
    _read_catalog(q, c)
    _read_share(q, c)
    _read_aggregate(q, c)
    q.overdue = _read_overdue(q, c)
    q.paid = find_cue(words, c["paid"])
    if q.paid is not None and q.paid.start and words[q.paid.start - 1].folded in (
            "ja", "already"):
        q.paid = None  # "what was already paid": a part of the value, not what is asked
    q.named = _read_named(q, c)
    q.starts = _read_starts(q, c)
    q.when = find_cue(words, c["when"], q.used)
    q.by_value = find_cue(words, c["by_value"], q.used)
    if q.by_value is not None:
        q.used.update(range(q.by_value.start, q.by_value.end))
    for agg in ("MAX", "MIN"):
        span = find_cue(words, c["extreme"][agg], q.used)
        if span is not None and q.extreme is None:
            q.extreme = agg, span
    q.group_spans = _spans_after(q, c["group"], passive=True, idioms=c["not_group"])
    if q.top is not None:  # "top 5 brands by turnover": the order, not a group
        measures = set(c["money"]) | set(c["sales"])
        q.group_spans = [s for s in q.group_spans
                         if not any(w in measures for w in q.folded(s))]
    if q.top is not None and not q.group_spans:
        q.group_spans = _asked_time_units(q, c)
    q.excluded_spans = _cue_spans(q, c["excluded"])
    q.every_spans = _cue_spans(q, c["every"], width=2)
    # "not counting the dismissed ones" is excluded, though "counting the" is said
    q.included_spans = [s for s in _cue_spans(q, c["included"], width=3)
                        if not any(e.start <= s.start < e.end for e in q.excluded_spans)]
    q.line_spans = [_with_gloss(q, s) for s in _cue_spans(q, c["line"], width=4)]
    q.under_spans = [_with_gloss(q, s) for s in _cue_spans(q, c["under"], width=4)] + \
        q.line_spans
    q.remaining_spans = _cue_spans(q, c["remaining"], width=2)
    q.missing_spans = _spans_after(q, c["missing"])
    q.present_spans = _read_present(q, c)
    q.about_spans = _spans_after(q, c["about"])
    listed = find_cue(words, c["list"], q.used)
    q.listing = listed is not None and q.aggregate is None
    if listed is not None and q.folded(listed) in (["qual"], ["what"]) and (
            says_money(q) or (q.dates and q.folded(Span(listed.end, listed.end + 1)) in (
                ["foi"], ["was"]))):
        # "qual foi a receita em 2024", "what was the gross payroll in May 2024": one
        # amount, a sum
        q.listing = False
        q.amount = True
    if listed is not None and listed.start <= 1:
        q.used.update(range(listed.start, listed.end))  # "liste ...", "which ...": a cue
    q.arithmetic = _read_arithmetic(q, c)
    return q


# Words that ask which one: "em que mês ... mais", "what was our best ... day".
_WHICH = frozenset({"que", "qual", "quais", "which", "what", "best", "melhor", "pior",
                    "worst"})


def _asked_time_units(q: Question, c: dict[str, Any]) -> list[Span]:
    """With a superlative, the time unit asked for ("em que mês de 2023 a folha saiu mais
    alta", "our best invoicing day"): the rows grouped by it, like "por mês"."""
    units = {w for words in c["time_units"].values() for w in words}
    out = []
    for i, w in enumerate(q.words):
        after = q.words[i + 1] if i + 1 < len(q.words) else None
        if i in q.used or w.folded not in units or (after and after.number is not None):
            continue  # "dia 15" is a day, not each one
        if any(x.folded in _WHICH for x in q.words[max(i - 3, 0):i]):
            out.append(Span(i, i + 1))
    return out


def _read_arithmetic(q: Question, c: dict[str, Any]) -> list[Arithmetic]:
    out = []
    for op, entries in c["arithmetic"].items():
        for kind_, phrases in entries.items():
            for phrase in _phrases(phrases):
                for i in range(len(q.words)):
                    if not _match(q.words, i, phrase):
                        continue
                    end = i + len(phrase)
                    if kind_ == "infix":  # X menos Y
                        left, right = _side(q, i, -1), _side(q, end, 1)
                    elif kind_ == "after":  # days after X (do they) Y
                        left = _side(q, end, 1)
                        right = Span(left.end, min(left.end + 6, len(q.words)))
                    else:  # difference between X and Y
                        k = find_cue(q.words, ["e", "and"], start=end)
                        if k is None or k.start - end > 8:
                            continue
                        left, right = Span(end, k.start), _side(q, k.end, 1)
                    # "notas de maio de 2024 descontando o ICMS": nothing before the
                    # cue names a value; the deduction is from the main one
                    deduct = op == "-" and kind_ == "infix"
                    if (left.end > left.start or deduct) and right.end > right.start:
                        out.append(Arithmetic(op, left, right,
                                              Span(min(left.start, i), right.end),
                                              kind_ != "infix", kind_ == "after",
                                              phrase[0] in c["arithmetic_linking"]))
    return out


def _side(q: Question, at: int, step: int) -> Span:
    """Up to three words next to `at` (before it with step -1), stopping at punctuation."""
    idx, k = [], at - 1 if step < 0 else at
    while 0 <= k < len(q.words) and len(idx) < 3:
        w = q.words[k]
        if not w.folded.isalnum() or w.number is not None:
            break
        idx.append(k)
        k += step
    while idx and q.words[idx[-1]].folded in filler():
        idx.pop()
    return Span(min(idx), max(idx) + 1) if idx else Span(at, at)


# multipliers that are a number on their own ("over a thousand"); "k" and "mi" are not
_ALONE = frozenset({"mil", "thousand", "milhao", "million"})


def _read_numbers(q: Question, c: dict[str, Any]) -> None:
    multipliers = {fold(k): v for k, v in c["multipliers"].items()}
    spelled = c["number_words"]
    scaled: set[int] = set()
    for i, w in enumerate(q.words):
        value = w.number if w.number is not None else spelled.get(w.folded)
        if value is None and i not in scaled and w.folded in _ALONE:
            value = multipliers[w.folded]  # "mais de mil": a thousand, said alone
            q.numbers.append((value, Span(i, i + 1)))
            continue
        if value is None:
            continue
        end = i + 1
        if end < len(q.words) and q.words[end].folded in multipliers:
            value *= multipliers[q.words[end].folded]
            scaled.add(end)
            end += 1
        q.numbers.append((value, Span(i, end)))


def _read_glosses(q: Question) -> None:
    """"a stock clerk (estoquista)": in an English question, the words before a short
    parenthesis say in English what the words inside name as stored; only the inside is
    read."""
    if q.lang != "en":
        return  # "gerente comercial (sales manager)": the stored name comes first
    for k, w in enumerate(q.words):
        if w.folded != "(":
            continue
        m = next((j for j in range(k + 1, min(k + 5, len(q.words)))
                  if q.words[j].folded == ")"), None)
        if m is None or m == k + 1 or not all(x.folded.isalpha() for x in q.words[k + 1:m]):
            continue
        start = k
        while start > 0 and k - start < 3 and q.words[start - 1].folded.isalpha() and \
                q.words[start - 1].folded not in filler():
            start -= 1
        q.used.update(range(start, k))
        q.glossed.update(range(k + 1, m))


_COMPANY = frozenset({"company", "empresa", "firm", "firma"})
_JOINED_OR_LEFT = frozenset({"left", "joined", "leave", "join", "saiu", "sairam", "entrou",
                             "entraram", "deixou", "deixaram", "ficou", "ficaram", "with",
                             "at", "in", "na", "da"})


def _read_our_company(q: Question) -> None:
    """"left the company", "saiu da empresa": our own company, no customer type (a
    company is also a legal person, 'J')."""
    for i, w in enumerate(q.words):
        if w.folded not in _COMPANY or i == 0 or (
                i + 1 < len(q.words) and q.words[i + 1].text[:1].isupper()):
            continue  # "da empresa Votoran" names one
        before = q.words[i - 1].folded
        k = i - 1 if before in ("the", "a", "our", "nossa", "this") else i
        verb = q.words[k - 1].folded if k >= 1 else ""
        if before in ("na", "da") or verb in _JOINED_OR_LEFT:
            q.used.update(range(k, i + 1))


_DECADE = re.compile(r"^(?:(19|20)?([0-9]0))s$")


def _read_decades(q: Question) -> None:
    """"the 1980s", "the 80s", "anos 80", "década de 1990": ten years."""
    for i, w in enumerate(q.words):
        found = _DECADE.match(w.folded)
        start = i
        if found:
            century, tens = found.group(1), int(found.group(2))
        elif w.number is not None and i > 0 and (
                q.words[i - 1].folded == "anos" or q.folded(Span(i - 2, i)) == ["decada", "de"]):
            text = q.words[i].text
            if not re.fullmatch(r"(?:19|20)?[0-9]0", text):
                continue
            century, tens = (text[:2] if len(text) == 4 else None), int(text[-2:])
            start = i - 1 if q.words[i - 1].folded == "anos" else i - 2
        else:
            continue
        year = int(century) * 100 + tens if century else (1900 if tens >= 30 else 2000) + tens
        q.dates.append(DateRef(year, None, Span(start, i + 1), year_to=year + 9))
        q.numbers = [n for n in q.numbers if n[1].start != i]
        q.used.update(range(start, i + 1))


def _number_pairs(q: Question, before: tuple[str, ...], joined: tuple[str, ...]
                  ) -> list[tuple[tuple[float, Span], tuple[float, Span]]]:
    """Two numbers said as "<before> X <joined> Y" ("entre 100 e 200"), in order."""
    numbers = sorted(q.numbers, key=lambda n: n[1].start)
    return [((x, a), (y, b)) for (x, a), (y, b) in pairwise(numbers)
            if a.start and q.words[a.start - 1].folded in before and
            b.start == a.end + 1 and q.words[a.end].folded in joined]


def _read_year_spans(q: Question) -> None:
    """"entre 2015 e 2018", "from 2019 to 2021": the years `year`..`year_to`."""
    for (first, a), (last, b) in _number_pairs(q, ("entre", "between", "from", "de", "desde"),
                                               ("e", "and", "a", "to", "ate")):
        if not (_YEAR.match(q.words[a.start].text) and _YEAR.match(q.words[b.start].text)) \
                or first >= last:
            continue
        q.dates.append(DateRef(int(first), None, Span(a.start - 1, b.end), year_to=int(last)))
        q.numbers = [n for n in q.numbers if n not in ((first, a), (last, b))]
        q.used.update(range(a.start - 1, b.end))


def _read_dates(q: Question, c: dict[str, Any]) -> None:
    _read_decades(q)
    _read_year_spans(q)
    months = {fold(k): v for k, v in c["months"].items()}
    periods = {tuple(fold(w) for w in k.split()): v for k, v in c["periods"].items()}
    for value, span in list(q.numbers):
        text = q.words[span.start].text
        if not _YEAR.match(text) or span.start in q.used or (
                span.start and q.words[span.start - 1].folded in c["numbered"]):
            continue  # "pedido 2000", "order 2000": which one, not a year
        month, month_to, day, day_to, start = None, None, None, None, span.start
        # "junho de 2024", "June 2024", "15 de março de 2024", "March 15, 2024"
        for back in (1, 2):
            k = span.start - back
            if k >= 0 and q.words[k].folded in months and (
                    back == 1 or q.words[k + 1].folded in ("de", "/", "of")):
                month, start = months[q.words[k].folded], k
                break
        at = span.start - (span.start >= 1 and q.words[span.start - 1].text == ",")
        if month is None and at >= 2 and q.words[at - 2].folded in months \
                and 1 <= (q.words[at - 1].number or 0) <= 31:  # "March 15, 2024"
            month, day = months[q.words[at - 2].folded], int(q.words[at - 1].number or 0)
            start = at - 2
        elif month is not None and (back := _day_before(q, start)):
            day, start = int(q.words[start - back].number or 0), start - back
            if start >= 3 and q.words[start - 1].folded in ("e", "and", "a", "to") and \
                    1 <= (q.words[start - 2].number or 0) < day and \
                    q.words[start - 3].folded in ("entre", "between", "de", "from", "do"):
                # "entre 1 e 15 de julho de 2024": days 1 to 15
                day, day_to, start = int(q.words[start - 2].number or 0), day, start - 3
        elif month is not None and start >= 3 and q.words[start - 1].folded in ("e", "and") \
                and q.words[start - 2].folded in months and \
                q.words[start - 3].folded in ("entre", "between", "de", "from"):
            # "entre julho e setembro de 2024", "between July and September 2024"
            first = months[q.words[start - 2].folded]
            if first < month:
                month, month_to, start = first, month, start - 3
        if month is None:  # "segundo semestre de 2022", "Q1 2023", "first half of 2024"
            for words, (first, last) in periods.items():
                k = span.start - len(words)
                while k > 0 and q.words[k + len(words) - 1].folded in ("de", "of", "do"):
                    k -= 1
                if k >= 0 and tuple(w.folded for w in q.words[k:k + len(words)]) == words:
                    month, month_to, start = first, last, k
                    break
        side, end = None, span.end
        if month is None:
            side, start, end = _year_side(q, c, start, end)
        q.dates.append(DateRef(int(value), month, Span(start, end), month_to, day,
                               day_to, side=side))
        for n in list(q.numbers):
            if start <= n[1].start < span.end or n == (value, span):
                q.numbers.remove(n)
        q.used.update(range(start, end))
    _read_yearless_months(q, months)


# Months said without a year are read only in full and after one of these, so "may",
# "mar", "set" and "out" stay words.
_MONTH_BEFORE = frozenset({"em", "in", "de", "of", "during", "durante", "no", "mes"})


def _read_yearless_months(q: Question, months: dict[str, int]) -> None:
    """"fazem aniversário em março", "hired in October": that month of any year."""
    for i, w in enumerate(q.words):
        if i in q.used or i == 0 or len(w.folded) < 4 or w.folded not in months or \
                q.words[i - 1].folded not in _MONTH_BEFORE or \
                (w.folded == "may" and q.words[i - 1].folded != "in") or \
                (i >= 2 and w.text[0].isupper() and q.words[i - 2].text[0].isupper()):
            continue  # "Rio de Janeiro" is a place
        q.dates.append(DateRef(None, months[w.folded], Span(i, i + 1)))
        q.used.add(i)


def _read_weekdays(q: Question, c: dict[str, Any]) -> None:
    """"em sábado ou domingo", "on weekends": days of the week, together in one list."""
    days: list[int] = []
    first = None
    for phrase in _phrases(list(c["weekdays"])):
        for i in range(len(q.words)):
            if i not in q.used and _match(q.words, i, phrase) and not (
                    i >= 2 and q.words[i - 1].text[0].isupper()) and (
                    i == 0 or q.words[i - 1].folded != "black"):  # "Black Friday": a name
                days += c["weekdays"][" ".join(phrase)]
                first = i if first is None else min(first, i)
                q.used.update(range(i, i + len(phrase)))
    if days and first is not None:
        q.weekdays.append((sorted(set(days)), Span(first, first + 1)))


def _year_side(q: Question, c: dict[str, Any], start: int, end: int) -> tuple[str | None, int, int]:
    """The comparison a year is read with and the span it takes: "depois de 2020" ('>'),
    "2016 or after", "a partir de 2016" ('>='), "before 2015" ('<'), "até 2015" ('<=')."""
    for op, phrases in c["year_sides"]["before"].items():
        for phrase in _phrases(phrases):
            k = start - len(phrase)
            if k >= 0 and _match(q.words, k, phrase):
                return op, k, end
    for op, phrases in c["year_sides"]["after"].items():
        for phrase in _phrases(phrases):
            if _match(q.words, end, phrase):
                return op, start, end + len(phrase)
    return None, start, end


def _day_before(q: Question, month_at: int) -> int:
    """How many words before the month its day stands: 2 in "15 de março", 1 in
    "15 March", 0 when no day is said."""
    for back in (2, 1):
        k = month_at - back
        if k >= 0 and 1 <= (q.words[k].number or 0) <= 31 and q.words[k].number == int(
                q.words[k].number or 0) and (back == 1 or q.words[k + 1].folded == "de"):
            return back
    return 0


_UNITS = ("%", "reais", "real", "dias", "days", "dollars")


def _read_range(q: Question) -> None:
    """"entre 100 e 200 reais", "between 10 and 20 days": two comparisons (>= and <=)
    that share the words before them, which name what is compared."""
    for (low, a), (high, b) in _number_pairs(q, ("entre", "between"), ("e", "and", "a")):
        if (low, a) not in q.numbers or low > high:
            continue
        said = low
        if b.end - b.start > 1 and a.end - a.start == 1 and low * 1000 <= high:
            # "entre 8 e 10 mil": the multiplier said after the second holds for both
            said = high / (q.words[b.start].number or high) * low
        end = b.end
        while end < len(q.words) and q.words[end].folded in _UNITS:
            end += 1
        span = Span(a.start - 1, end)
        text = " ".join(w.text for w in q.words[span.start:span.end])
        q.comparisons += [Comparison(">=", said, span, text), Comparison("<=", high, span, text)]
        q.numbers.remove((low, a))
        q.numbers.remove((high, b))
        q.used.update(range(span.start, span.end))


def _read_comparisons(q: Question, c: dict[str, Any]) -> None:
    _read_range(q)
    table = c["compare"]
    for value, span in list(q.numbers):
        op, start, end = None, span.start, span.end
        for symbol, entries in table.items():
            if symbol == "suffix":
                continue
            for phrase in _phrases(entries):
                k = span.start - len(phrase)
                if k >= 0 and _match(q.words, k, phrase):
                    op, start = symbol, k
                    break
            if op:
                break
        unit = end
        while unit < len(q.words) and q.words[unit].folded in _UNITS:
            unit += 1
        later = range(0)  # "500 units or more": the suffix after the number's noun
        for symbol, entries in table["suffix"].items():
            for phrase in _phrases(entries):
                if _match(q.words, unit, phrase):
                    op, end = symbol, unit + len(phrase)
                elif op is None and unit < len(q.words) and q.words[unit].folded.isalpha() \
                        and _match(q.words, unit + 1, phrase):
                    op, later = symbol, range(unit + 1, unit + 1 + len(phrase))
        if op is None:
            continue
        q.used.update(later)
        percent = q.words[span.start].text.endswith("%") or any(
            w.folded in ("%", "percent", "por cento", "porcento")
            for w in q.words[span.end:unit + 1])
        of, factor = _percent_of(q, max(end, unit), value, c) if percent else (None, None)
        q.comparisons.append(Comparison(op, value, Span(start, max(end, unit)),
                                        " ".join(w.text for w in q.words[start:end]),
                                        percent, of, factor))
        q.numbers.remove((value, span))
        q.used.update(range(start, max(end, unit)))


def _read_versus_average(q: Question, c: dict[str, Any]) -> None:
    """"acima da média", "above the average": a number compared with its own average
    (cue list `versus_average`); the words before it name the number."""
    for op, entries in c["versus_average"].items():
        while (span := find_cue(q.words, entries, q.used)) is not None:
            q.comparisons.append(Comparison(op, 0.0, span, " ".join(
                w.text for w in q.words[span.start:span.end]), average=True))
            q.used.update(range(span.start, span.end))


def _read_versus(q: Question, c: dict[str, Any]) -> None:
    """"desconto maior que o frete": a comparison of two columns, the words after the
    cue naming the other one (cue list `versus`; no number follows)."""
    for op, entries in c["versus"].items():
        for phrase in _phrases(entries):
            for k in range(len(q.words) - len(phrase)):
                end = k + len(phrase)
                if any(i in q.used for i in range(k, end)) or not _match(q.words, k, phrase) \
                        or q.words[end].number is not None or (
                            k and q.words[k - 1].folded in DAYS):
                    continue  # "dias depois da emissão" counts days: arithmetic
                q.comparisons.append(Comparison(op, 0.0, Span(k, end), " ".join(
                    w.text for w in q.words[k:end]), of=Span(end, min(end + 3, len(q.words))),
                    versus=True))
                q.used.update(range(k, end))


def _percent_of(q: Question, at: int, value: float,
                c: dict[str, Any]) -> tuple[Span | None, float | None]:
    """After "N %" at `at`: the words of the column it is a share of, and the factor
    ("of the goods value": N/100; "above the base salary": 1 + N/100)."""
    for relation, sign in (("above", 1), ("below", -1), ("of", 0)):
        for phrase in _phrases(c["percent_of"][relation]):
            if not _match(q.words, at, phrase):
                continue
            start = end = at + len(phrase)
            while end < len(q.words) and end - start < 5 and q.words[end].folded.isalnum() \
                    and q.words[end].number is None:
                end += 1
            if end == start:
                return None, None
            factor = value / 100 if sign == 0 else 1 + sign * value / 100
            q.used.update(range(at, start))
            return Span(start, end), round(factor, 6)
    return None, None


def _read_overdue(q: Question, c: dict[str, Any]) -> Span | None:
    """The words of an overdue state ("vencidos", "em atraso"), the cue consumed; not
    after a number of days ("60 days late" says how late)."""
    cue = find_cue(q.words, c["overdue"], q.used)
    if cue is None or DAYS & set(q.folded(Span(max(cue.start - 2, 0), cue.start))):
        return None
    if set(c["charges"]) & set(q.folded(Span(cue.end, cue.end + 2))):
        return None  # "late-payment interest": a charge, not what is still unpaid
    q.used.update(range(cue.start, cue.end))
    return cue


def _read_named(q: Question, c: dict[str, Any]) -> Span | None:
    """The capitalised words after a naming cue ("called Ana Souza"), the cue consumed."""
    cue = find_cue(q.words, c["named"], q.used)
    if cue is None:
        return None
    end = cue.end
    while end < len(q.words) and end - cue.end < 4 and q.words[end].text[:1].isupper():
        end += 1
    if end == cue.end:
        return None
    q.used.update(range(cue.start, cue.end))
    return Span(cue.end, end)


def _read_starts(q: Question, c: dict[str, Any]) -> Span | None:
    """The words after "start with"/"começam com" up to a joining word or punctuation (at
    most three), cue and words consumed: they begin a stored name, whatever their case."""
    cue = find_cue(q.words, c["starts"], q.used)
    if cue is None:
        return None
    end = cue.end
    while (end < len(q.words) and end - cue.end < 3 and q.words[end].folded.isalnum()
           and q.words[end].folded not in c["starts_stop"]):
        end += 1
    if end == cue.end:
        return None
    q.used.update(range(cue.start, end))
    return Span(cue.end, end)


_TOP_ARTICLES = frozenset({"os", "as", "the", "our", "nossos", "nossas", "top", "which", "what",
                           "quais"})


def _read_sizes(q: Question, c: dict[str, Any]) -> None:
    """"cabo de 2,5 mm", "1000-liter tanks", "3/4-inch valves", "porcelanato 60x60": a
    number with a unit of size (or another number after "x" or "/") is a size, found in
    product names; it counts nothing and pins no row."""
    units = {fold(str(w)): unit for unit, said in c["sizes"].items() for w in said}
    numbers = {span.start: (value, span) for value, span in q.numbers}
    words, i = q.words, 0
    while i < len(words):
        stuck = _STUCK_SIZE.fullmatch(words[i].folded)
        if stuck and units.get(stuck[2]) is not None and i not in q.used:
            # "6mm", "220v": written stuck together already (and left to the other
            # readings: it may be a stored code as well)
            q.sizes.append(Size(stuck[1], units[stuck[2]], Span(i, i + 1)))
        if i not in numbers:
            i += 1
            continue
        parts, end = [_size_number(numbers[i][0])], numbers[i][1].end
        while end + 1 < len(words) and words[end].folded in ("x", "/") and end + 1 in numbers:
            parts += [words[end].folded, _size_number(numbers[end + 1][0])]
            end = numbers[end + 1][1].end
        at = end + 1 if end < len(words) and words[end].folded == "-" else end
        unit = units.get(words[at].folded) if at < len(words) else None
        if unit is None and len(parts) == 1:
            i = end
            continue
        end = at + 1 if unit is not None else end
        after = find_cue(words, c["size_after"], start=end)
        if after is not None and after.start == end:
            end = after.end
        q.sizes.append(Size("".join(parts), unit or "", Span(i, end)))
        q.numbers = [n for n in q.numbers if not i <= n[1].start < end]
        q.used.update(range(i, end))
        i = end


_STUCK_SIZE = re.compile(r"(\d+(?:,\d+)?)([^\W\d_]+)")


def _read_either(q: Question) -> None:
    """"active or not", "ativos ou não", "ativos e inativos", "active or inactive":
    both states, so neither filters the rows; the words are consumed."""
    words = q.words
    for i in range(1, len(words) - 1):
        state, other = words[i - 1].folded, words[i + 1].folded
        # "em dinheiro e não no boleto" contrasts two things: not either
        contrast = words[i].folded in ("and", "e") and i + 2 < len(words) and \
            words[i + 2].folded.isalpha()
        if words[i].folded in ("or", "ou", "and", "e") and state.isalpha() and (
                (other in ("not", "nao") and not contrast) or
                other in {p + state for p in ("in", "i", "un", "des", "dis")}):
            q.used.update(range(i - 1, i + 2))


def _size_number(value: float) -> str:
    # product names write decimals with a comma ('2,5MM')
    return f"{value:g}".replace(".", ",")


def _read_top(q: Question, c: dict[str, Any]) -> None:
    found = {desc: find_cue(q.words, c["top"][key], q.used)
             for desc, key in ((True, "desc"), (False, "asc"))}
    up, down = found[True], found[False]
    order = (True, False)
    if up and down and down.start <= up.start and down.end >= up.end:
        order = (False, True)  # "há mais tempo" holds "mais": the longer cue says it
    for desc in order:
        span = found[desc]
        if span is None:
            continue
        n = 1
        # "the 5 biggest", "os 5 pedidos ... que tiveram o maior desconto": near the
        # superlative, or right after the article that opens the question
        near = [(v, s) for v, s in q.numbers if (-8 <= s.start - span.start <= 4 or (
            s.start <= 3 and s.start < span.start and s.start >= 1 and
            q.words[s.start - 1].folded in _TOP_ARTICLES)) and v == int(v) and 1 <= v <= 1000]
        near.sort(key=lambda n: abs(n[1].start - span.start))
        if near:
            n = int(near[0][0])
            q.numbers.remove(near[0])
            q.used.update(range(near[0][1].start, near[0][1].end))
        elif any(w.folded in ("os", "as", "the") for w in q.words[max(0, span.start - 2):
                                                                    span.start]) \
                and q.words[span.start].folded.endswith("s"):
            n = 10  # "os maiores clientes": a plural asks for a list
        q.top, q.top_span = (n, desc), span
        q.used.update(range(span.start, span.end))
        return


def _read_catalog(q: Question, c: dict[str, Any]) -> None:
    """"which paint rollers do we sell?", "how many circular saws do we carry?": with no
    period, no ranking and no customers, the words say what is in the catalog, not what
    was sold (nor a carrier): they are consumed."""
    cue = find_cue(q.words, c["catalog"], q.used)
    if cue is not None and q.top is None and not q.dates and \
            not any(w.folded in c["customers"] for w in q.words):  # "customers we sell X to"
        q.used.update(range(cue.start, cue.end))


def _read_share(q: Question, c: dict[str, Any]) -> None:
    """ "what percentage of X ...": the cue, and up to five words after it (to punctuation
    or a number) that name the whole."""
    cue = find_cue(q.words, c["share"], q.used)
    if cue is None:
        return
    # "qual", "what" stay free: the list cue reads them when no part is named after all
    q.used.update(i for i in range(cue.start, cue.end) if q.words[i].folded not in c["list"])
    ends = {*c["subject_ends"], *c["share_ends"]}
    end = cue.end
    while end < len(q.words) and ((end not in q.used and q.words[end].number is None) or
                                  _year_before_noun(q, end)) and \
            q.words[end].folded.isalnum() and q.words[end].folded not in ends and \
            end - cue.end < 5:
        end += 1
    # "... entrou via pix": the verb saying the part names nothing (not a login)
    verb = next((i for i in range(cue.end, min(cue.end + 9, len(q.words)))
                 if q.words[i].folded in c["share_ends"]), None)
    if verb is not None:
        q.used.add(verb)
    q.share, q.share_whole = cue, Span(cue.end, end)


def _year_before_noun(q: Question, at: int) -> bool:
    """"of our 2023 sales": a year said before the noun it dates, inside a phrase."""
    number = q.words[at].number
    return number is not None and 1990 <= number <= 2100 and at + 1 < len(q.words) and \
        q.words[at + 1].folded.isalpha()


_UNITS_OF_MEASURE = [["unidades", "de", "medida"], ["units", "of", "measure"],
                     ["units", "of", "measurement"]]


def _compared_after(q: Question, span: Span) -> bool:
    """"how many products have an average cost above 500": the average names the column
    compared (a comparison starts within two words after it), not what is asked."""
    return any(span.end <= c.span.start <= span.end + 2 for c in q.comparisons)


def _read_aggregate(q: Question, c: dict[str, Any]) -> None:
    best: tuple[int, str, Span] | None = None
    for agg, entries in c["aggregates"].items():
        span = find_cue(q.words, entries, q.used)
        # "phone number of", "order number of": a name, not "the number of ..."
        if span is not None and agg == "COUNT" and q.words[span.start].folded in (
                "numero", "number") and span.start > 0 and \
                q.words[span.start - 1].folded.isalpha() and \
                q.words[span.start - 1].folded not in filler():
            span = None
        if span is not None and agg == "SUM" and [w.folded for w in q.words[
                span.end - 1:span.end + 2]] in _UNITS_OF_MEASURE:
            span = None  # "quantas unidades de medida": a count of the units themselves
        if span is not None and (best is None or span.start < best[0] or
                                 (agg == "AVG" and best[1] == "COUNT" and
                                  not _compared_after(q, span)) or
                                 (agg == "AVG" and best[1] == "SUM" and
                                  span.start == best[2].end) or
                                 (span.start == best[0] and span.end > best[2].end)):
            # "how many units": the longer cue (a sum of units, not a count of rows);
            # "how many days ..., on average": the average of a number of days; "qual o
            # valor médio": the average the sum's cue is followed by
            best = (span.start, agg, span)
    if best is None:
        return
    q.aggregate, q.aggregate_span = best[1], best[2]
    q.used.update(range(best[2].start, best[2].end))
    for entries in c["aggregates"].values():  # "em média, quantos dias": both are cues
        span = find_cue(q.words, entries, q.used)
        if span is not None and not (q.words[span.start].folded in ("numero", "number")
                                     and span.start > 0):
            q.used.update(range(span.start, span.end))


_PARTICIPLE = re.compile(r"(?:ad|id|it|eit)[oa]s?$|(?:ed|en)$")


def _spans_after(q: Question, entries: list[str], *, passive: bool = False,
                 idioms: list[str] | None = None) -> list[Span]:
    """For each place a cue of `entries` is said: the words after it up to the next cue,
    punctuation or number (what is grouped by, what is missing). With `passive`, a cue
    right after a participle and before a plural ("feitos por clientes", "taken by
    customers") says who did it, not a group ("vencidos por cliente" is one). A cue
    opening one of `idioms` ("por conta do cliente") is no cue."""
    spans, i = [], 0
    phrases = _phrases(idioms or [])
    while True:
        cue = find_cue(q.words, entries, q.used, i)
        if cue is None:
            return spans
        if any(_match(q.words, cue.start, p) for p in phrases):
            i = cue.end
            continue
        after = q.words[cue.end].folded if cue.end < len(q.words) else ""
        if passive and cue.start > 0 and _PARTICIPLE.search(q.words[cue.start - 1].folded) \
                and after.endswith("s"):
            i = cue.end
            continue
        end = cue.end
        nxt = find_cue(q.words, entries, q.used, cue.end)  # "nunca ... nenhum pedido"
        stop = nxt.start if nxt is not None else len(q.words)
        while end < stop and end not in q.used and q.words[end].number is None \
                and q.words[end].folded.isalnum() and end - cue.end < 4:
            end += 1
        q.used.update(range(cue.start, cue.end))
        while end > cue.end and q.words[end - 1].folded in filler():
            end -= 1  # "por estado em junho": the group is "estado"
        if end > cue.end:
            spans.append(Span(cue.end, end))
        i = cue.end


def _read_present(q: Question, c: dict[str, Any]) -> list[Span]:
    """What must be filled in: the words after "tem alguma", "with any", and the one or two
    before "preenchido", "filled in" ("observação anotada"), unless a missing cue took
    them ("sem e-mail informado")."""
    taken = {i for s in q.missing_spans for i in range(s.start, s.end)}
    spans = []
    i = 0
    while (cue := find_cue(q.words, c["filled"], q.used, i)) is not None:
        q.used.update(range(cue.start, cue.end))  # "filled in" itself names nothing
        start = cue.start
        while start > 0 and cue.start - start < 2 and start - 1 not in q.used and \
                q.words[start - 1].folded.isalpha() and q.words[start - 1].folded not in filler():
            start -= 1
        if start < cue.start and not taken & set(range(start, cue.start)):
            spans.append(Span(start, cue.start))
        i = cue.end
    return spans + [s for s in _spans_after(q, c["present"]) if s.start not in taken]


def _cue_spans(q: Question, entries: list[str], width: int = 5) -> list[Span]:
    """Each cue of `entries` with up to `width` words after it (fillers aside: "counting
    the ones who already left"), up to punctuation ("not counting the dismissed ones");
    the cue words are not consumed (arithmetic reads "excluding" too)."""
    spans, i = [], 0
    while (cue := find_cue(q.words, entries, q.used, i)) is not None:
        end, said = cue.end, 0
        while end < len(q.words) and q.words[end].folded.isalnum() and said < width:
            said += q.words[end].folded not in filler()
            end += 1
        spans.append(Span(cue.start, end))  # the cue with the words it governs
        i = cue.end
    return spans


def _with_gloss(q: Question, span: Span) -> Span:
    """`span` and the parenthesis right after it: "the electrical (elétrica)"."""
    end = span.end
    if end < len(q.words) and q.words[end].text == "(":
        close = next((i for i in range(end, min(end + 6, len(q.words)))
                      if q.words[i].text == ")"), None)
        if close is not None:
            return Span(span.start, close + 1)
    return span


def says_money(q: Question) -> bool:
    """Whether the question says an amount of money ("faturamento", "revenue"; cue list
    `money`), which asks for a sum of a money column."""
    return any(w.folded in cues()["money"] for w in q.words)


def sales_words(q: Question) -> list[int]:
    """The words saying the question is about what was sold: the `sales` cues, and what
    customers bought ("quais clientes compraram porcelanato")."""
    c = cues()
    words = set(c["sales"])
    us = find_cue(q.words, c["from_us"])  # "a Empreiteira Ramos comprou com a gente"
    if us is not None or any(q.words[i].folded in c["customers"] for i in q.content()):
        words |= set(c["bought_by_customers"])
    return [i for i in q.content() if q.words[i].folded in words]
