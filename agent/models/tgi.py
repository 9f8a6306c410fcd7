"""The tgi backend: a text-generation-inference server as a LangChain chat model.

TGI's native routes take prompt *text*: `POST /generate` answers
`{"generated_text": ...}`; `POST /generate_stream` answers server-sent events
`data: {"token": {"text": ..., "special": bool}, "generated_text": null | "..."}`.
With multi-LoRA (TGI started with `LORA_ADAPTERS=name=path,...`), `parameters.adapter_id`
picks the adapter per request: `invoke(messages, adapters=["schema"])`, one per request.

Connection errors, timeouts and 5xx answers are retried (tenacity, exponential back-off);
a stream is retried only until its first event. 4xx answers are BadInput with TGI's
message (an unknown adapter id, a prompt too long); the rest is ModelError naming the URL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any, Literal

import httpx
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field, PrivateAttr
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from schemachat.agent.adapters.active import ActiveAdapterWatch
from schemachat.agent.models.errors import ModelError
from schemachat.agent.models.formats import LLAMA3_STOP, PLAIN_STOP, llama3_prompt, plain_prompt
from schemachat.agent.models.stops import cut_at_stop
from schemachat.agent.models.streaming import StreamingChatModel
from schemachat.configs import BadInput

log = logging.getLogger(__name__)


class _ServerError(Exception):
    """A 5xx answer: worth another try."""


class _Refused(BadInput):
    """A 4xx answer: TGI refused the request as it was (an unknown adapter id, a prompt
    too long, a grammar it does not take)."""


class TGIChatModel(StreamingChatModel):
    """Client of one TGI server. Per-request keyword arguments: `adapters` (at most one
    name) or `adapter_id`, `max_new_tokens`, `temperature`, `json_schema` (sent as TGI's
    `grammar`; a server that refuses it is asked again without, once noted in the log,
    and the caller parses the text)."""

    LLM_TYPE = "schemachat-tgi"
    IDENTITY = ("base_url", "adapter_id", "prompt_format")

    base_url: str = Field(description="e.g. http://localhost:8080")
    adapter_id: str | None = Field(None, description="Adapter used unless a request says.")
    follow_active: ActiveAdapterWatch | None = Field(
        None, description="Without adapter_id: requests that name no adapter use the active "
                          "schema adapter of training/active.json (TGI must serve it by that "
                          "name, LORA_ADAPTERS=name=path).")
    prompt_format: Literal["llama3", "plain"] = "llama3"
    max_new_tokens: int = 256
    temperature: float = 0.0
    top_p: float | None = None
    repetition_penalty: float | None = None
    stop: list[str] | None = None
    timeout_s: float = 120.0
    max_tries: int = Field(3, ge=1, description="Tries per request (connection errors, 5xx).")
    retry_wait_s: float = Field(0.5, ge=0, description="First back-off; doubles, at most 8 s.")
    _no_grammar: bool = PrivateAttr(False)  # the server refused a grammar once: not again

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None,
                  **kwargs: Any) -> ChatResult:
        body, stops = self._request(messages, stop, kwargs)

        def call() -> dict[str, Any]:
            with httpx.Client(timeout=self.timeout_s) as client:
                response = client.post(self._url("/generate"), json=body)
                self._check(response)
                return response.json()

        data = self._with_grammar_fallback(body, lambda: self._retrying(call))
        answer = data[0] if isinstance(data, list) else data
        text, stopped = cut_at_stop(str(answer.get("generated_text", "")), stops)
        details = answer.get("details") or {}
        meta = {"adapter_id": body["parameters"].get("adapter_id"),
                "finish_reason": details.get("finish_reason", "stop" if stopped else None)}
        if kwargs.get("json_schema"):
            meta["structured"] = "grammar" if "grammar" in body["parameters"] else "parsed"
        message = AIMessage(content=text, response_metadata=meta)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        body, stops = self._request(messages, stop, kwargs)
        with httpx.Client(timeout=self.timeout_s) as client:
            response = self._with_grammar_fallback(
                body, lambda: self._retrying(lambda: self._open_stream(client, body)))
            try:
                yield from self._chunks(_texts(response), stops, run_manager)
            except httpx.TransportError as exc:
                raise ModelError(f"TGI at {self.base_url}: stream broken: {exc}") from exc
            finally:
                response.close()

    def _with_grammar_fallback(self, body: dict[str, Any], send: Callable[[], Any]) -> Any:
        """`send()`; when TGI refuses a request carrying a grammar (4xx), once more
        without it (noted in the log; later requests of this client send none)."""
        try:
            return send()
        except _Refused as exc:
            if "grammar" not in body["parameters"]:
                raise
            log.warning("TGI at %s refused structured output (%s): asking without a "
                        "grammar from now on; the reply is parsed and checked instead",
                        self.base_url, exc)
            self._no_grammar = True
            del body["parameters"]["grammar"]
            return send()

    def _open_stream(self, client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
        request = client.build_request("POST", self._url("/generate_stream"), json=body,
                                       headers={"Accept": "text/event-stream"})
        response = client.send(request, stream=True)
        if response.status_code >= 400:
            response.read()
            response.close()
        self._check(response)
        return response

    def _request(self, messages: list[BaseMessage], stop: list[str] | None,
                 kwargs: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """The JSON body TGI takes, and the stop strings to apply on our side too."""
        if self.prompt_format == "llama3":
            prompt, stops = llama3_prompt(messages), list(stop or self.stop or [])
            stops += [s for s in LLAMA3_STOP if s not in stops]
        else:
            prompt, stops = plain_prompt(messages), list(stop or self.stop or [])
            stops += [s for s in PLAIN_STOP if s not in stops]
        temperature = float(kwargs.get("temperature", self.temperature))
        parameters: dict[str, Any] = {
            "max_new_tokens": int(kwargs.get("max_new_tokens") or self.max_new_tokens),
            "stop": stops, "do_sample": temperature > 0, "return_full_text": False,
            "details": True}
        if temperature > 0:  # TGI refuses temperature 0
            parameters["temperature"] = temperature
        if self.top_p is not None:
            parameters["top_p"] = self.top_p
        if self.repetition_penalty is not None:
            parameters["repetition_penalty"] = self.repetition_penalty
        default = self.adapter_id
        if default is None and self.follow_active is not None:
            default = (self.follow_active.current() or (None, None))[0]
        adapter = _adapter_id(kwargs, default)
        if adapter:
            parameters["adapter_id"] = adapter
        if kwargs.get("json_schema") and not self._no_grammar:
            # TGI's guidance: the same JSON Schema the local backends enforce
            parameters["grammar"] = {"type": "json", "value": kwargs["json_schema"]}
        return {"inputs": prompt, "parameters": parameters}, stops

    def _url(self, route: str) -> str:
        return self.base_url.rstrip("/") + route

    def _check(self, response: httpx.Response) -> None:
        if response.status_code < 400:
            return
        reason = _error_text(response)
        if response.status_code >= 500:
            raise _ServerError(f"HTTP {response.status_code}: {reason}")
        raise _Refused(f"TGI at {self.base_url} refused the request "
                       f"(HTTP {response.status_code}): {reason}")

    def _retrying(self, call: Any) -> Any:
        retrying = Retrying(
            stop=stop_after_attempt(self.max_tries),
            wait=wait_exponential(multiplier=self.retry_wait_s, max=8),
            retry=retry_if_exception(_retryable), reraise=True)
        try:
            return retrying(call)
        except (httpx.TransportError, _ServerError) as exc:
            raise ModelError(f"TGI at {self.base_url}: {_describe(exc)} "
                             f"(after {self.max_tries} tries)") from exc


def _adapter_id(kwargs: dict[str, Any], default: str | None) -> str | None:
    if kwargs.get("adapter_id"):
        return str(kwargs["adapter_id"])
    adapters = kwargs.get("adapters")
    if adapters is None:
        return default
    if len(adapters) > 1:
        raise BadInput(f"TGI takes one adapter per request, not {len(adapters)} "
                       f"({', '.join(adapters)}): merge them into one adapter, or use the "
                       "local backend")
    return adapters[0] if adapters else None


def _texts(response: httpx.Response) -> Iterator[str]:
    # The text of each streamed token, special tokens left out.
    for event in _events(response):
        token = event.get("token") or {}
        if not token.get("special"):
            yield str(token.get("text", ""))


def _events(response: httpx.Response) -> Iterator[dict[str, Any]]:
    """The JSON events of an SSE answer; ModelError on an `error` event."""
    for line in response.iter_lines():
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if not payload or payload == "[DONE]":
            continue
        event = json.loads(payload)
        if "error" in event:
            raise ModelError(f"TGI: {event.get('error_type', 'error')}: {event['error']}")
        yield event


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, httpx.TransportError | _ServerError)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({exc})"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    return str(exc)


def _error_text(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    if isinstance(data, dict) and "error" in data:
        return str(data["error"])
    return json.dumps(data)[:300]
