"""The held-out plan benchmark: how many of the dataset's held-out plan questions the
agent answers with the gold plan's rows, with a given schema adapter (or none).

    report = plan_benchmark(settings, dataset_dir, adapter="schema-20250101-120000")
    report["accuracy"], report["right"], report["asked"], report["chosen_by"]

The questions are the dataset's `plans_eval.jsonl` (`plan_dataset.py`): written from
the document about the held-out tables, which no training example touches. Each goes
through the whole agent (retrieval, the linker's plans, the model's choice under its
JSON Schema, the engine) with query plans and the model's choice on; its full result is
compared with the gold plan's, run read-only, as the agent benchmark does (as many rows,
every gold column among the result's). `retrain` keeps a new adapter only when this
does not get worse (training/retrain.py). The benchmark's own question files
(bench/agent_questions*.yaml) are never read here.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from schemachat.agent.plans.compile import compile_plan
from schemachat.agent.plans.plan import QueryPlan
from schemachat.configs import BadInput, Settings
from schemachat.training.dataset import Runner, guard_runner, read_examples
from schemachat.training.plan_dataset import PLANS_EVAL, rows_match

Asker = Callable[[str], Any]  # question -> AgentAnswer (sql, error, chosen_by)


def plan_records(dataset_dir: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The held-out plan questions of a dataset; BadInput when it has none."""
    path = Path(dataset_dir) / PLANS_EVAL
    if not path.is_file():
        raise BadInput(f"no {path}: run `schemachat train dataset` (with a database) first")
    return read_examples(path)[:limit]


def score_plans(records: list[dict[str, Any]], ask: Asker, run: Runner,
                gold_sql: Callable[[QueryPlan], str]) -> dict[str, Any]:
    """Ask every record's question and compare the answer's full result with the gold
    plan's: the accuracy, counts, and who chose the answering plans."""
    right = 0
    chosen: Counter[str] = Counter()
    started = time.perf_counter()
    for record in records:
        result = ask(record["question"])
        chosen[str(result.chosen_by)] += 1
        if not result.sql or result.error:
            continue
        try:
            _, gold = run(gold_sql(QueryPlan.model_validate(record["plan"])))
            _, got = run(result.sql)
        except BadInput:
            continue
        right += rows_match(got, gold)
    asked = len(records)
    return {"accuracy": round(right / asked, 4) if asked else 0.0, "right": right,
            "asked": asked, "chosen_by": dict(chosen),
            "seconds": round(time.perf_counter() - started, 1)}


def plan_benchmark(settings: Settings, dataset_dir: Path, adapter: str | None, *,
                   limit: int | None = None) -> dict[str, Any]:
    """The benchmark with schema adapter `adapter` of the workspace (None: the bare
    base model), through the agent with plans and the model's choice on."""
    from schemachat.agent.session import Agent

    records = plan_records(dataset_dir, limit)
    run, close = guard_runner(settings)
    tuned = settings.model_copy(update={"agent_plans": True, "agent_choose": True})
    agent = Agent.open(tuned, adapters=[adapter] if adapter else [])
    doc = agent.context.doc()
    try:
        report = score_plans(records, lambda q: agent.ask(q, mode="sql", run=True), run,
                             lambda plan: compile_plan(plan, doc))
    finally:
        agent.close()
        close()
    return {"adapter": adapter, **report}
