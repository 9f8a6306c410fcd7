"""Learning plans: `build_dataset` writes question -> plan choice examples (natural
phrasings in Portuguese and English from the document, golden plans from feedback),
checked by the engine, split by table with the held-out plan questions apart; the
held-out plan benchmark scores answers by their rows; and a LoRA adapter trained on
plan examples (tiny Llama, byte-level tokenizer) loads on the local backend and answers
in the plan format, where the bare base does not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from schemachat.agent.feedback import Feedback, record_feedback
from schemachat.agent.plans.plan import Col, Expr, Filter, Item, QueryPlan
from schemachat.configs import BadInput, load_settings
from schemachat.training.dataset import build_dataset, read_examples
from schemachat.training.plan_dataset import PLANS_EVAL, rows_match
from schemachat.training.plan_eval import score_plans

GOLDEN_Q = "quantos clientes bloqueados de verdade nós temos hoje?"
GOLDEN_PLAN = QueryPlan(table="CAD_CLI", select=[Item(agg="COUNT")], filters=[Filter(
    expr=Expr(column=Col(table="CAD_CLI", column="SITUACAO")), op="=", value="B",
    meaning="bloqueado")])


@pytest.fixture(scope="module")
def plans_ws(demo_workspace: Path, demo_db: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo workspace with one golden plan and its dataset built."""
    root = tmp_path_factory.mktemp("plans") / "ws"
    shutil.copytree(demo_workspace, root)
    record_feedback(root, Feedback(rating="up", question=GOLDEN_Q, answer="ok",
                                   sql="SELECT COUNT(*) FROM CAD_CLI WHERE SITUACAO = 'B'",
                                   plan=GOLDEN_PLAN.model_dump()))
    build_dataset(load_settings(workspace=root, fb_database=str(demo_db)), use_index=False)
    return root


def _enum_values(schema: Any) -> list[Any]:
    if isinstance(schema, dict):
        return list(schema.get("enum", [])) + [v for x in schema.values()
                                               for v in _enum_values(x)]
    if isinstance(schema, list):
        return [v for x in schema for v in _enum_values(x)]
    return []


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v)]
    return [value]


def test_dataset_has_plan_choices_from_the_document_and_feedback(plans_ws: Path) -> None:
    folder = plans_ws / "datasets" / "schema"
    report = json.loads((folder / "dataset.json").read_text())
    train = read_examples(folder / "train.jsonl")
    plans = [r for r in train if r["kind"] == "plan"]
    held_out = read_examples(folder / PLANS_EVAL)
    assert len(plans) == report["plan_train"] > 50 and len(held_out) == report["plan_eval"] > 5
    assert report["train"] == len(train)  # plan choices are counted among the train lines
    # Both languages, several phrasings per kind (not one template), every kind of question.
    assert {r["lang"] for r in plans} == {"pt", "en"}
    counts = [r["question"] for r in plans if r["question_kind"] == "count"]
    assert len({q.split()[0].lower() for q in counts}) >= 3
    kinds = {r["question_kind"] for r in plans + held_out}
    assert {"count", "code", "group", "top", "value", "share"} <= kinds
    # The answer is the JSON the agent's schema admits, after the agent's own messages.
    for record in plans:
        answer = json.loads(record["answer"])
        assert all(leaf in _enum_values(record["schema"]) for leaf in _leaves(answer))
        assert [m["role"] for m in record["messages"]] == ["system", "user", "assistant"]
        assert record["question"] in record["messages"][1]["content"]
        assert record["rows"], record["question"]  # the gold plan ran and returned rows
    assert {r["mode"] for r in plans} >= {"pick"}
    # Split by table: no plan question about a held-out table is trained on.
    held = set(report["held_out_tables"])
    assert all(not held.intersection(r["tables"]) for r in plans)
    assert all(held.intersection(r["tables"]) for r in held_out)
    # The golden plan (✓ in feedback) is among them, as its own question.
    golden = [r for r in plans + held_out if r["source"] == "golden"]
    assert [r["question"] for r in golden] == [GOLDEN_Q]
    assert QueryPlan.model_validate(golden[0]["plan"]) == GOLDEN_PLAN


def test_rows_match_like_the_agent_benchmark() -> None:
    gold = [[3, "SP"], [1, "RJ"]]
    assert rows_match([["RJ", 1, "x"], ["SP", 3, "y"]], gold)  # any order, extra column
    assert not rows_match([["SP", 3]], gold)  # a row short
    assert not rows_match([[3, "SP"], [1, "MG"]], gold)
    assert not rows_match(None, gold) and not rows_match([], [])


def test_score_plans_counts_rows_that_match_and_who_chose() -> None:
    records = [{"question": q, "plan": GOLDEN_PLAN.model_dump(mode="json")}
               for q in ("right", "wrong", "failed")]
    answers = {"right": SimpleNamespace(sql="GOOD", error=None, chosen_by="model"),
               "wrong": SimpleNamespace(sql="BAD", error=None, chosen_by="ranking"),
               "failed": SimpleNamespace(sql=None, error="no plan fits", chosen_by=None)}

    def run(sql: str) -> tuple[list[str], list[list[Any]]]:
        if sql == "BOOM":
            raise BadInput("refused")
        return ["N"], [[203]] if sql in ("GOOD", "GOLD") else [[1]]

    report = score_plans(records, answers.__getitem__, run, lambda plan: "GOLD")
    assert (report["right"], report["asked"], report["accuracy"]) == (1, 3, 0.3333)
    assert report["chosen_by"] == {"model": 1, "ranking": 1, "None": 1}


def test_an_adapter_trained_on_plans_answers_in_the_plan_format(
        plans_ws: Path, tmp_path: Path) -> None:
    from langchain_core.messages import HumanMessage, SystemMessage

    from schemachat.agent.models.hf_base import forget_bases
    from schemachat.agent.models.local import LocalChatModel
    from schemachat.training.lora import TrainConfig, train
    from tests.support.tiny_llama import build_model

    base = tmp_path / "tiny"
    build_model(base, byte_level=True, init_range=0.5)
    folder = plans_ws / "datasets" / "schema"
    plan_records = [r for r in read_examples(folder / "train.jsonl") if r["kind"] == "plan"]
    # A pick other than the first option: one a model biased to a position would miss.
    picks = [r for r in plan_records if r["mode"] == "pick"]
    record = next((r for r in picks if r["answer"] != '{"pick":0}'), picks[0])
    data = tmp_path / "data"
    data.mkdir()
    others = [r for r in read_examples(folder / "train.jsonl") if r["kind"] != "plan"][:8]
    (data / "train.jsonl").write_text("\n".join(json.dumps(r) for r in [record] * 8 + others))
    shutil.copy(folder / "dataset.json", data / "dataset.json")
    config = TrainConfig(base=str(base), max_steps=40, batch_size=4, rank=8, alpha=16,
                         learning_rate=0.05, warmup_steps=0, max_length=2048,
                         logging_steps=5, save_steps=100,
                         target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                         "up_proj", "down_proj"], kinds=["plan"])
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a model this small trains faster on one thread
    try:
        result = train(config, data, tmp_path / "adapter")
    finally:
        torch.set_num_threads(threads)
    assert result.examples == 8  # the plan choices only (kinds)
    assert result.last_loss is not None and result.first_loss is not None
    assert result.last_loss < result.first_loss / 4  # it learnt the answer

    forget_bases()
    model = LocalChatModel(model_path=str(base), adapter_dirs={"plans": str(tmp_path / "adapter")},
                           max_new_tokens=60)
    roles = {"system": SystemMessage, "user": HumanMessage}
    messages = [roles[m["role"]](m["content"]) for m in record["prompt"]]
    free = model.invoke(messages, adapters=["plans"]).text
    assert free.startswith(record["answer"])  # the plan format, unconstrained
    bare = model.invoke(messages, adapters=[]).text
    assert not bare.startswith(record["answer"])  # the random base does not write it
    constrained = model.invoke(messages, adapters=["plans"], json_schema=record["schema"]).text
    assert json.loads(constrained) == json.loads(record["answer"])


def test_the_plans_profile_trains_whole_plan_choices() -> None:
    from schemachat.training.profiles import load_profile

    config = load_profile("cpu-gemma-plans")
    assert config.kinds == ["plan"] and config.base == "default"
    assert config.max_length >= 384  # a choice's prompt is not cut to its last options
