"""The HTTP API run for real (uvicorn on 127.0.0.1, a free port) and talked to over HTTP:
auth, rate limit, size limit, CORS, /health (with the chat model's warm-up: none, loading,
ready, failed), /tables, /annotations (same store and concurrency rules as the Annotate
tab), /feedback, /metrics, the OpenAPI document."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from schemachat.ui.api import create_app
from schemachat.ui.api.auth import hash_token
from tests.support.api import TOKEN, running, small_settings


def url(client: httpx.Client, path: str) -> str:
    """An absolute URL on the client's server (for requests without its token)."""
    return str(client.base_url).rstrip("/") + path


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Callable[..., httpx.Client]]:
    """`api(**settings)` -> an httpx client (with TOKEN) on a freshly served app."""
    stack: list[Any] = []

    def start(**overrides: Any) -> httpx.Client:
        app = create_app(small_settings(tmp_path / f"ws{len(stack)}", **overrides))
        ctx = running(app)
        base = ctx.__enter__()
        client = httpx.Client(base_url=base, timeout=30,
                              headers={"Authorization": f"Bearer {TOKEN}"})
        stack.append((ctx, client))
        return client

    yield start
    for ctx, client in reversed(stack):
        client.close()
        ctx.__exit__(None, None, None)


def test_health_needs_no_token(api: Callable[..., httpx.Client]) -> None:
    client = api()
    reply = httpx.get(url(client, "/health"))
    assert reply.status_code == 200
    assert reply.json()["status"] == "ok" and reply.json()["schema_loaded"] is True
    assert reply.json()["index"].startswith("no index in ")  # the agent cannot answer yet
    assert reply.json()["model"] == {"state": "none", "name": None, "error": None,
                                     "seconds": None}


def _health_model(base: str) -> dict[str, Any]:
    reply = httpx.get(f"{base}/health", timeout=10)
    assert reply.status_code == 200
    model: dict[str, Any] = reply.json()["model"]
    return model


def test_health_reports_the_model_loading_then_ready(tmp_path: Path) -> None:
    """The server prepares the model in the background once served: /health says
    loading while the loader runs (here one that waits for the test), then ready."""
    release, entered = threading.Event(), threading.Event()

    def slow(settings: Any, say: Callable[[str], None]) -> None:
        say("loading the weights")
        entered.set()
        release.wait(60)

    settings = small_settings(tmp_path / "ws", model_backend="fake")
    with running(create_app(settings, model_loader=slow)) as base:
        assert entered.wait(20), "the warm-up did not start with the server"
        loading = _health_model(base)
        assert loading["state"] == "loading" and loading["name"] == "fake"
        assert loading["error"] is None
        release.set()
        ready = _wait_model(base)
        assert ready["state"] == "ready" and ready["seconds"] is not None


def _wait_model(base: str) -> dict[str, Any]:
    """/health's model once it is no longer loading (at most 20 s)."""
    deadline = time.monotonic() + 20
    while (model := _health_model(base))["state"] == "loading":
        assert time.monotonic() < deadline, model
        time.sleep(0.05)
    return model


def test_health_reports_a_failed_model_and_the_real_preparation(tmp_path: Path) -> None:
    def broken(settings: Any, say: Callable[[str], None]) -> None:
        raise RuntimeError("no weights in /models/llama")

    with running(create_app(small_settings(tmp_path / "a", model_backend="fake"),
                            model_loader=broken)) as base:
        failed = _wait_model(base)
        assert failed["state"] == "failed" and failed["error"] == "no weights in /models/llama"
    # Without a loader given, the production preparation runs (the fake backend's client).
    with running(create_app(small_settings(tmp_path / "b", model_backend="fake"))) as base:
        ready = _wait_model(base)
        assert (ready["state"], ready["name"], ready["error"]) == ("ready", "fake", None)


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer wrong"},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": "Bearer"},
    {"Authorization": f"Bearer {TOKEN}x"},
])
@pytest.mark.parametrize("path", ["/tables", "/annotations", "/metrics", "/v1/models"])
def test_no_or_wrong_token_is_401_without_detail(api: Callable[..., httpx.Client],
                                                 headers: dict[str, str], path: str) -> None:
    client = api()
    reply = httpx.get(url(client, path), headers=headers)
    assert reply.status_code == 401
    assert reply.json() == {"detail": "unauthorized"}
    assert reply.headers["www-authenticate"] == "Bearer"


def test_hashed_token_file(api: Callable[..., httpx.Client], tmp_path: Path) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text(f"# hashes only\n{hash_token('from-file')} ana\n")
    client = api(api_tokens=[], api_token_file=tokens)
    assert "from-file" not in tokens.read_text()
    ok = client.get("/tables", headers={"Authorization": "Bearer from-file"})
    assert ok.status_code == 200
    assert client.get("/tables").status_code == 401  # TOKEN is not configured here


def test_tables_list_filter_and_detail(api: Callable[..., httpx.Client]) -> None:
    client = api()
    tables = client.get("/tables").json()
    names = [t["name"] for t in tables]
    assert {"CAD_CLI", "MOV_PED"} <= set(names)
    cli = next(t for t in tables if t["name"] == "CAD_CLI")
    assert cli["kind"] == "table" and cli["columns"] == 7
    assert [t["name"] for t in client.get("/tables", params={"q": "cad_c"}).json()] == [
        "CAD_CLI"]
    detail = client.get("/tables/cad_cli")
    assert detail.status_code == 200
    assert [c["name"] for c in detail.json()["columns"]][:2] == ["CLI_COD", "CLI_NOM"]
    missing = client.get("/tables/NOPE")
    assert missing.status_code == 404 and "NOPE" in missing.json()["detail"]


def test_annotation_save_stale_edit_history(api: Callable[..., httpx.Client]) -> None:
    client = api()
    note = client.get("/annotations/CAD_CLI").json()
    assert note["revision"] == 0
    edit = {"based_on": 0, "description": "Clientes",
            "columns": {"SITUACAO": {"description": "Situação", "values": {"A": "ativo"}}}}
    saved = client.put("/annotations/CAD_CLI", json=edit)
    assert saved.status_code == 200, saved.text
    assert saved.json()["revision"] == 1 and saved.json()["updated_by"] == "api:token1"
    # Someone else based on revision 0 too: refused with the newer value shown.
    stale = client.put("/annotations/CAD_CLI", json={**edit, "description": "Outro"})
    assert stale.status_code == 409
    assert "revision 1" in stale.json()["detail"]
    assert stale.json()["current"]["description"] == "Clientes"
    # The combined document was re-merged: /tables/{name} shows it.
    col = next(c for c in client.get("/tables/CAD_CLI").json()["columns"]
               if c["name"] == "SITUACAO")
    assert col["annotation"]["values"] == {"A": "ativo"}
    history = client.get("/annotations/CAD_CLI/history").json()
    assert [h["revision"] for h in history] == [1] and history[0]["who"] == "api:token1"
    assert client.get("/annotations/CAD_CLI/history",
                      params={"column": "CLI_NOM"}).json() == []
    assert client.get("/annotations").json()["objects"]["CAD_CLI"]["revision"] == 1


def test_annotation_bad_input(api: Callable[..., httpx.Client]) -> None:
    client = api()
    unknown_col = client.put("/annotations/CAD_CLI", json={
        "based_on": 0, "columns": {"NOPE": {"description": "x"}}})
    assert unknown_col.status_code == 400 and "NOPE" in unknown_col.json()["detail"]
    assert client.put("/annotations/NOPE", json={"based_on": 0}).status_code == 404
    assert client.put("/annotations/CAD_CLI", json={"based_on": -1}).status_code == 422
    assert client.put("/annotations/CAD_CLI", json={"based_on": 0, "x": 1}
                      ).status_code == 422


def test_concurrent_saves_one_wins_per_revision(api: Callable[..., httpx.Client]) -> None:
    client = api()
    results: list[int] = []

    def save(i: int) -> None:
        with httpx.Client(base_url=client.base_url, headers=client.headers) as c:
            results.append(c.put("/annotations/MOV_PED", json={
                "based_on": 0, "description": f"writer {i}"}).status_code)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200] + [409] * 7
    assert client.get("/annotations/MOV_PED").json()["revision"] == 1


def test_feedback_is_stored(api: Callable[..., httpx.Client], tmp_path: Path) -> None:
    client = api()
    reply = client.post("/feedback", json={"rating": "down", "question": "onde fica o cliente?",
                                           "comment": "faltou a tabela"})
    assert reply.status_code == 201
    lines = (tmp_path / "ws0" / "feedback.jsonl").read_text().splitlines()
    stored = json.loads(lines[0])
    assert stored["id"] == reply.json()["id"] and stored["who"] == "api:token1"
    assert stored["rating"] == "down" and stored["source"] == "api"
    assert client.post("/feedback", json={"rating": "meh", "question": "q"}
                       ).status_code == 422


def test_metrics_count_requests_by_route(api: Callable[..., httpx.Client]) -> None:
    client = api()
    client.get("/tables/CAD_CLI")
    client.get("/tables/MOV_PED")
    text = client.get("/metrics").text
    assert 'schemachat_http_requests_total{method="GET",route="/tables/{name}",status="200"} 2.0' \
        in text
    assert "schemachat_http_request_seconds_bucket" in text


def test_rate_limit_per_token(api: Callable[..., httpx.Client]) -> None:
    client = api(api_rate_limit_per_minute=3, api_tokens=[TOKEN, "other"])
    codes = [client.get("/tables").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/tables")
    assert int(limited.headers["retry-after"]) >= 1
    other = client.get("/tables", headers={"Authorization": "Bearer other"})
    assert other.status_code == 200  # each token has its own bucket


def test_request_size_limit(api: Callable[..., httpx.Client]) -> None:
    client = api(api_max_request_bytes=2048)
    big = {"based_on": 0, "description": "x" * 5000}
    assert client.put("/annotations/CAD_CLI", json=big).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"based_on": 0, "description": "'
        for _ in range(10):
            yield b"y" * 500
        yield b'"}'

    chunked = client.put("/annotations/CAD_CLI", content=chunks(),
                         headers={"content-type": "application/json"})
    assert chunked.status_code == 413
    assert client.get("/annotations/CAD_CLI").json()["revision"] == 0


def test_cors_off_by_default_and_on_for_listed_origins(
        api: Callable[..., httpx.Client]) -> None:
    preflight = {"Origin": "https://tool.example", "Access-Control-Request-Method": "GET"}
    off = api()
    reply = off.options("/tables", headers=preflight)
    assert "access-control-allow-origin" not in reply.headers
    on = api(api_cors_origins=["https://tool.example"])
    reply = on.options("/tables", headers=preflight)
    assert reply.headers["access-control-allow-origin"] == "https://tool.example"


def test_openapi_document(api: Callable[..., httpx.Client]) -> None:
    client = api()
    doc = httpx.get(url(client, "/openapi.json")).json()
    paths = set(doc["paths"])
    assert {"/health", "/tables", "/tables/{name}", "/annotations", "/annotations/{name}",
            "/annotations/{name}/history", "/feedback", "/metrics", "/ask", "/sql",
            "/v1/chat/completions", "/v1/models"} <= paths
    assert "409" in doc["paths"]["/annotations/{name}"]["put"]["responses"]


def test_app_refuses_a_token_file_holding_plain_tokens(tmp_path: Path) -> None:
    from schemachat.configs import BadInput

    tokens = tmp_path / "tokens"
    tokens.write_text("plain-token\n")
    with pytest.raises(BadInput, match=r"tokens:1: expected `sha256:"):
        create_app(small_settings(tmp_path / "ws", api_token_file=tokens))


def test_method_not_allowed_lists_every_method_of_the_path(
        api: Callable[..., httpx.Client]) -> None:
    reply = api().delete("/annotations/CAD_CLI")
    assert reply.status_code == 405
    assert reply.headers["allow"] == "GET, HEAD, PUT"
