"""plan: answer a data question with a query plan built from the document and the
engine, no model needed (`schemachat.agent.plans`).

A golden plan (a person confirmed it for the same question) is tried first, then the
linker's ranked plans. Each is compiled, and goes through the one validate step
(prepared by Firebird, and run read-only when the turn runs SQL); a plan that fails,
or returns nothing where the question expects rows, loses. The first that stands
answers, stated in words in the question's language. When none fits well enough, the
turn goes on to a model's draft, or (model_backend none) says which words it could not
map, and returns no table: an unrelated table would be the worst answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from firebird.driver import DatabaseError
from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from schemachat.agent.answer import Citation
from schemachat.agent.context import AgentContext
from schemachat.agent.feedback import read_golden
from schemachat.agent.graph.nodes.validate import verdict_state
from schemachat.agent.graph.state import AgentState
from schemachat.agent.plans.choose import stash
from schemachat.agent.plans.compile import PlanError, compile_plan
from schemachat.agent.plans.describe import describe
from schemachat.agent.plans.plan import QueryPlan
from schemachat.agent.plans.propose import Candidate
from schemachat.agent.plans.question import Question, read_question
from schemachat.agent.plans.unlisted import unlisted_names, written_codes
from schemachat.agent.sql.check import Verdict, validate
from schemachat.agent.sql.lookup import values_holding
from schemachat.ingest.firebird import DatabaseUnavailable
from schemachat.ingest.vocabulary import fold, vocabulary

log = logging.getLogger(__name__)
TRIED = 4  # plans compiled and checked per turn at most
NEAR = 0.85  # word overlap at which an earlier confirmed question counts as the same
SHARE = 0.5  # of the content words, at most this share may stay unplaced


def golden_plans(ctx: AgentContext, q: Question) -> list[Candidate]:
    """Plans a person confirmed (✓) for this question or a near repeat of it."""
    words = _words(q.text)
    out = []
    for golden in reversed(read_golden(ctx.settings.workspace)):
        if golden.plan is None:
            continue
        theirs = _words(golden.question)
        if not words or not theirs or len(words & theirs) / len(words | theirs) < NEAR:
            continue
        try:
            plan = QueryPlan.model_validate(golden.plan)
        except ValueError:
            continue  # written for another version of the plan
        out.append(Candidate(plan, score=100.0, expects_rows=False))
    return out


def _words(text: str) -> set[str]:
    return {w for w in fold(text).replace("?", " ").split() if w.isalnum()}


def fits(cand: Candidate, q: Question) -> bool:
    """Whether a plan explains enough of the question to answer it: at most half of its
    content words left unplaced, not counting common words ("rather", "than"). Scores
    only rank plans; this says whether the best one answers at all."""
    if cand.score >= 100.0:
        return True
    stop = vocabulary().stopwords
    content = [i for i in q.content() if q.words[i].folded not in stop]
    unmapped = [w for w in cand.unmapped if fold(w) not in stop]
    return len(unmapped) <= max(1, int(len(content) * SHARE))


def plan_sql(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Set `plan`, `sql`, the check and rows of the best plan that stands; or
    `unmapped` when none fits."""
    ctx = runtime.context
    q = read_question(state["question"])
    get_stream_writer()({"status": "building query plans"})
    hits = [h["name"] for h in state.get("hits") or []]
    look_up_codes(ctx, q)
    look_up_names(ctx, q)
    candidates = golden_plans(ctx, q) + ctx.linker().propose(q, hits)
    run = bool(state.get("run")) and ctx.has_database
    stashed = stash(candidates)
    chosen: Tried | None = None
    empty: Tried | None = None
    for cand in [c for c in candidates if fits(c, q)][:TRIED]:
        tried = try_candidate(cand, ctx, run)
        if tried is None:
            continue
        if tried.suspect:
            empty = empty or tried
            continue
        chosen = tried
        break
    chosen = chosen or empty
    if chosen is None:
        unmapped = candidates[0].unmapped if candidates else \
            [q.words[i].text for i in q.content()]
        return AgentState(plan=None, unmapped=unmapped, candidates=stashed, chosen_by=None)
    out = plan_state(chosen, q, ctx)
    out.update(candidates=stashed,
               chosen_by="golden" if chosen.cand.score >= 100.0 else "ranking")
    return out


def look_up_names(ctx: AgentContext, q: Question) -> None:
    """Names in `q` the value index had no room for ("Serralheria Mineira", one customer
    of thousands), read from the columns the cap cut and added to the index; each name
    once. Best effort: a database error leaves the index as it was."""
    values = ctx.linker().values
    # no capitalised run at all (most questions): no need to link the values twice
    if not values.unlisted or not ctx.has_database or not unlisted_names(q, set()):
        return
    # a name held in part by another column ('SERRALHERIA MINEIRA' of a supplier) may
    # still be a customer's: only whole values and codes take the words
    taken = {i for link in values.find(q) if link.op != "CONTAINING"
             for i in range(link.span.start, link.span.end)}
    names = [n for n in unlisted_names(q, taken) if tuple(n) not in values.asked]
    _look_up(ctx, names, values.unlisted)


def look_up_codes(ctx: AgentContext, q: Question) -> None:
    """Codes `q` writes ("the payable NF 55751-1") that no indexed value is, read from
    the code columns the cap cut and added to the index; each code once."""
    values = ctx.linker().values
    if not values.unlisted_codes or not ctx.has_database:
        return
    codes = [[c] for c in written_codes(q.text)
             if c.upper() not in values.codes and (c,) not in values.asked]
    _look_up(ctx, codes, values.unlisted_codes)


def _look_up(ctx: AgentContext, searches: list[list[str]],
             columns: list[tuple[str, str]]) -> None:
    """The stored values of `columns` holding each of `searches` (its words), learned
    by the value index; each search once. Best effort: a database error leaves the
    index as it was."""
    if not searches:
        return
    values = ctx.linker().values
    try:
        with ctx.database() as con:
            for words in searches:
                for table, column in columns:
                    values.learn(table, column, values_holding(
                        con, table, column, words,
                        timeout_ms=ctx.settings.statement_timeout_ms))
                values.asked.add(tuple(words))
    except (DatabaseError, DatabaseUnavailable) as exc:
        log.warning("looking up %s in the database failed: %s", searches, exc)


@dataclass
class Tried:
    """A candidate compiled and checked (and run, when the turn runs SQL): its verdict,
    and whether its result says it read the question wrongly (`_suspect`)."""

    cand: Candidate
    verdict: Verdict
    sql: str
    suspect: bool = False


def try_candidate(cand: Candidate, ctx: AgentContext, run: bool) -> Tried | None:
    """Compile `cand`, take it through the one validate step (prepared, and run when
    `run`); None when the compiler refuses it or the engine rejects it."""
    try:
        sql = compile_plan(cand.plan, ctx.doc())
    except PlanError:
        return None
    verdict = validate(sql, ctx.doc(), ctx.settings, ctx.opener(), run=run, names=ctx.names())
    if verdict.error:
        return None
    suspect = run and verdict.result is not None and _suspect(cand, verdict)
    return Tried(cand, verdict, sql, suspect)


def plan_state(tried: Tried, q: Question, ctx: AgentContext) -> AgentState:
    """The state of a turn a plan answers: its SQL, check and rows, the plan in words
    and its value mappings cited."""
    cand, verdict = tried.cand, tried.verdict
    out = verdict_state(verdict, ctx)
    rows = out.get("rows") if verdict.result is not None else None
    text = describe(cand.plan, q.lang, rows=rows, run=verdict.result is not None)
    out.update(plan=cand.plan.model_dump(), plan_text=text, unmapped=cand.unmapped,
               attempts=1, citations=_citations(cand.plan, ctx) + out.get("citations", []))
    return out


def _suspect(cand: Candidate, verdict: Verdict) -> bool:
    """A result that says the plan read the question wrongly: no rows where rows are
    expected, or a count of 1 that only counts the row a name filter picked ("how many
    products of brand X" counted in the brands table)."""
    rows = verdict.result.rows if verdict.result is not None else []
    if cand.expects_rows and not rows:
        return True
    plan = cand.plan
    counting = len(plan.select) == 1 and plan.select[0].agg == "COUNT" and not plan.group_by
    named = any(f.op == "=" and f.expr.column.table == plan.table and f.meaning is None
                and isinstance(f.value, str) for f in plan.filters)
    return counting and named and rows == [(1,)]


def _citations(plan: QueryPlan, ctx: AgentContext) -> list[dict[str, str | None]]:
    """The value mappings a plan filters on, as citations."""
    aliases = plan.aliases()
    out = []
    for flt in plan.filters:
        if flt.meaning is None:
            continue
        table = aliases.get(flt.expr.column.table, flt.expr.column.table)
        value = flt.value if not isinstance(flt.value, list) else \
            ", ".join(str(v) for v in flt.value)
        out.append(Citation(table=table, column=flt.expr.column.column, value=str(value),
                            meaning=flt.meaning).model_dump())
    return out


def after_plan(state: AgentState, runtime: Runtime[AgentContext]) -> str:
    """choose when a model may choose among the plans (agent_choose); else respond when
    a plan answered (or no model can draft), else draft."""
    ctx = runtime.context
    if ctx.has_model and ctx.settings.agent_choose and state.get("candidates"):
        return "choose"
    if state.get("plan") is not None or not ctx.has_model:
        return "respond"
    return "draft"
