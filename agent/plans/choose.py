"""The model chooses among the linker's plans, under a JSON Schema that lets it name only
what the linker found.

    choice = choice_for(candidates, question, doc)     # None: nothing to choose
    reply = model.invoke(choice.messages, json_schema=choice.schema)
    cand = choice.read(reply.text)                     # a Candidate, or None

Two kinds of choice:

- **pick**: several plans fit the question and their scores are close (within `CLOSE`
  of the best: the ranking is unsure); the model picks one by its number, `{"pick": 2}`.
  The prompt lists each plan in words (the question's language) and as SQL, best
  ranked first. The node asks again with every option moved one place (`rotated_pick`)
  and the pick stands only when both answers name the same plan: the default 270M
  model picks by position (the second option, whatever it is), which this exposes.
- **fill**: no plan fits well enough, or the best one leaves words unplaced while other
  plans over its base table hold pieces it lacks; the model writes the plan from those
  pieces (`choose_pieces.py`): `{"table": "CAD_CLI", "select": ["COUNT(*)"], "filters":
  ["CAD_CLI.SITUACAO = 'A' (ativo)"], ...}`, every name an enum of labels, so a table,
  column, value or operator the linker did not find cannot be written.

The same schema goes to every backend: the local ones enforce it token by token
(agent/models/constrained.py), TGI as its `grammar`, OpenAI-compatible servers as
`response_format`; a server that refuses structured output answers free text, which
`read` parses and checks against the same enums. Whatever the model chooses is then
compiled, prepared and run like any candidate, and the ranking's best stands when it
fails (agent/graph/nodes/choose.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from schemachat.agent.plans.choose_pieces import Pieces
from schemachat.agent.plans.compile import PlanError, compile_plan
from schemachat.agent.plans.describe import describe
from schemachat.agent.plans.plan import QueryPlan
from schemachat.agent.plans.propose import Candidate
from schemachat.agent.plans.question import Question
from schemachat.ingest.models.combined import CombinedSchema

Mode = Literal["pick", "fill"]
OPTIONS = 4  # plans the model picks among at most
# How far below the best a plan's score may be for the model to be asked to choose: the
# ranking is unsure among these. On the tuning questions (bench/agent_questions.yaml) the
# best-ranked plan was wrong and another right mostly when the two were within 0.7;
# beyond about 1 the ranking was nearly always right, and a model picking there could
# only make it worse (the base model's picks follow the position, not the question).
CLOSE = 1.0
MAX_NEW_TOKENS = 256  # a filled plan's labels, most of them forced by the grammar
SYSTEM = {
    "pick": ("You choose the database query that answers the question. Each option is a "
             "query plan in words and in SQL. Reply with the number of the option that "
             'answers the question, as JSON: {"pick": N}.'),
    "fill": ("You write the query plan that answers the question, using only the pieces "
             "listed (select items, filters, groups, order, limit of one table). Reply "
             "with the plan as JSON."),
}
_JSON = re.compile(r"\{.*\}", re.DOTALL)


@dataclass
class Choice:
    """What the model is asked for one question: the messages, the JSON Schema its answer
    must follow, and how to read that answer back into a plan."""

    mode: Mode
    question: Question
    schema: dict[str, Any]
    messages: list[BaseMessage]
    options: list[Candidate] = field(default_factory=list)  # pick: in the listed order
    pieces: Pieces | None = None  # fill: what the plan is made of
    base: Candidate | None = None  # fill: the plan whose slots are filled

    def read(self, text: str) -> Candidate | None:
        """The candidate the model's answer names; None when it does not parse or names
        something the schema does not list (a server that ignored the schema)."""
        value = parse_json(text)
        if not isinstance(value, dict):
            return None
        if self.mode == "pick":
            pick = value.get("pick")
            if isinstance(pick, bool) or not isinstance(pick, int) or \
                    not 0 <= pick < len(self.options):
                return None
            return self.options[pick]
        assert self.pieces is not None and self.base is not None
        if not _admits(self.schema, value):
            return None
        plan = self.pieces.assemble(value)
        if plan is None:
            return None
        return Candidate(plan, score=self.base.score, explained=set(self.base.explained),
                         unmapped=list(self.base.unmapped), guesses=list(self.base.guesses),
                         expects_rows=self.base.expects_rows)

    def answer_for(self, cand: Candidate) -> str:
        """The answer (JSON text) that names `cand` in this choice: the training target
        when `cand` is the right plan. '' when the choice cannot name it."""
        if self.mode == "pick":
            keys = [c.plan.model_dump_json() for c in self.options]
            key = cand.plan.model_dump_json()
            return compact({"pick": keys.index(key)}) if key in keys else ""
        assert self.pieces is not None
        if cand.plan.table != self.pieces.table:
            return ""
        labels = self.pieces.labels(cand.plan)
        if not _admits(self.schema, labels) or self.pieces.assemble(labels) != cand.plan:
            return ""
        return compact(labels)


def compact(value: Any) -> str:
    """JSON without spaces, as the grammar writes it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def parse_json(text: str) -> Any:
    """The JSON object in a model's text (fenced or with words around it); None when
    there is none."""
    text = text.strip().removeprefix("```json").removeprefix("```").removesuffix("```")
    for candidate in (text, *(m.group(0) for m in _JSON.finditer(text))):
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    return None


def choice_for(candidates: Sequence[Candidate], q: Question, doc: CombinedSchema, *,
               fitting: Sequence[Candidate] | None = None) -> Choice | None:
    """The choice to put to the model for `q`, or None when there is nothing to choose.
    `candidates`: the ranked plans, best first; `fitting`: those that explain enough of
    the question to answer it (default: all)."""
    fit = list(candidates if fitting is None else fitting)
    options = [c for c in fit if _compiles(c.plan, doc)][:OPTIONS]
    options = [c for c in options if options[0].score - c.score <= CLOSE]
    if len(options) >= 2:
        return pick_choice(options, q, doc)
    best = options[0] if options else next(
        (c for c in candidates if _compiles(c.plan, doc)), None)
    if best is None:
        return None
    if best in options and not best.unmapped:
        return None  # the one plan that fits explains the whole question
    pieces = Pieces.of([best.plan, *(c.plan for c in candidates if c is not best)])
    if not _more(pieces, best.plan):
        return None  # no other plan over its table holds a piece it lacks
    return fill_choice(best, pieces, q)


def _more(pieces: Pieces, plan: QueryPlan) -> bool:
    """Whether `pieces` hold anything `plan` does not use."""
    used = pieces.labels(plan)
    return bool(set(pieces.select) - set(used["select"]) or
                set(pieces.filters) - set(used["filters"]) or
                set(pieces.group_by) - set(used["group_by"]) or
                set(pieces.related) - set(used["related"]) or
                set(pieces.order_by) - {used["order_by"]} or
                set(pieces.limits) - {used["limit"]})


def pick_choice(options: list[Candidate], q: Question, doc: CombinedSchema) -> Choice:
    """Pick one of `options` (2 or more, best first) by its number."""
    lines = [q.text.strip(), ""]
    for n, cand in enumerate(options):
        sql = " ".join(compile_plan(cand.plan, doc).split())
        lines.append(f"{n}: {describe(cand.plan, q.lang, run=False)}")
        lines.append(f"   SQL: {sql}")
    schema = {"type": "object", "properties": {"pick": {"enum": list(range(len(options)))}},
              "required": ["pick"], "additionalProperties": False}
    return Choice("pick", q, schema, _messages("pick", "\n".join(lines)), options=options)


def rotated_pick(choice: Choice, doc: CombinedSchema) -> Choice:
    """The same pick with every option moved up one place (the first last): a pick that
    follows the position rather than the plan names another plan here."""
    assert choice.mode == "pick"
    return pick_choice([*choice.options[1:], choice.options[0]], choice.question, doc)


def fill_choice(best: Candidate, pieces: Pieces, q: Question) -> Choice:
    """Write a plan over `best`'s table from `pieces`; the prompt shows `best` as the
    starting point and lists every piece."""
    lines = [q.text.strip(), "", f"table: {pieces.table}"]
    for name, labels in (("select", pieces.select), ("filters", pieces.filters),
                         ("group_by", pieces.group_by), ("related", pieces.related),
                         ("order_by", pieces.order_by)):
        if labels:
            lines.append(f"{name}: " + " | ".join(labels))
    if pieces.limits:
        lines.append("limit: " + " | ".join(str(n) for n in pieces.limits))
    lines.append("start from: " + compact(pieces.labels(best.plan)))
    return Choice("fill", q, pieces.schema(), _messages("fill", "\n".join(lines)),
                  pieces=pieces, base=best)


def _messages(mode: Mode, text: str) -> list[BaseMessage]:
    return [SystemMessage(SYSTEM[mode]), HumanMessage(text)]


def _compiles(plan: QueryPlan, doc: CombinedSchema) -> bool:
    try:
        compile_plan(plan, doc)
    except PlanError:
        return False
    return True


def _admits(schema: dict[str, Any], value: Any) -> bool:
    """Whether `value` follows `schema`, for the few keywords choice schemas use (enum,
    object with required properties and no others, array with items and bounds)."""
    if "enum" in schema:
        return any((value == option and type(value) is type(option)) or
                   (value is None and option is None) for option in schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return isinstance(value, dict) and set(value) <= set(props) and \
            all(k in value for k in schema.get("required", [])) and \
            all(_admits(props[k], v) for k, v in value.items())
    if kind == "array":
        if not isinstance(value, list):
            return False
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value)):
            return False
        items = schema.get("items")
        return items is None or all(_admits(items, v) for v in value)
    return True


def stash(candidates: Sequence[Candidate]) -> list[dict[str, Any]]:
    """Candidates as plain data for the graph's state (it is checkpointed)."""
    return [{"plan": c.plan.model_dump(mode="json"), "score": c.score,
             "explained": sorted(c.explained), "unmapped": list(c.unmapped),
             "guesses": list(c.guesses), "expects_rows": c.expects_rows} for c in candidates]


def unstash(data: Sequence[dict[str, Any]]) -> list[Candidate]:
    """The candidates `stash` wrote (a plan of another version is left out)."""
    out = []
    for item in data:
        try:
            plan = QueryPlan.model_validate(item["plan"])
        except ValueError:
            continue
        out.append(Candidate(plan, score=float(item["score"]), explained=set(item["explained"]),
                             unmapped=list(item["unmapped"]), guesses=list(item["guesses"]),
                             expects_rows=bool(item["expects_rows"])))
    return out
