"""Adapter folders shaped like PEFT's output, for the adapter store and model tests."""

from __future__ import annotations

import json
from pathlib import Path

LLAMA = "meta-llama/Meta-Llama-3-8B-Instruct"


def peft_folder(path: Path, base: str, *, rank: int = 16) -> Path:
    """A folder shaped like a PEFT adapter (the store never loads the weights)."""
    path.mkdir(parents=True)
    (path / "adapter_config.json").write_text(json.dumps({
        "base_model_name_or_path": base, "peft_type": "LORA", "r": rank, "lora_alpha": 32,
        "target_modules": ["v_proj", "q_proj"], "task_type": "CAUSAL_LM"}))
    (path / "adapter_model.safetensors").write_bytes(b"\0" * 16)
    (path / "train_results.json").write_text("{}")
    return path
