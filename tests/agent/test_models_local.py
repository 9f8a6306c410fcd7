"""The local backend on a tiny random Llama built in the test: adapters switched per
request on one base, weighted combinations, streaming, stop strings, chat templates."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from schemachat.agent.models import adapter_store, chat_model
from schemachat.agent.models.hf_base import forget_bases, load_base
from schemachat.agent.models.local import LocalChatModel
from schemachat.configs import BadInput
from tests.support.tiny_llama import build_adapter, build_model

PROMPT = [SystemMessage("tabela produtos"), HumanMessage("onde fica o limite de crédito")]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """base/ (tiny Llama), a/ and b/ (LoRA adapters of ranks 4 and 8)."""
    root = tmp_path_factory.mktemp("tiny")
    build_model(root / "base")
    build_adapter(root / "base", root / "a", seed=1, rank=4)
    build_adapter(root / "base", root / "b", seed=2, rank=8)
    return root


@pytest.fixture
def model(tiny: Path) -> LocalChatModel:
    forget_bases()
    return LocalChatModel(model_path=str(tiny / "base"), max_new_tokens=10,
                          adapter_dirs={"a": str(tiny / "a"), "b": str(tiny / "b")})


def test_adapters_switch_per_request_on_one_base(model: LocalChatModel) -> None:
    base = model.base()
    weights = base.model
    plain = model.invoke(PROMPT).content
    with_a = model.invoke(PROMPT, adapters=["a"]).content
    with_b = model.invoke(PROMPT, adapters=["b"]).content
    assert len({plain, with_a, with_b}) == 3
    # switching back gives the same answers: nothing leaks between requests
    assert model.invoke(PROMPT, adapters=["a"]).content == with_a
    assert model.invoke(PROMPT).content == plain
    assert model.invoke(PROMPT, adapters=["b"]).content == with_b
    assert model.base() is base and base.model is weights  # never reloaded
    assert base.peft is not None and base.peft.get_base_model() is weights
    assert base.loaded_adapters == ["a", "b"]


def test_weighted_combination(model: LocalChatModel) -> None:
    with_a = model.invoke(PROMPT, adapters=["a"]).content
    both = model.invoke(PROMPT, adapters=["a", "b"]).content
    assert both not in (with_a, model.invoke(PROMPT, adapters=["b"]).content)
    # a with weight 1 and b with weight 0 is exactly a (ranks differ: "cat" combination)
    only_a = model.invoke(PROMPT, adapters=["a", "b"], adapter_weights=[1.0, 0.0]).content
    assert only_a == with_a
    assert len(model.base().combos) == 2  # each combination built once, kept
    model.invoke(PROMPT, adapters=["a", "b"])
    assert len(model.base().combos) == 2
    with pytest.raises(BadInput, match="one weight per adapter"):
        model.invoke(PROMPT, adapters=["a", "b"], adapter_weights=[1.0])


def test_default_adapters_of_the_model(tiny: Path, model: LocalChatModel) -> None:
    with_b = model.invoke(PROMPT, adapters=["b"]).content
    preset = model.model_copy(update={"adapters": ["b"]})
    assert preset.invoke(PROMPT).content == with_b
    assert preset.invoke(PROMPT, adapters=[]).content == model.invoke(PROMPT).content
    with pytest.raises(BadInput, match=r"unknown adapter\(s\): zzz .*registered: a, b"):
        model.invoke(PROMPT, adapters=["zzz"])


def test_stream_yields_chunks_that_add_up(model: LocalChatModel) -> None:
    full = model.invoke(PROMPT, adapters=["a"]).content
    chunks = [c.content for c in model.stream(PROMPT, adapters=["a"])]
    assert len([c for c in chunks if c]) > 1
    assert "".join(chunks).strip() == full.strip()
    # a reader that stops early ends generation; the base serves the next request
    stream = model.stream(PROMPT)
    next(stream)
    stream.close()
    assert model.invoke(PROMPT).content


def test_stop_strings_cut_invoke_and_stream(model: LocalChatModel) -> None:
    full = model.invoke(PROMPT, max_new_tokens=12).content
    words = full.split()
    assert len(words) >= 3
    stop = " " + words[2]
    cut = full[: full.index(stop)]
    assert model.invoke(PROMPT, stop=[stop], max_new_tokens=12).content == cut
    assert "".join(c.content for c in model.stream(PROMPT, stop=[stop],
                                                   max_new_tokens=12)) == cut


def test_plain_prompt_without_template_and_chat_template_when_present(
        tiny: Path, model: LocalChatModel) -> None:
    base = model.base()
    inputs, stops = model._encode(base, PROMPT, None)
    text = base.tokenizer.decode(inputs["input_ids"][0])
    assert "Question: onde fica" in text and text.endswith("Answer:")
    assert "\nQuestion:" in stops
    base.tokenizer.chat_template = (
        "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}"
        "{% if add_generation_prompt %}<assistant>{% endif %}")
    try:
        inputs, stops = model._encode(base, PROMPT, ["X"])
        assert stops == ["X"]  # no transcript stops with a chat template
        assert inputs["input_ids"].shape[1] > 0
    finally:
        base.tokenizer.chat_template = None


def test_chat_model_local_backend_uses_workspace_adapters(tiny: Path, make_settings) -> None:
    forget_bases()
    settings = make_settings(model_backend="local", model_path=tiny / "base",
                             adapters=["schema"], max_new_tokens=8)
    store = adapter_store(settings)
    store.add("schema", tiny / "a", mode="link")
    store.add("chat", tiny / "b")
    model = chat_model(settings)
    direct = LocalChatModel(model_path=str(tiny / "base"), max_new_tokens=8,
                            adapter_dirs={"a": str(tiny / "a")})
    assert model.invoke(PROMPT).content == direct.invoke(PROMPT, adapters=["a"]).content
    assert load_base(str(tiny / "base")) is direct.base()  # one base per process
    assert chat_model(settings, adapters=["chat", "schema"]).invoke(PROMPT).content
    with pytest.raises(BadInput, match=r"no adapter named 'nope'.*known: chat, schema"):
        chat_model(settings, adapters=["nope"])


def test_local_backend_follows_the_active_adapter(tiny: Path, make_settings) -> None:
    """Without `adapters` in the settings, the model uses training/active.json's adapter,
    re-read when it changes; an explicit [] (setting or request) means the bare base."""
    from schemachat.agent.adapters.active import ActiveAdapter, write_active

    forget_bases()
    settings = make_settings(model_backend="local", model_path=tiny / "base", max_new_tokens=8)
    store = adapter_store(settings)
    store.add("schema-1", tiny / "a", mode="link")
    store.add("schema-2", tiny / "b", mode="link")
    direct = LocalChatModel(model_path=str(tiny / "base"), max_new_tokens=8,
                            adapter_dirs={"a": str(tiny / "a"), "b": str(tiny / "b")})
    plain = direct.invoke(PROMPT).content
    with_a = direct.invoke(PROMPT, adapters=["a"]).content
    with_b = direct.invoke(PROMPT, adapters=["b"]).content
    assert len({plain, with_a, with_b}) == 3

    model = chat_model(settings)
    assert model.invoke(PROMPT).content == plain  # no active.json yet: the base
    write_active(settings.workspace, ActiveAdapter(adapter="schema-1"))
    reply = model.invoke(PROMPT)
    assert reply.content == with_a and reply.response_metadata["adapters"] == ["schema-1"]
    base = model.base()
    assert base.peft is not None and base.peft.active_adapter == "sc_schema-1"
    assert "".join(c.content for c in model.stream(PROMPT)).strip() == with_a.strip()

    # retrain switched: the same long-lived model picks the new one on its next request
    write_active(settings.workspace, ActiveAdapter(adapter="schema-2"))
    assert model.invoke(PROMPT).content == with_b
    # explicit choices win: per request, per chat_model call, and in the settings
    assert model.invoke(PROMPT, adapters=[]).content == plain
    assert model.invoke(PROMPT, adapters=["schema-1"]).content == with_a
    assert chat_model(settings, adapters=[]).invoke(PROMPT).content == plain
    none = make_settings(model_backend="local", model_path=tiny / "base", max_new_tokens=8,
                         adapters=[])
    assert chat_model(none).invoke(PROMPT).content == plain
    pinned = none.model_copy(update={"adapters": ["schema-1"]})
    assert chat_model(pinned).invoke(PROMPT).content == with_a


def test_active_adapter_of_another_base_is_not_used(tiny: Path, tmp_path: Path,
                                                     make_settings) -> None:
    from schemachat.agent.adapters.active import ActiveAdapter, write_active

    forget_bases()
    build_adapter(tiny / "base", tmp_path / "other", seed=3, base_name="org/another-model")
    settings = make_settings(model_backend="local", model_path=tiny / "base", max_new_tokens=8)
    (settings.workspace / "adapters").mkdir(parents=True)
    (settings.workspace / "adapters" / "other").symlink_to(tmp_path / "other")
    write_active(settings.workspace, ActiveAdapter(adapter="other"))
    reply = chat_model(settings).invoke(PROMPT)
    assert reply.response_metadata["adapters"] == []
    write_active(settings.workspace, ActiveAdapter(adapter="gone"))  # folder missing
    assert chat_model(settings).invoke(PROMPT).response_metadata["adapters"] == []
