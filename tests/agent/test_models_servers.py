"""The tgi and openai backends against fake servers speaking the real routes on loopback."""

from __future__ import annotations

import socket

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from schemachat.agent.models import ModelError, chat_model
from schemachat.agent.models.tgi import TGIChatModel
from schemachat.configs import BadInput
from tests.support.fake_llm_servers import FakeServer, fake_server

MESSAGES = [SystemMessage("Answer with Firebird SQL."), HumanMessage("five customers?")]


def test_tgi_generate_sends_prompt_parameters_and_adapter(make_settings) -> None:
    with fake_server() as server:
        model = chat_model(make_settings(model_backend="tgi", tgi_url=server.url,
                                         max_new_tokens=40))
        answer = model.invoke(MESSAGES, adapters=["schema"])
    assert answer.content == "SELECT FIRST 5 * FROM CLIENTES"
    sent = server.requests[0]
    assert sent["path"] == "/generate"
    assert sent["inputs"].endswith("<|start_header_id|>assistant<|end_header_id|>\n\n")
    assert "five customers?" in sent["inputs"]
    params = sent["parameters"]
    assert params["adapter_id"] == "schema"
    assert params["max_new_tokens"] == 40
    assert "<|eot_id|>" in params["stop"]
    assert params["do_sample"] is False and "temperature" not in params


def test_tgi_stream_yields_tokens_skips_special_and_honours_stop() -> None:
    with fake_server(FakeServer(reply="SELECT 1 FROM RDB$DATABASE\nUser: more")) as server:
        model = TGIChatModel(base_url=server.url, prompt_format="plain", adapter_id="chat")
        chunks = [c.content for c in model.stream(MESSAGES)]
        full = model.invoke(MESSAGES, adapters=[]).content
    assert len(chunks) > 2
    assert "".join(chunks) == "SELECT 1 FROM RDB$DATABASE"  # cut at the plain "\nUser:" stop
    assert full == "SELECT 1 FROM RDB$DATABASE"
    assert server.requests[0]["path"] == "/generate_stream"
    assert server.requests[0]["parameters"]["adapter_id"] == "chat"  # the model's default
    assert "adapter_id" not in server.requests[1]["parameters"]  # adapters=[]: the base
    assert server.requests[0]["inputs"].endswith("Question: five customers?\nAnswer:")


def test_tgi_retries_5xx_then_succeeds() -> None:
    with fake_server(FakeServer(fail_first=2)) as server:
        model = TGIChatModel(base_url=server.url, retry_wait_s=0.01)
        assert model.invoke(MESSAGES).content.startswith("SELECT")
        assert "".join(c.content for c in model.stream(MESSAGES)).startswith("SELECT")
    assert len(server.requests) == 4


def test_tgi_gives_up_with_a_clear_error() -> None:
    with fake_server(FakeServer(fail_first=10)) as server:
        model = TGIChatModel(base_url=server.url, retry_wait_s=0.01, max_tries=2)
        with pytest.raises(ModelError, match=r"HTTP 503: Model is overloaded \(after 2 tries\)"):
            model.invoke(MESSAGES)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    model = TGIChatModel(base_url=url, retry_wait_s=0.01, max_tries=2)
    with pytest.raises(ModelError, match="cannot connect"):
        model.invoke(MESSAGES)
    with pytest.raises(ModelError, match="cannot connect"):
        list(model.stream(MESSAGES))


def test_tgi_4xx_is_bad_input_and_one_adapter_per_request() -> None:
    with fake_server(FakeServer(status=422)) as server:
        model = TGIChatModel(base_url=server.url)
        with pytest.raises(BadInput, match=r"HTTP 422.*Invalid adapter id"):
            model.invoke(MESSAGES, adapters=["nope"])
        with pytest.raises(BadInput, match="Invalid adapter id"):
            list(model.stream(MESSAGES))
        with pytest.raises(BadInput, match="one adapter per request"):
            model.invoke(MESSAGES, adapters=["a", "b"])
    assert len(server.requests) == 2  # 4xx is not retried


def test_openai_compatible_plain_and_stream(make_settings) -> None:
    with fake_server() as server:
        settings = make_settings(model_backend="openai", openai_base_url=server.url + "/v1",
                                 openai_model="llama3", openai_api_key="sk-local",
                                 max_new_tokens=64)
        model = chat_model(settings)
        answer = model.invoke(MESSAGES)
        chunks = [c.content for c in model.stream(MESSAGES, adapters=["schema"])]
        model.invoke(MESSAGES, max_new_tokens=12)  # as the agent's nodes call it
    assert answer.content == "SELECT FIRST 5 * FROM CLIENTES"
    assert "".join(chunks) == answer.content and len([c for c in chunks if c]) > 2
    plain, streamed, capped = server.requests
    assert "max_new_tokens" not in capped
    assert capped.get("max_completion_tokens", capped.get("max_tokens")) == 12
    assert plain["model"] == "llama3" and not plain.get("stream")
    assert plain.get("max_completion_tokens", plain.get("max_tokens")) == 64
    assert plain["messages"][0] == {"role": "system", "content": "Answer with Firebird SQL."}
    assert streamed["stream"] is True and streamed["model"] == "schema"  # adapter = model name
    assert server.headers[0]["authorization"] == "Bearer sk-local"


def test_backend_settings_are_checked(make_settings) -> None:
    with pytest.raises(BadInput, match="tgi_url"):
        chat_model(make_settings(model_backend="tgi"))
    with pytest.raises(BadInput, match="openai_model"):
        chat_model(make_settings(model_backend="openai"))
    with pytest.raises(BadInput, match="one adapter per request"):
        chat_model(make_settings(model_backend="tgi", tgi_url="http://x"), adapters=["a", "b"])
    with pytest.raises(BadInput, match="model_path"):
        chat_model(make_settings(model_backend="local"))
    with pytest.raises(BadInput, match="unknown model backend"):
        chat_model(make_settings(), backend="gpt5")
    fake = chat_model(make_settings(fake_responses=["um", "dois"]), backend="fake")
    assert [fake.invoke("x").content for _ in range(3)] == ["um", "dois", "um"]


def test_tgi_follows_the_active_adapter_of_the_same_base(make_settings) -> None:
    from schemachat.agent.adapters.active import ActiveAdapter, write_active
    from tests.support.adapters import LLAMA, peft_folder

    settings = make_settings(model_backend="tgi", model_id=LLAMA)
    peft_folder(settings.workspace / "adapters" / "schema-1", LLAMA)
    peft_folder(settings.workspace / "adapters" / "mistral", "mistralai/Mistral-7B-v0.1")
    with fake_server() as server:
        settings = settings.model_copy(update={"tgi_url": server.url})
        model = chat_model(settings)
        model.invoke(MESSAGES)
        write_active(settings.workspace, ActiveAdapter(adapter="schema-1"))
        model.invoke(MESSAGES)
        model.invoke(MESSAGES, adapters=[])
        chat_model(settings, adapters=[]).invoke(MESSAGES)
        write_active(settings.workspace, ActiveAdapter(adapter="mistral"))  # another base
        model.invoke(MESSAGES)
        write_active(settings.workspace, ActiveAdapter(adapter="schema-1"))
        unchecked = settings.model_copy(update={"model_id": None})  # no base to check
        chat_model(unchecked).invoke(MESSAGES)
    sent = [r["parameters"].get("adapter_id") for r in server.requests]
    assert sent == [None, "schema-1", None, None, None, None]
