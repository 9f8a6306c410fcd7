"""Constrained decoding of plan choices (agent/models/constrained.py, agent/plans/choose.py)
with the tiny random Llama (byte-level tokenizer) on the local backend, over 50 random
questions about the demo ERP: sampled at temperature 1, every answer parses, every name
and value in it is one the question's schema lists, and the plan it names uses only
tables, columns and values the linker found. A random model under the grammar cannot
write anything else."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schemachat.agent.models.grammar import grammar_engine
from schemachat.agent.models.local import LocalChatModel
from schemachat.agent.plans.choose import Choice, fill_choice, parse_json, pick_choice
from schemachat.agent.plans.choose_pieces import Pieces
from schemachat.agent.plans.compile import PlanError, compile_plan
from schemachat.agent.plans.plan import QueryPlan
from schemachat.agent.plans.propose import Linker
from schemachat.agent.plans.question import read_question
from schemachat.agent.retrieval import SchemaIndex
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.values import TextValues
from schemachat.ingest.workspace import Workspace, read_model, read_optional

CUES = ["quantos", "qual o total de", "média de", "os 5 maiores", "por", "em 2024",
        "acima de 1000", "how many", "per", "top 3", "sem", "cada", "em junho de 2023",
        "which", "average", "the most"]
QUESTIONS = 50


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> LocalChatModel:
    """The tiny random Llama with a byte-level tokenizer, on the local backend."""
    from tests.support.tiny_llama import build_model

    folder = tmp_path_factory.mktemp("tiny-bytes")
    build_model(folder, byte_level=True)
    return LocalChatModel(model_path=str(folder), max_new_tokens=1024)


@pytest.fixture
def one_thread() -> Iterator[None]:
    """One torch thread: the tiny model's steps are too small to share (6x faster on 2
    busy cores)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def doc(agent_workspace: Path) -> CombinedSchema:
    return read_model(Workspace(agent_workspace).combined, CombinedSchema)


@pytest.fixture(scope="module")
def linker(agent_workspace: Path, doc: CombinedSchema) -> Linker:
    return Linker.of(doc, read_optional(Workspace(agent_workspace).values, TextValues))


def random_questions(doc: CombinedSchema, seed: int) -> list[str]:
    """Questions made of cue words, words of the document's descriptions and value
    meanings, shuffled: many read oddly, which is the point (the grammar must hold
    whatever the linker makes of them)."""
    rng = random.Random(seed)
    words, meanings = set(), set()
    for rel in doc.relations():
        for note in [rel.annotation, *(c.annotation for c in rel.columns)]:
            if note and note.description:
                words.update(w.strip(".,();:").lower() for w in note.description.split()
                             if len(w) > 4)
        for col in rel.columns:
            if col.annotation:
                meanings.update(col.annotation.values.values())
    words_, meanings_ = sorted(words), sorted(meanings)
    out = []
    while len(out) < 4 * QUESTIONS:
        parts = rng.sample(CUES, 2) + rng.sample(words_, 2) + rng.sample(meanings_, 1)
        rng.shuffle(parts)
        out.append(" ".join(parts) + "?")
    return out


def choices(doc: CombinedSchema, linker: Linker, index: SchemaIndex) -> list[Choice]:
    """A pick and a fill choice for each of 50 random questions with plans."""
    out: list[Choice] = []
    asked = 0
    for text in random_questions(doc, seed=14):
        q = read_question(text)
        cands = [c for c in linker.propose(q, list(index.search(text).tables))
                 if _compiles(c.plan, doc)]
        if not cands:
            continue
        asked += 1
        if len(cands) >= 2:
            out.append(pick_choice(cands[:4], q, doc))
        out.append(fill_choice(cands[0], Pieces.of([c.plan for c in cands]), q))
        if asked == QUESTIONS:
            break
    assert asked == QUESTIONS
    return out


def _compiles(plan: QueryPlan, doc: CombinedSchema) -> bool:
    try:
        compile_plan(plan, doc)
    except PlanError:
        return False
    return True


def enum_values(schema: Any) -> list[Any]:
    """Every value an enum anywhere in `schema` lists."""
    if isinstance(schema, dict):
        found = list(schema.get("enum", []))
        for value in schema.values():
            found += enum_values(value)
        return found
    if isinstance(schema, list):
        return [v for item in schema for v in enum_values(item)]
    return []


def leaves(value: Any) -> list[Any]:
    """The strings and numbers of a JSON value (object keys left out)."""
    if isinstance(value, dict):
        return [x for v in value.values() for x in leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in leaves(v)]
    return [value]


def plan_names(plan: QueryPlan) -> set[str]:
    """Tables, aliases and ALIAS.COLUMN names a plan uses."""
    names = {plan.table, *(j.table for j in plan.joins), *(j.alias for j in plan.joins)}
    exprs = [i.expr for i in plan.select if i.expr] + [f.expr for f in plan.filters] + \
        [f.other for f in plan.filters if f.other] + list(plan.group_by)
    for expr in exprs:
        names.add(f"{expr.column.table}.{expr.column.column}")
        if expr.right is not None:
            names.add(f"{expr.right.table}.{expr.right.column}")
    return names


def test_every_constrained_answer_parses_and_names_only_what_the_schema_lists(
        tiny_model: LocalChatModel, doc: CombinedSchema, linker: Linker,
        agent_index: SchemaIndex, one_thread: None) -> None:
    import torch

    torch.manual_seed(0)
    found = choices(doc, linker, agent_index)
    modes = {"pick": 0, "fill": 0}
    compiled = 0
    for choice in found:
        reply = tiny_model.invoke(choice.messages, json_schema=choice.schema, temperature=1.0)
        value = json.loads(reply.text)  # parses, with nothing around it
        assert reply.response_metadata["grammar"]["complete"], reply.text
        allowed = enum_values(choice.schema)
        assert all(leaf in allowed for leaf in leaves(value)), (reply.text, allowed)
        cand = choice.read(reply.text)
        modes[choice.mode] += 1
        if choice.mode == "pick":
            assert cand is not None and cand in choice.options
            continue
        assert choice.pieces is not None
        if cand is None:  # labels that make no plan (an ORDER BY of nothing): refused
            continue
        assert plan_names(cand.plan) <= choice.pieces.identifiers()
        assert {json.dumps(f.value) for f in cand.plan.filters} <= \
            {json.dumps(f.value) for f in choice.pieces.filters.values()}
        compiled += _compiles(cand.plan, doc)
    assert modes["fill"] == QUESTIONS and modes["pick"] >= QUESTIONS // 2
    assert compiled >= QUESTIONS // 2  # most filled plans are plans the compiler takes


def test_the_grammar_refuses_what_the_schema_does_not_list(tiny_model: LocalChatModel) -> None:
    """The matcher itself: a token spelling a name outside the enum is not allowed."""
    base = tiny_model.base()
    engine = grammar_engine(base.tokenizer)
    state = engine.start({"type": "object", "properties": {"t": {"enum": ["CAD_CLI"]}},
                          "required": ["t"], "additionalProperties": False})
    for token in base.tokenizer('{"t":"CAD_', add_special_tokens=False)["input_ids"]:
        assert state.consume(token)
    allowed = state.allowed()
    ok = base.tokenizer("CLI", add_special_tokens=False)["input_ids"][0]
    wrong = base.tokenizer("FOR", add_special_tokens=False)["input_ids"][0]
    assert allowed[ok] and not allowed[wrong]


def test_a_filled_plan_reads_back_as_the_plan_it_names(doc: CombinedSchema, linker: Linker,
                                                       agent_index: SchemaIndex) -> None:
    """answer_for (the training target) and read (the answer) agree on every plan of a
    question's base table, and an unknown label is refused."""
    text = "quantos clientes ativos de Campinas temos?"
    q = read_question(text)
    cands = [c for c in linker.propose(q, list(agent_index.search(text).tables))
             if _compiles(c.plan, doc)]
    choice = fill_choice(cands[0], Pieces.of([c.plan for c in cands]), q)
    answer = choice.answer_for(cands[0])
    assert answer and parse_json(answer)["table"] == cands[0].plan.table
    back = choice.read(answer)
    assert back is not None and back.plan == cands[0].plan
    wrong = json.loads(answer)
    wrong["filters"] = ["CAD_CLI.SITUACAO = 'Z'"]
    assert choice.read(json.dumps(wrong)) is None
    pick = pick_choice(cands[:3], q, doc)
    assert pick.read(pick.answer_for(cands[2])) is cands[2]
    assert pick.read('{"pick": 7}') is None and pick.read("the second one") is None
