"""The openai backend: any OpenAI-compatible server (vLLM, Ollama, llama.cpp server,
TGI's Messages API) through langchain-openai's `ChatOpenAI`.

Such servers serve LoRA adapters as model names (vLLM `--lora-modules name=path`), so a
request's `adapters=["schema"]` becomes `model="schema"`; one adapter per request.

A request's `json_schema=` goes out as structured output (`response_format` of type
`json_schema`, strict), the same JSON Schema the local backends enforce token by token.
A server that refuses it (HTTP 4xx on that request) is asked again without, once noted
in the log; later requests of the same client send none, and the caller parses and
checks the text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import openai
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI
from pydantic import PrivateAttr, SecretStr

from schemachat.configs import BadInput

log = logging.getLogger(__name__)
SCHEMA_NAME = "answer"  # the json_schema's name; OpenAI wants one
NOT_REFUSALS = (401, 403, 404, 408, 429)  # 4xx that say nothing about structured output


class OpenAICompatibleChatModel(ChatOpenAI):
    """ChatOpenAI that also takes the per-request `adapters`, `max_new_tokens` and
    `json_schema` keywords of the other backends."""

    _no_structured: bool = PrivateAttr(False)  # the server refused structured output once

    def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None,
                             **kwargs: Any) -> dict:
        adapters = kwargs.pop("adapters", None)
        kwargs.pop("adapter_weights", None)
        schema = kwargs.pop("json_schema", None)
        if "max_new_tokens" in kwargs:  # the agent's per-call name; OpenAI would refuse it
            kwargs["max_tokens"] = kwargs.pop("max_new_tokens")
        if adapters:
            if len(adapters) > 1:
                raise BadInput(f"an OpenAI-compatible server takes one model (adapter) per "
                               f"request, not {len(adapters)} ({', '.join(adapters)})")
            kwargs["model"] = adapters[0]
        if schema and not self._no_structured:
            kwargs["response_format"] = {"type": "json_schema", "json_schema": {
                "name": SCHEMA_NAME, "schema": schema, "strict": True}}
        return super()._get_request_payload(input_, stop=stop, **kwargs)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None,
                  **kwargs: Any) -> ChatResult:
        structured = bool(kwargs.get("json_schema")) and not self._no_structured
        try:
            result = super()._generate(messages, stop, run_manager, **kwargs)
        except openai.APIStatusError as exc:
            if not structured or not _refusal(exc):
                raise
            log.warning("the OpenAI-compatible server at %s refused structured output "
                        "(HTTP %s: %s): asking without response_format from now on; the "
                        "reply is parsed and checked instead", self.openai_api_base,
                        exc.status_code, _first_line(exc))
            self._no_structured = True
            result = super()._generate(messages, stop, run_manager, **kwargs)
            structured = False
        if kwargs.get("json_schema"):
            for generation in result.generations:
                generation.message.response_metadata["structured"] = \
                    "response_format" if structured else "parsed"
        return result

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        if not kwargs.get("json_schema"):
            yield from super()._stream(messages, stop, run_manager, **kwargs)
            return
        # A JSON value is of use whole: one request, one chunk (and the same fallback).
        result = self._generate(messages, stop, run_manager, **kwargs)
        message = result.generations[0].message
        yield ChatGenerationChunk(message=AIMessageChunk(
            content=message.content, response_metadata=message.response_metadata))


def _refusal(exc: openai.APIStatusError) -> bool:
    """Whether a status error may be the server refusing `response_format`."""
    return 400 <= exc.status_code < 500 and exc.status_code not in NOT_REFUSALS


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip() or type(exc).__name__).splitlines()[0][:200]


def openai_chat_model(*, base_url: str | None, model: str, api_key: SecretStr | None,
                      temperature: float, max_tokens: int, timeout_s: float,
                      max_retries: int = 2) -> OpenAICompatibleChatModel:
    """A chat model for the server at `base_url` (None: OpenAI itself). Local servers
    usually want no key; a placeholder is sent then, as the client insists on one."""
    key = api_key if api_key is not None else SecretStr("not-needed")
    return OpenAICompatibleChatModel(model=model, base_url=base_url, api_key=key,
                                     temperature=temperature, max_tokens=max_tokens,
                                     timeout=timeout_s, max_retries=max_retries)
