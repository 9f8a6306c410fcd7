"""Evaluate a base model and base + adapter on the held-out split (unseen tables).

    report = evaluate(adapter_dir, dataset_dir, settings, limit=20)

Four runs: base and base + adapter, each with the retrieved context in the prompt and
without it. Scores per run:

- schema Q&A accuracy: the answer names every table/column (and meaning) the gold does;
- SQL validity: the drafted SQL is prepared by the engine as a SELECT (guard `check_sql`);
- execution accuracy: it runs read-only and its rows equal the gold rows.

Written to `<adapter>/eval_report.json` and `<adapter>/eval_report.md`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemachat.configs import BadInput, Settings
from schemachat.training.dataset import Runner, read_examples

RUNS = (("base", True), ("base", False), ("adapter", True), ("adapter", False))
Generate = Callable[[dict[str, Any], bool], str]  # (record, with_context) -> answer text


@dataclass
class Checker:
    """How SQL is judged: `valid(sql)` prepares it, `run(sql)` returns columns and rows."""

    valid: Callable[[str], bool]
    run: Runner


def pick(records: list[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """Up to `limit` schema Q&A and `limit` SQL examples, in file order (deterministic)."""
    if limit is None:
        return records
    qa = [r for r in records if r["kind"] == "schema_qa"][:limit]
    sql = [r for r in records if r["kind"] == "sql"][:limit]
    return qa + sql


def first_sql(text: str) -> str:
    """The statement in a model's answer: up to the first `;` or blank line."""
    text = text.strip().removeprefix("```sql").removeprefix("```").strip()
    return text.split(";")[0].split("\n\n")[0].strip()


def mentions_all(answer: str, mentions: list[str]) -> bool:
    low = answer.lower()
    return all(m.lower() in low for m in mentions)


def score(records: list[dict[str, Any]], generate: Generate, with_context: bool,
          checker: Checker) -> dict[str, Any]:
    """Scores of one run over `records`, plus a few sample answers."""
    qa_ok = qa_n = valid = exec_ok = sql_n = 0
    samples: list[dict[str, str]] = []
    started = time.perf_counter()
    for record in records:
        answer = generate(record, with_context)
        if len(samples) < 4:
            samples.append({"question": record["question"], "answer": answer[:300],
                            "gold": record["answer"][:300]})
        if record["kind"] == "schema_qa":
            qa_n += 1
            qa_ok += mentions_all(answer, record["mentions"])
            continue
        sql_n += 1
        sql = first_sql(answer)
        if not checker.valid(sql):
            continue
        valid += 1
        try:
            _, rows = checker.run(sql)
        except BadInput:
            continue
        exec_ok += rows[: len(record["rows"]) or None] == record["rows"]
    return {"schema_qa_accuracy": _ratio(qa_ok, qa_n), "sql_validity": _ratio(valid, sql_n),
            "execution_accuracy": _ratio(exec_ok, sql_n), "schema_qa": qa_n, "sql": sql_n,
            "seconds": round(time.perf_counter() - started, 1), "samples": samples}


def _ratio(ok: int, n: int) -> float | None:
    return round(ok / n, 4) if n else None


def headline(run: dict[str, Any]) -> float:
    """One number to compare runs: the mean of Q&A and execution accuracy."""
    values = [v for v in (run["schema_qa_accuracy"], run["execution_accuracy"]) if v is not None]
    return round(sum(values) / len(values), 4) if values else 0.0


def markdown(report: dict[str, Any]) -> str:
    """The report as a markdown table."""
    lines = [f"Held-out tables: {', '.join(report['held_out_tables'])}; "
             f"{report['examples']} examples.", "",
             "| model | context | schema Q&A acc. | SQL validity | execution acc. |",
             "|---|---|---|---|---|"]
    for run in report["runs"]:
        lines.append(f"| {run['model']} | {'with' if run['with_context'] else 'without'} | "
                     f"{_pct(run['schema_qa_accuracy'])} | {_pct(run['sql_validity'])} | "
                     f"{_pct(run['execution_accuracy'])} |")
    return "\n".join(lines) + "\n"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def guard_checker(settings: Settings) -> tuple[Checker, Callable[[], None]]:
    """A checker over the settings' database through the read-only guard."""
    from schemachat.agent.sql.guard import check_sql, run_read_only
    from schemachat.ingest.firebird import connect
    from schemachat.training.dataset import normalise_rows

    con = connect(settings)

    def valid(sql: str) -> bool:
        try:
            check_sql(con, sql, settings)
        except BadInput:
            return False
        return bool(sql)

    def run(sql: str) -> tuple[list[str], list[list[Any]]]:
        result = run_read_only(con, sql, settings)
        return result.columns, normalise_rows(result.rows)

    return Checker(valid, run), con.close


def hf_generators(adapter_dir: Path, *, cache_dir: Path | None = None,
                  max_new_tokens: int = 40) -> dict[str, Generate]:
    """Greedy generators for "base" and "adapter" sharing one loaded model."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from schemachat.agent.models.formats import PLAIN_STOP
    from schemachat.training.lora import TrainConfig, _plain_config, render, resolve_base

    args = json.loads((adapter_dir / "training_args.json").read_text("utf-8"))
    config = TrainConfig(**args["schemachat"])
    source = resolve_base(config.base, cache_dir)
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
    base = AutoModelForCausalLM.from_pretrained(source, config=_plain_config(source),
                                                dtype=torch.float32, local_files_only=True)
    model = PeftModel.from_pretrained(base, str(adapter_dir))
    model.eval()

    def run(record: dict[str, Any], with_context: bool) -> str:
        prompt, _ = render(tokenizer, record, config, with_context)
        ids = tokenizer(prompt, return_tensors="pt")
        with torch.no_grad():
            out = model.generate(**ids, max_new_tokens=max_new_tokens, do_sample=False,
                                 pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id)
        text = tokenizer.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)
        for stop in PLAIN_STOP:
            text = text.split(stop)[0]
        return text.strip()

    def base_run(record: dict[str, Any], with_context: bool) -> str:
        with model.disable_adapter():
            return run(record, with_context)

    return {"base": base_run, "adapter": run}


def evaluate(adapter_dir: Path, dataset_dir: Path, checker: Checker,
             generators: dict[str, Generate], *, limit: int | None = 20) -> dict[str, Any]:
    """Run the four evaluations and write the reports into `adapter_dir`."""
    eval_file = Path(dataset_dir) / "eval.jsonl"
    if not eval_file.is_file():
        raise BadInput(f"no {eval_file}: run `schemachat train dataset` first")
    records = pick(read_examples(eval_file), limit)
    dataset = json.loads((Path(dataset_dir) / "dataset.json").read_text("utf-8"))
    runs = []
    for model, with_context in RUNS:
        result = score(records, generators[model], with_context, checker)
        runs.append({"model": model, "with_context": with_context, **result,
                     "headline": headline(result)})
    report = {"adapter": str(adapter_dir), "dataset_fingerprint": dataset["fingerprint"],
              "held_out_tables": dataset["held_out_tables"], "examples": len(records),
              "runs": runs}
    adapter_dir = Path(adapter_dir)
    (adapter_dir / "eval_report.json").write_text(json.dumps(report, indent=2,
                                                             ensure_ascii=False), "utf-8")
    (adapter_dir / "eval_report.md").write_text(markdown(report), "utf-8")
    return report


def adapter_score(report: dict[str, Any]) -> float:
    """The adapter's headline with context (what the agent runs)."""
    return next(r["headline"] for r in report["runs"]
                if r["model"] == "adapter" and r["with_context"])


def evaluate_with_settings(adapter_dir: Path, dataset_dir: Path, settings: Settings, *,
                           limit: int | None = 20) -> dict[str, Any]:
    """`evaluate` with the guard on the settings' database and the adapter's own base."""
    checker, close = guard_checker(settings)
    try:
        return evaluate(adapter_dir, dataset_dir, checker,
                        hf_generators(Path(adapter_dir), cache_dir=settings.model_cache_dir),
                        limit=limit)
    finally:
        close()
