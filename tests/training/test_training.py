"""Training: dataset from the demo document (SQL verified by the engine), then the LoRA
path end to end on a tiny random Llama: train a few steps, save, load with peft,
generate, resume."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from schemachat.agent.adapters.schema import check_schema, read_schema_fingerprint
from schemachat.configs import BadInput, load_settings
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.schema_fingerprint import workspace_shape
from schemachat.ingest.workspace import Workspace, read_model
from schemachat.training.dataset import build_dataset, generate, read_examples
from tests.support.paths import REPO_ROOT


@pytest.fixture(scope="module")
def dataset_ws(demo_workspace: Path, demo_db: Path, tmp_path_factory: pytest.TempPathFactory,
               ) -> Path:
    root = tmp_path_factory.mktemp("train") / "ws"
    shutil.copytree(demo_workspace, root)
    settings = load_settings(workspace=root, fb_database=str(demo_db))
    build_dataset(settings, seed=0, use_index=False)
    return root


def test_dataset_files_fingerprint_and_split_by_table(dataset_ws: Path) -> None:
    folder = dataset_ws / "datasets" / "schema"
    report = json.loads((folder / "dataset.json").read_text())
    doc = read_model(Workspace(dataset_ws).combined, CombinedSchema)
    assert report["fingerprint"] == doc.fingerprint
    train, evals = read_examples(folder / "train.jsonl"), read_examples(folder / "eval.jsonl")
    assert len(train) == report["train"] > 100 and len(evals) == report["eval"] > 10
    held = set(report["held_out_tables"])
    assert held and all(not held.intersection(r["tables"]) for r in train)
    assert all(held.intersection(r["tables"]) for r in evals)
    assert {r["lang"] for r in train} == {"pt", "en"}
    assert {r["kind"] for r in evals} == {"schema_qa", "sql"}
    for r in train[:50]:
        assert r["fingerprint"] == doc.fingerprint
        assert [m["role"] for m in r["messages"]] == ["system", "user", "assistant"]
        assert r["context"] and r["context"] in r["messages"][1]["content"]


def test_sql_pairs_ran_on_the_engine_and_keep_their_result(dataset_ws: Path) -> None:
    folder = dataset_ws / "datasets" / "schema"
    report = json.loads((folder / "dataset.json").read_text())
    assert report["sql_verified"] > 50
    sql = [r for r in read_examples(folder / "train.jsonl") if r["kind"] == "sql"]
    assert sql and all(r["columns"] and r["answer"].startswith("SELECT") for r in sql)
    counts = [r for r in sql if r["answer"].startswith("SELECT COUNT(*) FROM")
              and " WHERE " not in r["answer"] and " JOIN " not in r["answer"]]
    assert counts and all(isinstance(r["rows"][0][0], int) for r in counts)


def test_answers_come_from_the_document(dataset_ws: Path) -> None:
    doc = read_model(Workspace(dataset_ws).combined, CombinedSchema)
    meanings = {m for rel in doc.tables for c in rel.columns if c.annotation
                for m in c.annotation.values.values()}
    folder = dataset_ws / "datasets" / "schema"
    coded = [r for r in read_examples(folder / "train.jsonl")
             if r["kind"] == "schema_qa" and "'" in r["question"] and "code" in r["question"]]
    assert coded and all(r["mentions"][-1] in meanings for r in coded)
    assert all(r["mentions"][-1] in r["answer"] for r in coded)


def test_generation_is_deterministic_and_counts_dropped_sql(dataset_ws: Path) -> None:
    doc = read_model(Workspace(dataset_ws).combined, CombinedSchema)

    def runner(sql: str) -> tuple[list[str], list[list[object]]]:
        if "AVG(" in sql:
            raise BadInput("refused for the test")
        return ["N"], [[1]]

    first = generate(doc, runner, seed=3)
    second = generate(doc, runner, seed=3)
    assert [e.question for e in first[0]] == [e.question for e in second[0]]
    assert first[2] == second[2]
    assert first[4] and all("AVG(" in reason for reason in first[4])
    assert not any("AVG(" in e.answer for e in first[0] + first[1])
    assert generate(doc, runner, seed=4)[2] != first[2] or len(doc.tables) < 3


def test_dataset_needs_the_combined_document(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="schemachat merge"):
        build_dataset(load_settings(workspace=tmp_path / "empty"), verify_sql=False)


# --- LoRA on the tiny Llama ------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.support.tiny_llama import build_model

    folder = tmp_path_factory.mktemp("tiny_base")
    build_model(folder)
    return folder


def _config(base: Path, **kw: object) -> Any:
    from schemachat.training.lora import TrainConfig

    values = {"base": str(base), "max_steps": 3, "batch_size": 2, "rank": 4, "alpha": 8,
              "save_steps": 2, "logging_steps": 1, "max_length": 48, "max_examples": 40}
    values.update(kw)
    return TrainConfig(**values)


def test_train_save_load_with_peft_and_generate(tiny_base: Path, dataset_ws: Path,
                                                tmp_path: Path) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from schemachat.training.lora import train

    seen: list[tuple[int, float]] = []
    out = tmp_path / "adapter"
    result = train(_config(tiny_base), dataset_ws / "datasets" / "schema", out,
                   on_loss=lambda step, total, loss: seen.append((step, loss)))
    assert result.steps == 3 and len(seen) == 3 and result.train_loss > 0
    for name in ("adapter_model.safetensors", "adapter_config.json", "train_results.json",
                 "training_args.json", "dataset.json"):
        assert (out / name).is_file(), name
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["r"] == 4 and config["peft_type"] == "LORA"
    assert json.loads((out / "train_results.json").read_text())["global_step"] == 3
    args = json.loads((out / "training_args.json").read_text())
    assert args["schemachat"]["rank"] == 4 and args["transformers"]["max_steps"] == 3
    fingerprint = json.loads((dataset_ws / "datasets/schema/dataset.json").read_text())
    assert json.loads((out / "dataset.json").read_text())["fingerprint"] == \
        fingerprint["fingerprint"]
    # The schema it was trained on, so it is never used on another database.
    trained = read_schema_fingerprint(out)
    demo = workspace_shape(dataset_ws)
    assert trained is not None and demo is not None
    assert (trained.fingerprint, trained.database) == (demo.fingerprint, demo.database)
    check_schema("adapter", out, dataset_ws)

    tok = AutoTokenizer.from_pretrained(tiny_base)
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_base), out)
    ids = tok("onde fica o limite", return_tensors="pt")
    with torch.no_grad():
        generated = model.generate(**ids, max_new_tokens=4, do_sample=False)
    assert generated.shape[1] == ids["input_ids"].shape[1] + 4


def test_resume_from_checkpoint_and_continue_from_an_adapter(tiny_base: Path, dataset_ws: Path,
                                                             tmp_path: Path) -> None:
    from schemachat.training.lora import train

    data = dataset_ws / "datasets" / "schema"
    out = tmp_path / "run"
    train(_config(tiny_base, max_steps=2), data, out)
    resumed = train(_config(tiny_base, max_steps=4), data, out)
    assert resumed.resumed_from and resumed.resumed_from.endswith("checkpoint-2")
    assert resumed.steps == 4
    follow = train(_config(tiny_base, max_steps=1), data, tmp_path / "next", init_adapter=out)
    assert follow.steps == 1 and (tmp_path / "next" / "adapter_model.safetensors").is_file()


def test_four_bit_needs_cuda(tiny_base: Path, dataset_ws: Path, tmp_path: Path) -> None:
    import torch

    from schemachat.training.lora import train

    if torch.cuda.is_available():
        pytest.skip("CUDA present: the 4-bit path would run")
    with pytest.raises(BadInput, match="CUDA"):
        train(_config(tiny_base, load_in_4bit=True), dataset_ws / "datasets" / "schema",
              tmp_path / "q")


def test_profiles_load(tmp_path: Path) -> None:
    from schemachat.training.lora import TrainConfig

    root = REPO_ROOT / "configs" / "profiles"
    cpu = TrainConfig.from_yaml(root / "train-cpu-gemma.yaml")
    gpu = TrainConfig.from_yaml(root / "train-llama3-8b-gpu.yaml")
    assert cpu.base == "default" and not cpu.load_in_4bit and cpu.max_steps <= 300
    assert gpu.load_in_4bit and "Llama-3-8B" in gpu.base
    bad = tmp_path / "bad.yaml"
    bad.write_text("rank: 4\nlearning_rat: 1\n")
    with pytest.raises(BadInput, match="learning_rat"):
        TrainConfig.from_yaml(bad)


def test_golden_pairs_join_the_dataset_verified_and_split_by_table(
        demo_workspace: Path, demo_db: Path, tmp_path: Path) -> None:
    from schemachat.agent.feedback import GOLDEN, GoldenExample
    from schemachat.training.dataset import dataset_fingerprint

    root = tmp_path / "ws"
    shutil.copytree(demo_workspace, root)
    settings = load_settings(workspace=root, fb_database=str(demo_db))
    golden = [
        GoldenExample(question="quantos clientes ativos temos?", tables=["CAD_CLI"],
                      sql="SELECT COUNT(*) FROM CAD_CLI c WHERE c.SITUACAO = 'A';"),
        GoldenExample(question="How many invoice lines are there?",
                      sql="select count(*) from nf_item"),  # tables found in the SQL
        GoldenExample(question="broken", sql="SELECT NO_SUCH_COLUMN FROM CAD_CLI"),
        GoldenExample(question="delete", sql="DELETE FROM CAD_CLI"),
    ]
    (root / GOLDEN).write_text("".join(g.model_dump_json() + "\n" for g in golden))
    report = build_dataset(settings, seed=0, use_index=False)
    doc = read_model(Workspace(root).combined, CombinedSchema)
    assert report.golden_verified == 2 and report.golden_dropped == 2
    assert report.document_fingerprint == doc.fingerprint
    assert report.fingerprint == dataset_fingerprint(doc.fingerprint, golden[::-1])
    assert report.fingerprint != doc.fingerprint
    assert dataset_fingerprint(doc.fingerprint, golden[:1]) != report.fingerprint
    reasons = [r for r in report.dropped_reasons if r.startswith("golden: ")]
    assert len(reasons) == 2 and any("NO_SUCH_COLUMN" in r for r in reasons)
    saved = json.loads((report.folder / "dataset.json").read_text())
    assert saved["golden_verified"] == 2 and saved["golden_dropped"] == 2
    records = {split: read_examples(report.folder / f"{split}.jsonl")
               for split in ("train", "eval")}
    held = set(report.held_out_tables)
    found = {}
    for split, rows in records.items():
        for r in rows:
            if r["source"] == "golden":
                found[r["question"]] = (split, r)
            assert r["fingerprint"] == report.fingerprint
    assert set(found) == {"quantos clientes ativos temos?", "How many invoice lines are there?"}
    for split, r in found.values():
        assert split == ("eval" if held.intersection(r["tables"]) else "train")
        assert r["kind"] == "sql" and r["columns"] and isinstance(r["rows"][0][0], int)
        assert r["context"] and r["context"] in r["messages"][1]["content"]
        assert r["messages"][2]["content"] == r["answer"]
    active = found["quantos clientes ativos temos?"][1]
    assert active["tables"] == ["CAD_CLI"] and active["lang"] == "pt"
    assert active["answer"] == "SELECT COUNT(*) FROM CAD_CLI c WHERE c.SITUACAO = 'A'"
    assert found["How many invoice lines are there?"][1]["tables"] == ["NF_ITEM"]
    assert found["How many invoice lines are there?"][1]["lang"] == "en"
    # without golden pairs the dataset's fingerprint is the document's
    assert build_dataset(settings, name="plain", use_index=False, verify_sql=False,
                         golden=False).fingerprint == doc.fingerprint
