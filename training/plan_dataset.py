"""Question -> plan-choice examples: what the schema adapter learns so that, in the agent,
it picks the right plan among the linker's (or fills the best one's open slots).

    examples, drops = plan_examples(doc, questions, linker, hits, run)

For each question with a gold plan (`plan_questions.py`, and the golden plans people
confirmed in feedback), the linker proposes its ranked plans as it would in the agent,
and the example is the choice the agent would put to the model
(`agent/plans/choose.py`): the same messages (a pick's options in a shuffled order),
the same JSON Schema, and as the answer the JSON that names the plan whose rows are the
gold plan's (run by the engine, read only). A question none of whose plans gives the
gold rows, nor can be written from the pieces of its best plan's table, teaches nothing
about choosing: it is dropped, and counted.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from schemachat.agent.feedback import GoldenExample
from schemachat.agent.graph.nodes.plan import fits
from schemachat.agent.models.formats import message_text, role_of
from schemachat.agent.plans.choose import OPTIONS, Choice, fill_choice, pick_choice
from schemachat.agent.plans.choose_pieces import Pieces
from schemachat.agent.plans.compile import PlanError, compile_plan
from schemachat.agent.plans.plan import QueryPlan
from schemachat.agent.plans.propose import Candidate, Linker
from schemachat.agent.plans.question import read_question
from schemachat.configs import BadInput, Settings
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.training.dataset import Runner, normalise_rows
from schemachat.training.plan_questions import GoldQuestion, plan_questions

PLANS_EVAL = "plans_eval.jsonl"  # the held-out plan benchmark's questions
Hits = Callable[[str], list[str]]  # question -> retrieval's tables, best first


@dataclass
class PlanExample:
    """One choice the agent would ask the model, with the answer naming the gold plan."""

    question: str
    lang: str
    mode: str  # "pick" | "fill"
    prompt: list[dict[str, str]]  # the messages, as the agent sends them
    schema: dict[str, Any]
    answer: str  # the JSON naming the gold plan's option (or its pieces)
    plan: dict[str, Any]  # the gold plan
    tables: list[str]
    source: str = "document"  # "document" | "golden"
    question_kind: str = ""
    kind: str = "plan"
    context: str = ""  # what the model reads: the question and its options
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)

    def record(self, fingerprint: str) -> dict[str, Any]:
        """The JSON line of a dataset split (`messages` as the trainer renders them)."""
        data = asdict(self)
        data["messages"] = [*self.prompt, {"role": "assistant", "content": self.answer}]
        data["fingerprint"] = fingerprint
        return data


def golden_questions(golden: Iterable[GoldenExample]) -> list[GoldQuestion]:
    """The golden pairs that came with a plan (a ✓ on a plan's answer), as questions."""
    out = []
    for g in golden:
        if g.plan is None:
            continue
        try:
            plan = QueryPlan.model_validate(g.plan)
        except ValueError:
            continue  # written for another version of the plan
        lang = read_question(g.question).lang
        out.append(GoldQuestion(g.question.strip(), lang, plan, "golden", source="golden"))
    return out


def plan_examples(doc: CombinedSchema, questions: Sequence[GoldQuestion], linker: Linker,
                  hits: Hits, run: Runner, *, seed: int = 0,
                  ) -> tuple[list[PlanExample], list[str]]:
    """(examples, drop reasons) for `questions` (see the module docstring). A pick's
    options are listed in a seeded random order, not the ranking's: in the ranking's
    order the best-ranked option is the answer nine times in ten, and a model trained on
    that learns the position, not the question (the agent lists them best first)."""
    rng = random.Random(seed)
    examples: list[PlanExample] = []
    dropped: list[str] = []
    run = _cached(run)  # plans recur across questions (the count of a table, say)
    for gold in questions:
        try:
            columns, rows = run(compile_plan(gold.plan, doc))
        except BadInput as exc:  # PlanError too: the compiler refused the gold plan
            dropped.append(f"{gold.question}: gold plan refused: {exc}")
            continue
        if not rows:
            dropped.append(f"{gold.question}: the gold plan returns no rows")
            continue
        q = read_question(gold.question)
        cands = [c for c in linker.propose(q, hits(gold.question)) if _compiles(c.plan, doc)]
        choice, answer = _choice(doc, q, cands, gold, rows, run, rng)
        if choice is None or not answer:
            dropped.append(f"{gold.question}: no plan of the linker gives the gold rows")
            continue
        prompt = [{"role": role_of(m), "content": message_text(m)} for m in choice.messages]
        examples.append(PlanExample(
            question=gold.question, lang=gold.lang, mode=choice.mode, prompt=prompt,
            context=prompt[-1]["content"],
            schema=choice.schema, answer=answer, plan=gold.plan.model_dump(mode="json"),
            tables=gold.plan.tables(), source=gold.source, question_kind=gold.kind,
            columns=columns, rows=rows[:20]))
    return examples, dropped


def _choice(doc: CombinedSchema, q: Any, cands: list[Candidate], gold: GoldQuestion,
            rows: list[list[Any]], run: Runner,
            rng: random.Random) -> tuple[Choice | None, str]:
    """The choice the agent would put for `q` (its options shuffled) and the answer
    naming the gold plan."""
    options = [c for c in cands if fits(c, q)][:OPTIONS]
    if len(options) >= 2:
        rng.shuffle(options)
        choice = pick_choice(options, q, doc)
        gold_sql = compile_plan(gold.plan, doc)
        for cand in options:
            sql = compile_plan(cand.plan, doc)
            if sql == gold_sql or rows_match(_rows(run, sql), rows):
                return choice, choice.answer_for(cand)
        return None, ""
    best = options[0] if options else (cands[0] if cands else None)
    if best is None or best.plan.table != gold.plan.table:
        return None, ""
    choice = fill_choice(best, Pieces.of([c.plan for c in cands] + [gold.plan]), q)
    return choice, choice.answer_for(Candidate(gold.plan, score=best.score))


def _cached(run: Runner) -> Runner:
    """`run`, remembering each statement's result (or refusal) for the dataset's build."""
    seen: dict[str, tuple[list[str], list[list[Any]]] | BadInput] = {}

    def cached(sql: str) -> tuple[list[str], list[list[Any]]]:
        if sql not in seen:
            try:
                seen[sql] = run(sql)
            except BadInput as exc:
                seen[sql] = exc
        found = seen[sql]
        if isinstance(found, BadInput):
            raise found
        return found

    return cached


def _rows(run: Runner, sql: str) -> list[list[Any]] | None:
    try:
        return run(sql)[1]
    except BadInput:
        return None


def _compiles(plan: QueryPlan, doc: CombinedSchema) -> bool:
    try:
        compile_plan(plan, doc)
    except PlanError:
        return False
    return True


def rows_match(result: list[list[Any]] | None, gold: list[list[Any]]) -> bool:
    """Whether `result` answers like `gold`: as many rows, and every gold column comes
    back whole (same values, any order) among the result's columns (extra columns are
    fine), as the agent benchmark judges. An empty gold decides nothing."""
    if result is None or not gold or len(result) != len(gold):
        return False

    def columns(rows: list[list[Any]]) -> list[list[str]]:
        norm = normalise_rows(rows)
        return [sorted(json.dumps(r[i], sort_keys=True) for r in norm)
                for i in range(len(norm[0]))]

    got = columns(result)
    return all(col in got for col in columns(gold))


def write_plans_eval(folder: Path, examples: Sequence[PlanExample], fingerprint: str) -> None:
    """The held-out plan benchmark's questions (`plans_eval.jsonl`)."""
    with open(folder / PLANS_EVAL, "w", encoding="utf-8") as fh:
        for ex in examples:
            fh.write(json.dumps(ex.record(fingerprint), ensure_ascii=False) + "\n")


def plan_split(settings: Settings, doc: CombinedSchema, golden: Sequence[GoldenExample],
               held: set[str], run: Runner, *, seed: int = 0, use_index: bool = True,
               ) -> tuple[list[PlanExample], list[PlanExample], list[str]]:
    """(train, held-out, drop reasons): the plan examples of the document's questions
    and the golden plans, split like the rest of the dataset (an example whose gold plan
    touches a held-out table is held out)."""
    from schemachat.ingest.models.values import TextValues
    from schemachat.ingest.workspace import Workspace, read_optional

    ws = Workspace(settings.workspace)
    values = read_optional(ws.values, TextValues)
    linker = Linker.of(doc, values)
    questions = list(plan_questions(doc, values, seed=seed)) + golden_questions(golden)
    examples, dropped = plan_examples(doc, questions, linker, _hits(settings, use_index), run,
                                      seed=seed)
    train = [ex for ex in examples if not held.intersection(ex.tables)]
    evals = [ex for ex in examples if held.intersection(ex.tables)]
    return train, evals, dropped


def _hits(settings: Settings, use_index: bool) -> Hits:
    """Retrieval's tables for a question, as the agent gets them (none without an
    index: the linker then goes by the tables the question's words name)."""
    if use_index:
        from schemachat.agent.retrieval import SchemaIndex

        try:
            index = SchemaIndex.open(settings)
        except BadInput:  # no index, or a stale one
            index = None
        if index is not None:
            k = settings.retrieval_k
            return lambda text: list(index.search(text, k).tables)
    return lambda text: []
