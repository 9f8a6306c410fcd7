"""Evaluation scoring and retrain-on-change, with fake generators and a fake trainer
(the real model paths are covered by test_training.py and the slow test)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from schemachat.agent.adapters.active import read_active
from schemachat.configs import BadInput, load_settings
from schemachat.training.evaluate import Checker, evaluate, first_sql, markdown
from schemachat.training.lora import TrainConfig
from schemachat.training.retrain import retrain

RECORDS = [
    {"kind": "schema_qa", "question": "O que é CAD_CLI?", "answer": "A tabela CAD_CLI ...",
     "mentions": ["CAD_CLI"], "rows": [], "context": "CAD_CLI: clientes"},
    {"kind": "sql", "question": "Quantos clientes?", "answer": "SELECT COUNT(*) FROM CAD_CLI",
     "mentions": [], "rows": [[40]], "context": "CAD_CLI: clientes"},
]


def _dataset(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "eval.jsonl").write_text("\n".join(json.dumps(r) for r in RECORDS))
    (folder / "dataset.json").write_text(json.dumps({"fingerprint": "f1",
                                                     "held_out_tables": ["CAD_CLI"]}))
    return folder


def _checker() -> Checker:
    def run(sql: str) -> tuple[list[str], list[list[Any]]]:
        if "CAD_CLI" not in sql:
            raise BadInput("no such table")
        return ["COUNT"], [[40]]

    return Checker(lambda sql: sql.upper().startswith("SELECT"), run)


def _good(record: dict[str, Any], with_context: bool) -> str:
    return record["answer"] if with_context else "não sei"


def _bad(record: dict[str, Any], with_context: bool) -> str:
    return "SELECT X FROM NOWHERE" if record["kind"] == "sql" else "hmm"


def test_scores_per_model_and_context(tmp_path: Path) -> None:
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    report = evaluate(adapter, _dataset(tmp_path / "ds"), _checker(),
                      {"base": _bad, "adapter": _good}, limit=None)
    runs = {(r["model"], r["with_context"]): r for r in report["runs"]}
    assert runs[("adapter", True)]["schema_qa_accuracy"] == 1.0
    assert runs[("adapter", True)]["execution_accuracy"] == 1.0
    assert runs[("adapter", False)]["sql_validity"] == 0.0
    assert runs[("base", True)]["sql_validity"] == 1.0
    assert runs[("base", True)]["execution_accuracy"] == 0.0
    assert json.loads((adapter / "eval_report.json").read_text())["examples"] == 2
    table = (adapter / "eval_report.md").read_text()
    assert "| adapter | with | 100% | 100% | 100% |" in table and table == markdown(report)


@pytest.mark.parametrize(("text", "sql"), [
    ("SELECT 1 FROM RDB$DATABASE;\nQuestion: more", "SELECT 1 FROM RDB$DATABASE"),
    ("```sql\nSELECT A FROM T\n```", "SELECT A FROM T\n```"),
    ("SELECT A FROM T\n\nAnswer: again", "SELECT A FROM T"),
])
def test_first_sql(text: str, sql: str) -> None:
    assert first_sql(text) == sql


# --- retrain ------------------------------------------------------------------------

@pytest.fixture
def ws(demo_workspace: Path, demo_db: Path, tmp_path: Path) -> Any:
    root = tmp_path / "ws"
    shutil.copytree(demo_workspace, root)
    return load_settings(workspace=root, fb_database=str(demo_db))


def _fake_train(calls: list[dict[str, Any]]) -> Any:
    def run(config: TrainConfig, dataset: Path, output: Path, **kw: Any) -> None:
        output.mkdir(parents=True)
        (output / "adapter_config.json").write_text(json.dumps({"r": 4}))
        calls.append({"dataset": dataset, "output": output, **kw})

    return run


def _fake_eval(scores: dict[str, float]) -> Any:
    """A held-out plan benchmark answering `scores` by adapter name ("base": none; any
    other name: scores["new"])."""
    def run(adapter: str | None, dataset: Path, settings: Any) -> dict[str, Any]:
        assert (dataset / "plans_eval.jsonl").is_file()  # the benchmark's questions
        return {"accuracy": scores.get(adapter or "base", scores["new"])}

    return run


def test_retrain_switches_then_skips_then_keeps_the_better_one(ws: Any) -> None:
    calls: list[dict[str, Any]] = []
    config = TrainConfig(base="tiny")
    first = retrain(ws, config, train_fn=_fake_train(calls), plan_eval_fn=_fake_eval({"new": 0.5}))
    assert first.status == "switched" and first.exit_code == 0
    active = read_active(ws.workspace)
    assert active and active.adapter == first.adapter and calls[0]["init_adapter"] is None
    assert (calls[0]["dataset"] / "train.jsonl").is_file()

    again = retrain(ws, config, train_fn=_fake_train(calls), plan_eval_fn=_fake_eval({"new": 0.5}))
    assert again.status == "unchanged" and again.exit_code == 0 and len(calls) == 1

    # the document changed, the new adapter is worse: keep the old one, exit 3
    active_path = ws.workspace / "training" / "active.json"
    data = json.loads(active_path.read_text())
    data["fingerprint"] = "older"
    active_path.write_text(json.dumps(data))
    worse = retrain(ws, config, train_fn=_fake_train(calls),
                    plan_eval_fn=_fake_eval({"new": 0.2, first.adapter: 0.5}))
    assert worse.status == "kept" and worse.exit_code == 3 and "kept the old" in worse.reason
    assert calls[1]["init_adapter"].name == first.adapter  # same base: continued from it
    kept = read_active(ws.workspace)
    assert kept and kept.adapter == first.adapter


def test_retrain_keeps_no_adapter_when_the_base_does_better(ws: Any) -> None:
    """The first adapter is compared with the agent without one: worse, it is not made
    active (exit 3)."""
    calls: list[dict[str, Any]] = []
    outcome = retrain(ws, TrainConfig(base="tiny"), train_fn=_fake_train(calls),
                      plan_eval_fn=_fake_eval({"new": 0.3, "base": 0.6}))
    assert outcome.status == "kept" and outcome.exit_code == 3 and outcome.adapter is None
    assert "not made active" in outcome.reason and "60.0%" in outcome.reason
    assert read_active(ws.workspace) is None


def test_retrain_notices_new_golden_pairs(ws: Any) -> None:
    from schemachat.agent.feedback import Feedback, record_feedback

    calls: list[dict[str, Any]] = []
    config = TrainConfig(base="tiny")
    first = retrain(ws, config, train_fn=_fake_train(calls), plan_eval_fn=_fake_eval({"new": 0.5}))
    assert retrain(ws, config, train_fn=_fake_train(calls),
                   plan_eval_fn=_fake_eval({"new": 0.5})).status == "unchanged"
    record_feedback(ws.workspace, Feedback(rating="up", question="quantos clientes?",
                                           answer="40", sql="SELECT COUNT(*) FROM CAD_CLI"),
                    tables=["CAD_CLI"])
    second = retrain(ws, config, train_fn=_fake_train(calls), plan_eval_fn=_fake_eval({"new": 0.6}))
    assert second.status == "switched" and second.adapter != first.adapter
    dataset = json.loads((calls[-1]["dataset"] / "dataset.json").read_text())
    assert dataset["golden_verified"] == 1
    active = read_active(ws.workspace)
    assert active and active.fingerprint == dataset["fingerprint"]
    assert dataset["fingerprint"] != dataset["document_fingerprint"]
