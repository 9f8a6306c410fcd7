"""The openai backend: any OpenAI-compatible server (vLLM, Ollama, llama.cpp server,
TGI's Messages API) through langchain-openai's `ChatOpenAI`.

Such servers serve LoRA adapters as model names (vLLM `--lora-modules name=path`), so a
request's `adapters=["schema"]` becomes `model="schema"`; one adapter per request.
"""

from __future__ import annotations

from typing import Any

from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from schemachat.configs import BadInput


class OpenAICompatibleChatModel(ChatOpenAI):
    """ChatOpenAI that also takes the per-request `adapters` and `max_new_tokens`
    keywords of the other backends."""

    def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None,
                             **kwargs: Any) -> dict:
        adapters = kwargs.pop("adapters", None)
        kwargs.pop("adapter_weights", None)
        if "max_new_tokens" in kwargs:  # the agent's per-call name; OpenAI would refuse it
            kwargs["max_tokens"] = kwargs.pop("max_new_tokens")
        if adapters:
            if len(adapters) > 1:
                raise BadInput(f"an OpenAI-compatible server takes one model (adapter) per "
                               f"request, not {len(adapters)} ({', '.join(adapters)})")
            kwargs["model"] = adapters[0]
        return super()._get_request_payload(input_, stop=stop, **kwargs)


def openai_chat_model(*, base_url: str | None, model: str, api_key: SecretStr | None,
                      temperature: float, max_tokens: int, timeout_s: float,
                      max_retries: int = 2) -> OpenAICompatibleChatModel:
    """A chat model for the server at `base_url` (None: OpenAI itself). Local servers
    usually want no key; a placeholder is sent then, as the client insists on one."""
    key = api_key if api_key is not None else SecretStr("not-needed")
    return OpenAICompatibleChatModel(model=model, base_url=base_url, api_key=key,
                                     temperature=temperature, max_tokens=max_tokens,
                                     timeout=timeout_s, max_retries=max_retries)
