"""OpenAI-compatible chat: GET /v1/models and POST /v1/chat/completions (with SSE
streaming), so chat clients and LangChain's ChatOpenAI can talk to the agent.

The last user message is the question; earlier messages are not replayed (the agent keeps
its own conversation): pass `user` (or the `X-Session-Id` header) to continue one. The
model name picks database, backend and adapters (see schemachat.ui.api.agents): GET
/v1/models lists `schemachat/NAME` for each database the token may use, and a name the
token may not use is 403, the same as a database that does not exist. The reply is the
answer, then the SQL in a code block, a small table of rows and the sources; the contract
object itself rides along under `schemachat` (clients ignore unknown fields).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from schemachat.agent.answer import AgentAnswer
from schemachat.agent.session import MAX_QUESTION
from schemachat.configs import BadInput, SchemachatError
from schemachat.ui.api.agents import BASE, MODEL_PATTERN, ModelChoice, model_names, parse_model
from schemachat.ui.api.auth import bearer
from schemachat.ui.api.database_routes import usable
from schemachat.ui.api.databases import ServedDatabase, ServedDatabases
from schemachat.ui.api.models import COMMON, ErrorBody, errors

router = APIRouter(prefix="/v1", tags=["openai"], dependencies=[Depends(bearer)],
                   responses=errors(*COMMON))
TABLE_ROWS = 10
MAX_PARTS = 16  # text parts of one user message


class TextPart(BaseModel):
    """A text part of a user message's content (other part types are not understood)."""

    model_config = ConfigDict(extra="allow")

    type: Literal["text"]
    text: str = Field(max_length=MAX_QUESTION, pattern=r"\S")


class UserMessage(BaseModel):
    """A user message: its text (or its text parts joined, at most MAX_QUESTION
    characters; longer is 400) is the question when it is the last one."""

    model_config = ConfigDict(extra="allow")

    role: Literal["user"]
    content: Annotated[str, Field(min_length=1, max_length=MAX_QUESTION, pattern=r"\S")] | \
        Annotated[list[TextPart], Field(min_length=1, max_length=MAX_PARTS)]


class OtherMessage(BaseModel):
    """A system, assistant, tool or developer message: accepted, not replayed."""

    model_config = ConfigDict(extra="allow")

    role: Literal["system", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None


ChatMessage = Annotated[UserMessage | OtherMessage, Field(discriminator="role")]


def _has_user_message(messages: list[UserMessage | OtherMessage]
                      ) -> list[UserMessage | OtherMessage]:
    if not any(isinstance(m, UserMessage) for m in messages):
        raise ValueError("no user message: the last user message is the question")
    return messages


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, top_p ...: accepted, unused

    # The pattern is checked by the route, so that a name that does not fit is 404
    # model_not_found as OpenAI clients expect, not a validation error.
    model: str = Field(max_length=200, examples=["schemachat"],
                       json_schema_extra={"pattern": MODEL_PATTERN},
                       description="schemachat[/database][:backend][@adapter[+adapter]] "
                                   "(GET /v1/models); another name is 404 model_not_found, "
                                   "a database the token may not use 403.")
    messages: Annotated[list[ChatMessage], AfterValidator(_has_user_message)] = Field(
        min_length=1, max_length=200, json_schema_extra={
            "contains": {"type": "object", "required": ["role"],
                         "properties": {"role": {"const": "user"}}}},
        description="At least one user message; the last one is the question.")
    stream: StrictBool = False
    user: str | None = Field(None, max_length=200, pattern=r"\S",
                             description="Conversation id: later turns of the same id see "
                                         "this one.")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "schemachat"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


def _question(body: ChatRequest) -> str:
    """The text of the last user message (the request model insists there is one)."""
    message = next(m for m in reversed(body.messages) if isinstance(m, UserMessage))
    if isinstance(message.content, str):
        return message.content
    return "".join(p.text for p in message.content)


def render_extras(result: AgentAnswer) -> str:
    """The SQL as a code block, the first rows as a Markdown table, the sources, the error."""
    parts = []
    if result.sql:
        parts.append(f"```sql\n{result.sql}\n```")
    if result.columns:
        head = "| " + " | ".join(result.columns) + " |"
        rule = "|" + "---|" * len(result.columns)
        rows = ["| " + " | ".join("" if v is None else str(v) for v in row) + " |"
                for row in result.rows[:TABLE_ROWS]]
        more = [f"({len(result.rows) - TABLE_ROWS} more rows)"] if len(result.rows) > \
            TABLE_ROWS else []
        parts.append("\n".join([head, rule, *rows, *more]))
    if result.citations:
        parts.append("Sources: " + ", ".join(c.table + (f".{c.column}" if c.column else "")
                                              for c in result.citations))
    if result.error:
        parts.append(f"Error: {result.error}")
    return "\n\n".join(parts)


def validation_error(exc: RequestValidationError) -> JSONResponse:
    """A request body that does not fit ChatRequest: 400 in OpenAI's error shape, naming
    the first field that is wrong (OpenAI answers 400 to an invalid request, not 422)."""
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ())[1:])
    what = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
    return _error(400, f"{where}: {what}" if where else what, "invalid_request")


def _error(status: int, message: str, code: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": "invalid_request_error",
                                   "param": None, "code": code}}, status_code=status)


NOT_ALLOWED = ("no such model, or this token may not use its database "
               "(GET /v1/models lists the models it may use)")


def _home(request: Request) -> str:
    """The database a model name without one means: the path's, else the default."""
    scoped: ServedDatabase | None = getattr(request.state, "database", None)
    return scoped.name if scoped is not None else request.app.state.databases.default


@router.get("/models", response_model=ModelList)
def list_models(request: Request) -> ModelList:
    """The model names the chat endpoint takes: those of the route's database (when the
    token may use it), then `schemachat/NAME` for each database the token may use."""
    databases: ServedDatabases = request.app.state.databases
    home = usable(request, _home(request))
    names = model_names(home.settings) if home is not None else []
    names += [f"{BASE}/{n}" for n in databases.names if usable(request, n) is not None]
    return ModelList(data=[ModelCard(id=n) for n in names])


class OpenAIError(BaseModel):
    error: dict[str, Any]


@router.post("/chat/completions", response_model=None, responses={
    200: {"description": "A chat.completion object, or with `stream` an SSE stream of "
                         "chat.completion.chunk objects.",
          "content": {"application/json": {}, "text/event-stream": {}}},
    400: {"model": OpenAIError | ErrorBody,
          "description": "Bad input: a body that does not fit the schema (no user message, "
                         "a blank one...), that is not JSON, a question of text parts "
                         "longer than 4,000 characters, an adapter that does not exist."},
    403: {"model": OpenAIError | ErrorBody,
          "description": "The model names a database that does not exist or that the "
                         "token may not use (one answer for both)."},
    404: {"model": OpenAIError, "description": "Unknown model name."},
    503: {"model": OpenAIError, "description": "The Firebird server is unreachable "
                                               "(reconnected on the next call)."}})
async def chat_completions(request: Request, body: ChatRequest) -> Any:
    """One agent turn in OpenAI's chat-completions shape; `stream: true` sends SSE chunks
    (`data: {...}` lines, then `data: [DONE]`). Errors come in OpenAI's error shape."""
    try:
        choice = parse_model(body.model)
    except BadInput as exc:
        return _error(404, str(exc), "model_not_found")
    database = usable(request, choice.database or _home(request))
    if database is None:  # the same answer whether the database exists or not
        return _error(403, NOT_ALLOWED, "model_not_allowed")
    try:
        return await _complete(request, body, database, choice)
    except BadInput as exc:
        return _error(400, str(exc), "invalid_request")
    except SchemachatError as exc:  # the database went away (reconnects on the next call)
        return _error(503, str(exc), "service_unavailable")


async def _complete(request: Request, body: ChatRequest, database: ServedDatabase,
                    choice: ModelChoice) -> Any:
    _, backend, adapters = choice
    question = _question(body)
    session = database.session(body.user or request.headers.get("x-session-id") or None)
    state = request.app.state
    ident = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())

    def agent() -> Any:
        return database.agents.get(backend, list(adapters) if adapters else None)

    if body.stream:
        opened = await anyio.to_thread.run_sync(agent, limiter=state.agent_slots)
        events = opened.stream(question, session=session)
        first = await anyio.to_thread.run_sync(lambda: next(events, None))
        return StreamingResponse(_sse(first, events, ident, created, body.model, state),
                                 media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    def work() -> AgentAnswer:
        result: AgentAnswer = agent().ask(question, session=session)
        return result

    result = await anyio.to_thread.run_sync(work, limiter=state.agent_slots)
    state.metrics.turns.labels("chat", "error" if result.error else "ok").inc()
    extras = render_extras(result)
    content = result.answer + (f"\n\n{extras}" if extras else "")
    return {
        "id": ident, "object": "chat.completion", "created": created, "model": body.model,
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "schemachat": result.model_dump(mode="json"),
    }


def _chunk(ident: str, created: int, model: str, delta: dict[str, Any],
           finish: str | None = None, extra: dict[str, Any] | None = None) -> str:
    data: dict[str, Any] = {"id": ident, "object": "chat.completion.chunk",
                            "created": created, "model": model,
                            "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                         "finish_reason": finish}]}
    if extra:
        data.update(extra)
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def _sse(first: Any, events: Iterator[Any], ident: str, created: int, model: str,
         state: Any) -> Iterator[str]:
    """SSE lines from agent events (iterated in a worker thread by Starlette)."""
    yield _chunk(ident, created, model, {"role": "assistant", "content": ""})
    streamed = ""
    result: AgentAnswer | None = None
    chain = [first] if first is not None else []
    for event in _chained(chain, events):
        if event.kind == "text" and event.text:
            streamed += event.text
            yield _chunk(ident, created, model, {"content": event.text})
        elif event.kind == "result":
            result = event.result
    if result is None:
        yield _chunk(ident, created, model, {}, "stop")
        yield "data: [DONE]\n\n"
        return
    state.metrics.turns.labels("chat", "error" if result.error else "ok").inc()
    tail = ""
    if not streamed.strip():
        tail = result.answer
    extras = render_extras(result)
    if extras:
        tail += ("\n\n" if (streamed or tail) else "") + extras
    if tail:
        yield _chunk(ident, created, model, {"content": tail})
    yield _chunk(ident, created, model, {}, "stop",
                 {"schemachat": result.model_dump(mode="json")})
    yield "data: [DONE]\n\n"


def _chained(head: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from head
    yield from rest
