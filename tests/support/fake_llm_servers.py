"""Small fake model servers on loopback, with the routes and payloads of the real ones:
text-generation-inference (`/generate`, `/generate_stream`) and an OpenAI-compatible
`/v1/chat/completions` (plain and streamed). They record what they were sent.

Structured output: a request carrying TGI's `parameters.grammar` ({"type": "json",
"value": schema}) or OpenAI's `response_format` ({"type": "json_schema", ...}) is
answered with `structured_reply` when set, else with a value the schema admits
(`instance_of`, taking the `choice`-th option of every enum and anyOf), as a server
enforcing it would; with `refuse_structured` such a request gets a 4xx instead, as from
a server that does not take the field."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeServer:
    """What a fake server answers and what it received."""

    reply: str = "SELECT FIRST 5 * FROM CLIENTES"
    fail_first: int = 0          # answer 503 to this many requests first
    status: int | None = None    # answer every request with this status (e.g. 422)
    # OpenAI route, plain requests: assistant messages to answer in turn (tool calls too)
    script: list[dict[str, Any]] = field(default_factory=list)
    structured_reply: str | None = None  # the answer to a request with a schema
    choice: int = 0  # else: which option of each enum the generated answer takes
    refuse_structured: bool = False  # 4xx to any request with grammar / response_format
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""


def instance_of(schema: dict[str, Any], choice: int = 0) -> Any:
    """A value `schema` admits: the `choice`-th option (modulo their number) of each
    enum and anyOf, every required property, `minItems` items of an array."""
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][choice % len(schema["enum"])]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return instance_of(schema[key][choice % len(schema[key])], choice)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = kind[0]
    if kind == "object":
        props = schema.get("properties", {})
        return {k: instance_of(props[k], choice) for k in schema.get("required", list(props))}
    if kind == "array":
        return [instance_of(schema.get("items", {}), choice + i)
                for i in range(schema.get("minItems", 0))]
    return {"string": "", "integer": 0, "number": 0, "boolean": False}.get(str(kind))


def _schema_of(path: str, body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON Schema a request asks its answer to follow, if any."""
    if path.startswith("/generate"):
        grammar = (body.get("parameters") or {}).get("grammar")
        return grammar.get("value") if grammar and grammar.get("type") == "json" else None
    fmt = body.get("response_format") or {}
    return (fmt.get("json_schema") or {}).get("schema") if fmt.get("type") == "json_schema" \
        else None


def _tokens(text: str) -> list[str]:
    words = text.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]


class _Handler(BaseHTTPRequestHandler):
    server_state: FakeServer

    def log_message(self, *args: Any) -> None:  # keep pytest output clean
        pass

    def _json(self, status: int, data: Any) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _sse(self, events: list[str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for event in events:
            self.wfile.write(f"data: {event}\n\n".encode())
            self.wfile.flush()
            time.sleep(0.001)

    def do_POST(self) -> None:
        state = self.server_state
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        state.requests.append({"path": self.path, **body})
        state.headers.append({k.lower(): v for k, v in self.headers.items()})
        if state.fail_first > 0:
            state.fail_first -= 1
            return self._json(503, {"error": "Model is overloaded", "error_type": "overloaded"})
        if state.status is not None:
            return self._json(state.status, {"error": "Invalid adapter id",
                                             "error_type": "validation"})
        schema = _schema_of(self.path, body)
        if schema is not None and state.refuse_structured:
            if self.path.startswith("/generate"):
                return self._json(422, {"error": "Grammar is not supported",
                                        "error_type": "validation"})
            return self._json(400, {"error": {
                "message": "response_format json_schema is not supported",
                "type": "invalid_request_error", "param": "response_format"}})
        route = {"/generate": self._tgi, "/generate_stream": self._tgi_stream,
                 "/v1/chat/completions": self._openai}.get(self.path)
        if route is None:
            return self._json(404, {"error": f"no route {self.path}"})
        route(body)

    def _reply(self, body: dict[str, Any]) -> str:
        """The text to answer: the structured reply (or one the schema admits) when the
        request carries a schema, else `reply`."""
        state = self.server_state
        schema = _schema_of(self.path, body)
        if schema is None:
            return state.reply
        if state.structured_reply is not None:
            return state.structured_reply
        return json.dumps(instance_of(schema, state.choice), separators=(",", ":"))

    def _tgi(self, body: dict[str, Any]) -> None:
        self._json(200, {"generated_text": self._reply(body),
                         "details": {"finish_reason": "eos_token", "generated_tokens": 7}})

    def _tgi_stream(self, body: dict[str, Any]) -> None:
        reply = self._reply(body)
        tokens = _tokens(reply)
        events = []
        for n, text in enumerate(tokens):
            last = n == len(tokens) - 1
            events.append(json.dumps({
                "index": n, "token": {"id": n, "text": text, "logprob": -0.1, "special": False},
                "generated_text": reply if last else None, "details": None}))
        events.append(json.dumps({"index": len(tokens), "token": {
            "id": 2, "text": "</s>", "logprob": 0.0, "special": True},
            "generated_text": None, "details": None}))
        self._sse(events)

    def _openai(self, body: dict[str, Any]) -> None:
        model, created = body.get("model", "?"), int(time.time())
        reply = self._reply(body)
        if not body.get("stream"):
            message = (self.server_state.script.pop(0) if self.server_state.script
                       else {"role": "assistant", "content": reply})
            finish = "tool_calls" if message.get("tool_calls") else "stop"
            return self._json(200, {
                "id": "chatcmpl-1", "object": "chat.completion", "created": created,
                "model": model, "choices": [{"index": 0, "finish_reason": finish,
                                             "message": message}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 7, "total_tokens": 17}})
        events = [json.dumps({"id": "chatcmpl-1", "object": "chat.completion.chunk",
                              "created": created, "model": model, "choices": [{
                                  "index": 0, "delta": {"role": "assistant", "content": text},
                                  "finish_reason": None}]}) for text in _tokens(reply)]
        events.append(json.dumps({"id": "chatcmpl-1", "object": "chat.completion.chunk",
                                  "created": created, "model": model, "choices": [{
                                      "index": 0, "delta": {}, "finish_reason": "stop"}]}))
        events.append("[DONE]")
        self._sse(events)


@contextmanager
def fake_server(state: FakeServer | None = None) -> Iterator[FakeServer]:
    """Serve `state` on 127.0.0.1 (a free port) for the `with` block."""
    state = state or FakeServer()
    handler = type("Handler", (_Handler,), {"server_state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
