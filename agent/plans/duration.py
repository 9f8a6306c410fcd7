"""How long something lasted, when the question asks for a number of days and names no
two dates ("how many days did the Black Friday 2022 price list last?", "em média,
quantos dias os funcionários desligados ficaram na empresa?"): the base's end date minus
its start date (`DT_FIM - DT_INI`, `DT_DEM - DT_ADM`), or, when lateness is said ("how
many days late"), the day it was done minus its due date.

Which date starts and which ends is read from the names of the base's date columns and
the cue lists `durations.start` / `durations.end` (cues.yaml).
"""

from __future__ import annotations

from schemachat.agent.plans.columns import Columns
from schemachat.agent.plans.draft import Draft
from schemachat.agent.plans.plan import Col, Expr
from schemachat.agent.plans.question import DAYS, Question, cues
from schemachat.ingest.models.combined import CombinedColumn

LATE = frozenset(("atraso", "atrasado", "atrasados", "atrasada", "atrasadas", "late",
                  "delay", "overdue"))  # words of lateness after a number of days
_HOW_MANY = frozenset(("quantos", "quantas", "many"))


def days_asked(q: Question) -> bool:
    """Whether the question asks for a number of days ("quantos dias", "how many days")."""
    return any(w.folded in _HOW_MANY and i + 1 < len(q.words) and
               q.words[i + 1].folded in DAYS for i, w in enumerate(q.words))


def duration(cols: Columns, q: Question, d: Draft) -> Expr | None:
    """The base's end date minus its start date (see the module docstring); None when
    the base has no such pair."""
    if LATE & {w.folded for w in q.words}:
        start, end = cols.due_date(d), cols.done_date(d)
    else:
        start, end = _named(cols, d, "start"), _named(cols, d, "end")
    if start is None or end is None or start.name == end.name:
        return None
    d.claim({i for i, w in enumerate(q.words) if w.folded in DAYS | LATE})
    return Expr(column=Col(table=d.base, column=end.name), op="-",
                right=Col(table=d.base, column=start.name))


def _named(cols: Columns, d: Draft, side: str) -> CombinedColumn | None:
    return cols.dated(d, frozenset(cues()["durations"][side]))
