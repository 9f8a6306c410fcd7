"""The agent over HTTP: POST /ask and /sql (the answer object of docs/architecture.md), and the
OpenAI-compatible /v1/models and /v1/chat/completions (plain and streamed) driven with the
`openai` client and LangChain's ChatOpenAI against the running server. The agent runs the
`fake` model backend over the tiny retrieval schema."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from schemachat.agent.retrieval.embeddings import SentenceEmbeddings
from schemachat.agent.retrieval.index import build_index
from schemachat.configs import load_settings
from schemachat.ui.api import create_app
from tests.support import retrieval_fixtures
from tests.support.api import ANSWER, SQL, TOKEN, running

CONTRACT = {"answer", "sql", "columns", "rows", "citations", "error", "plan",
            "chosen_by"}


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, embeddings: SentenceEmbeddings) -> Path:
    """The tiny merged schema with its retrieval index, built once for this module."""
    root = tmp_path_factory.mktemp("agent_ws")
    settings = retrieval_fixtures.tiny_workspace(root)
    build_index(settings, embeddings=embeddings)
    return root


@pytest.fixture
def serve(indexed: Path, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """`serve(fake_responses=[...])` -> base URL of an API over a copy of the workspace."""
    import shutil

    stack: list[Any] = []

    def start(**overrides: Any) -> str:
        root = tmp_path / f"ws{len(stack)}"
        shutil.copytree(indexed, root)
        overrides.setdefault("fake_responses", [ANSWER])
        overrides.setdefault("agent_plans", False)  # the fake model drafts
        overrides.setdefault("model_backend", "fake")
        settings = load_settings(workspace=root, api_tokens=[TOKEN], **overrides)
        ctx = running(create_app(settings))
        stack.append(ctx)
        return ctx.__enter__()

    yield start
    for ctx in reversed(stack):
        ctx.__exit__(None, None, None)


def _client(base: str) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=60,
                        headers={"Authorization": f"Bearer {TOKEN}"})


def test_ask_returns_the_contract_object(serve: Callable[..., str]) -> None:
    with _client(serve()) as client:
        reply = client.post("/ask", json={"question": "onde fica o cadastro de clientes?"})
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert set(body) == CONTRACT
        assert body["answer"].startswith(ANSWER) and body["error"] is None
        assert {"table": "CAD_CLI", "column": None, "value": None, "meaning": None} \
            in body["citations"]
        metrics = client.get("/metrics").text
        assert 'schemachat_agent_turns_total{endpoint="ask",outcome="ok"} 1.0' in metrics


@pytest.mark.parametrize(("body", "status", "needle"), [
    ({"question": "   "}, 400, "empty question"),
    ({"question": ""}, 422, "question"),
    ({"question": "x" * 4001}, 422, "question"),
    ({"question": "q", "adapters": ["nope"]}, 400, "nope"),
    ({"question": "q", "backend": "nope"}, 422, "backend"),
    ({"question": "q", "adapters": ["a b"]}, 422, "adapters"),
    ({"question": "q", "session": "a b"}, 422, "session"),
    ({"q": "q"}, 422, "question"),
])
def test_ask_bad_input(serve: Callable[..., str], body: dict[str, Any], status: int,
                       needle: str) -> None:
    with _client(serve()) as client:
        reply = client.post("/ask", json=body)
        assert reply.status_code == status, reply.text
        assert needle in reply.text


def test_sql_drafts_and_says_it_was_not_checked(serve: Callable[..., str]) -> None:
    with _client(serve(fake_responses=[SQL])) as client:
        body = client.post("/sql", json={"question": "código e nome dos clientes"}).json()
        assert set(body) == CONTRACT
        assert body["sql"] == SQL and body["plan"] is None  # drafted, no plan
        assert "no database configured" in body["error"]


def test_sql_answered_by_a_query_plan_carries_it(serve: Callable[..., str]) -> None:
    with _client(serve(model_backend="none", agent_plans=True)) as client:
        body = client.post("/sql", json={"question": "quantos clientes temos?"}).json()
        assert set(body) == CONTRACT
        assert body["plan"] is not None and body["plan"]["table"] == "CAD_CLI"
        assert body["sql"].startswith("SELECT COUNT(*)")
        assert "no database configured" in body["error"]  # compiled, not checked


def test_sessions_keep_the_conversation(serve: Callable[..., str]) -> None:
    with _client(serve()) as client:
        for question in ("onde fica o cadastro de clientes?", "e os pedidos?"):
            reply = client.post("/ask", json={"question": question, "session": "s-1"})
            assert reply.status_code == 200, reply.text


def _openai(base: str, key: str = TOKEN) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base}/v1", api_key=key, max_retries=0, timeout=60)


def test_openai_client_lists_models_and_chats(serve: Callable[..., str]) -> None:
    client = _openai(serve())
    ids = [m.id for m in client.models.list()]
    assert ids[:2] == ["schemachat", "schemachat:fake"]
    reply = client.chat.completions.create(
        model="schemachat", messages=[{"role": "system", "content": "seja breve"},
                                      {"role": "user", "content": "onde ficam os clientes?"}])
    content = reply.choices[0].message.content or ""
    assert content.startswith(ANSWER)
    assert "Sources: CAD_CLI" in content
    assert reply.choices[0].finish_reason == "stop"
    assert reply.model_extra and reply.model_extra["schemachat"]["answer"].startswith(ANSWER)


def test_openai_client_streams(serve: Callable[..., str]) -> None:
    client = _openai(serve(fake_responses=[SQL]))
    stream = client.chat.completions.create(
        model="schemachat:fake", stream=True,
        messages=[{"role": "user", "content": "SQL do código e nome dos clientes"}])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len(chunks) >= 3
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert f"```sql\n{SQL}\n```" in text


def test_openai_errors(serve: Callable[..., str]) -> None:
    base = serve()
    with pytest.raises(openai.AuthenticationError):
        _openai(base, key="wrong").models.list()
    with pytest.raises(openai.NotFoundError, match="unknown model"):
        _openai(base).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "oi"}])
    with pytest.raises(openai.BadRequestError, match="no user message"):
        _openai(base).chat.completions.create(
            model="schemachat", messages=[{"role": "system", "content": "oi"}])


def test_langchain_chat_openai(serve: Callable[..., str]) -> None:
    from langchain_openai import ChatOpenAI

    chat = ChatOpenAI(base_url=f"{serve()}/v1", api_key=TOKEN, model="schemachat",
                      max_retries=0)
    assert str(chat.invoke("onde ficam os clientes?").content).startswith(ANSWER)
    streamed = "".join(str(c.content) for c in chat.stream("onde ficam os clientes?"))
    assert streamed.startswith(ANSWER)


def test_annotation_edit_refreshes_the_index_and_the_running_agent(
        serve: Callable[..., str], tmp_path: Path) -> None:
    import os

    from schemachat.ingest.workspace import Workspace, write_model

    base = serve()
    ws = Workspace(tmp_path / "ws0")
    # Edits are merged into the combined document from the technical schema (older than
    # the combined document, so a save patches the one object instead of merging all).
    write_model(ws.technical, retrieval_fixtures.tiny_technical())
    os.utime(ws.technical, (0, 0))
    question = {"question": "onde ficam os xiloprotocolos?"}
    with _client(base) as client:
        assert client.get("/health").json()["index"] == "ready"
        before = client.post("/ask", json=question).json()  # the agent caches doc and index
        assert before["citations"][0]["table"] != "AUDIT_LOG"
        note = client.get("/annotations/AUDIT_LOG").json()
        saved = client.put("/annotations/AUDIT_LOG", json={
            "based_on": note["revision"], "tags": note["tags"], "columns": note["columns"],
            "description": "Log de auditoria; guarda também os xiloprotocolos."})
        assert saved.status_code == 200, saved.text

        assert client.get("/health").json()["index"] == "ready"  # refreshed, not stale
        table = client.get("/tables/AUDIT_LOG").json()
        assert table["annotation"]["description"].endswith("também os xiloprotocolos.")
        after = client.post("/ask", json=question).json()
        assert after["citations"][0]["table"] == "AUDIT_LOG"  # the refreshed index
        assert "guarda também os xiloprotocolos" in after["answer"]  # the new document


def test_chat_request_schema_states_what_the_route_checks(serve: Callable[..., str]) -> None:
    base = serve()
    with _client(base) as client:
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
        model = schemas["ChatRequest"]["properties"]["model"]
        assert model["pattern"].startswith("^schemachat")
        assert schemas["UserMessage"]["properties"]["content"]["anyOf"][0]["pattern"] == r"\S"
        blank = client.post("/v1/chat/completions", json={
            "model": "schemachat", "messages": [{"role": "user", "content": "  "}]})
        assert blank.status_code == 400, blank.text
        assert blank.json()["error"]["code"] == "invalid_request"
        assert blank.json()["error"]["message"].startswith("messages.0.user.content")
        other = client.post("/v1/chat/completions", json={
            "model": "schemachat:nope", "messages": [{"role": "user", "content": "oi"}]})
        assert other.status_code == 404 and other.json()["error"]["code"] == "model_not_found"
