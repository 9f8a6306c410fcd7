"""A transformers base model loaded once per process, and the LoRA adapters put on it.

`load_base` keeps one `LoadedBase` per (path, dtype, 4-bit) for the life of the process,
so every chat model built on the same base shares its weights. Adapters are loaded into
one peft `PeftModel` wrapped around that base (`load_adapter`), switched per request
(`set_adapter`), and combined with `add_weighted_adapter` when several are active; the
base is never reloaded. A base serves one generation at a time (`LoadedBase.lock`),
because the active adapter is state of the model.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemachat.agent.models.errors import ModelError
from schemachat.configs import BadInput

if TYPE_CHECKING:
    import torch
    from peft import PeftModel
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


@dataclass
class LoadedBase:
    """A base model, its tokenizer and the adapters loaded on it so far."""

    source: str
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    device: torch.device
    lock: threading.RLock = field(default_factory=threading.RLock)
    peft: PeftModel | None = None
    adapter_paths: dict[str, str] = field(default_factory=dict)
    combos: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def loaded_adapters(self) -> list[str]:
        """Names of the adapters loaded (not the weighted combinations)."""
        return sorted(self.adapter_paths)


_BASES: dict[tuple[str, str, bool], LoadedBase] = {}
_BASES_LOCK = threading.Lock()


def load_base(source: str | Path, *, dtype: str = "auto", load_in_4bit: bool = False,
              local_files_only: bool = True) -> LoadedBase:
    """The base model at `source` (a folder, or a hub id found in the hub cache), loaded
    once per process. BadInput when it cannot be found; ModelError when it fails to load."""
    key = (str(source), dtype, load_in_4bit)
    with _BASES_LOCK:
        if key not in _BASES:
            _BASES[key] = load_base_uncached(source, dtype=dtype, load_in_4bit=load_in_4bit,
                                             local_files_only=local_files_only)
        return _BASES[key]


def forget_bases() -> None:
    """Drop the per-process cache (tests, benchmarks)."""
    with _BASES_LOCK:
        _BASES.clear()


def load_base_uncached(source: str | Path, *, dtype: str = "auto", load_in_4bit: bool = False,
                       local_files_only: bool = True) -> LoadedBase:
    """Load tokenizer and model from `source` without the cache (see load_base)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if local_files_only:  # never reach for a model hub from here
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    kwargs: dict[str, Any] = {"dtype": _torch_dtype(dtype, cuda),
                              "local_files_only": local_files_only}
    if load_in_4bit:
        kwargs["quantization_config"] = _four_bit_config(cuda)
        kwargs["device_map"] = {"": 0}
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=local_files_only)
        model = AutoModelForCausalLM.from_pretrained(str(source), **kwargs)
    except OSError as exc:
        raise BadInput(f"model {source}: not found or incomplete ({_first_line(exc)}); set "
                       "model_path to a local folder, or model_id to a model in the hub "
                       "cache") from None
    except Exception as exc:
        raise ModelError(f"model {source} failed to load: {_first_line(exc)}") from exc
    if not load_in_4bit:
        model.to(device)
    model.eval()
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return LoadedBase(source=str(source), model=model, tokenizer=tokenizer, device=device)


def _torch_dtype(name: str, cuda: bool) -> torch.dtype:
    import torch

    if name == "auto":
        return torch.bfloat16 if cuda else torch.float32
    return {"float32": torch.float32, "bfloat16": torch.bfloat16,
            "float16": torch.float16}[name]


def _four_bit_config(cuda: bool) -> Any:
    """QLoRA-style NF4 with double quantisation and bfloat16 compute; CUDA only."""
    if not cuda:
        raise BadInput("load_in_4bit needs a CUDA GPU (bitsandbytes); none is available here")
    try:
        import bitsandbytes  # noqa: F401
    except ImportError:
        raise BadInput("load_in_4bit needs bitsandbytes: pip install 'schemachat[cuda]'") from None
    import torch
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                              bnb_4bit_use_double_quant=True,
                              bnb_4bit_compute_dtype=torch.bfloat16)


@contextmanager
def with_adapters(base: LoadedBase, adapters: Sequence[tuple[str, str | Path]],
                  weights: Sequence[float] | None = None) -> Iterator[Any]:
    """Yield the model to generate with, the named adapters active (none: the bare base).

    `adapters` are (name, folder) pairs; they are loaded on first use and kept. Several
    are combined into one weighted adapter (peft `add_weighted_adapter`, "cat": the
    exact weighted sum of the LoRA updates, ranks may differ), kept for reuse. Call with
    `base.lock` held. BadInput when an adapter does not fit the base.
    """
    if not adapters:
        if base.peft is None:
            yield base.model
        else:
            with base.peft.disable_adapter():
                yield base.peft
        return
    for name, path in adapters:
        _ensure_loaded(base, name, str(path))
    assert base.peft is not None
    names = [_peft_name(name) for name, _ in adapters]
    active = names[0] if len(names) == 1 else _combination(base, names, weights)
    base.peft.set_adapter(active)
    yield base.peft


def _ensure_loaded(base: LoadedBase, name: str, path: str) -> None:
    if base.adapter_paths.get(name) == path:
        return
    try:
        if base.peft is None:
            from peft import PeftModel

            base.peft = PeftModel.from_pretrained(base.model, path,
                                                  adapter_name=_peft_name(name),
                                                  is_trainable=False)
        else:
            if name in base.adapter_paths:  # re-registered from another folder
                _drop(base, name)
            base.peft.load_adapter(path, adapter_name=_peft_name(name), is_trainable=False)
    except (ValueError, RuntimeError, KeyError, OSError) as exc:
        raise BadInput(f"adapter {name!r} ({path}) does not fit base model {base.source}: "
                       f"{_first_line(exc)}") from None
    base.peft.eval()
    base.adapter_paths[name] = path


def _drop(base: LoadedBase, name: str) -> None:
    assert base.peft is not None
    for combo, parts in list(base.combos.items()):
        if _peft_name(name) in parts:
            base.peft.delete_adapter(combo)
            del base.combos[combo]
    base.peft.delete_adapter(_peft_name(name))
    del base.adapter_paths[name]


def _peft_name(name: str) -> str:
    # peft misreads adapter names that occur inside its "lora_" prefix (such as "a").
    return f"sc_{name}"


def _combination(base: LoadedBase, names: list[str], weights: Sequence[float] | None) -> str:
    assert base.peft is not None
    ws = [float(w) for w in weights] if weights is not None else [1.0] * len(names)
    if len(ws) != len(names):
        raise BadInput(f"{len(names)} adapters but {len(ws)} adapter weights: give one weight "
                       "per adapter")
    key = "|".join(f"{n}*{w}" for n, w in zip(names, ws, strict=True))
    combo = "combo_" + hashlib.sha1(key.encode()).hexdigest()[:12]
    if combo not in base.combos:
        base.peft.add_weighted_adapter(names, ws, combo, combination_type="cat")
        base.combos[combo] = tuple(names)
    return combo


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
