"""The local backend: a transformers model (+ peft LoRA adapters) as a LangChain chat model.

The base loads once per process (hf_base.load_base); adapters are chosen per request
without reloading it. With `follow_active` and no `adapters`, a request that names none
uses the active schema adapter of training/active.json (re-read when the file changes):

    model = LocalChatModel(model_path="/models/llama3", adapter_dirs={"schema": "..."})
    model.invoke("onde fica o limite de crédito?", adapters=["schema"])
    model.invoke(messages, adapters=["chat", "schema"], adapter_weights=[0.5, 1.0])
    model.invoke(messages, adapters=[])   # the bare base
    for chunk in model.stream(messages): ...

Prompts use the tokenizer's chat template when it has one (Llama 3 Instruct), else the
plain transcript format of formats.py with its stop strings (base models such as Gemma
3 270M). Stop strings are honoured in `invoke` and `stream`. With `json_schema=` the
answer is generated under that schema (constrained.py: every output parses and names
only what the schema lists):

    model.invoke(messages, json_schema={"type": "object", "properties": {
        "pick": {"enum": [0, 1, 2]}}, "required": ["pick"]})
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from schemachat.agent.adapters.active import ActiveAdapterWatch
from schemachat.agent.models.formats import PLAIN_STOP, chat_dicts, plain_prompt
from schemachat.agent.models.hf_base import LoadedBase, load_base, with_adapters
from schemachat.agent.models.stops import cut_at_stop
from schemachat.agent.models.streaming import StreamingChatModel
from schemachat.configs import BadInput

if TYPE_CHECKING:
    import torch


class LocalChatModel(StreamingChatModel):
    """transformers + peft chat model; see the module docstring.

    Per-request keyword arguments (`invoke(..., adapters=[...])`): `adapters`,
    `adapter_weights`, `max_new_tokens`, `temperature`, `json_schema` (the answer is
    generated under that JSON Schema, token by token). BadInput for an unknown adapter.
    """

    LLM_TYPE = "schemachat-local"
    IDENTITY = ("model_path", "adapters", "max_new_tokens", "temperature")

    model_path: str = Field(description="Folder of the base model, or a hub id in the cache.")
    adapter_dirs: dict[str, str] = Field(default_factory=dict,
                                         description="Adapters that may be used: name -> folder.")
    adapters: list[str] = Field(default_factory=list, description="Active unless overridden.")
    adapter_weights: list[float] | None = None
    follow_active: ActiveAdapterWatch | None = Field(
        None, description="When set and `adapters` is empty, requests that name no adapters "
                          "use the active schema adapter (training/active.json).")
    max_new_tokens: int = 256
    temperature: float = 0.0
    dtype: str = "auto"
    load_in_4bit: bool = False
    local_files_only: bool = True
    stop: list[str] | None = None


    def base(self) -> LoadedBase:
        """The shared base model (loaded on first use, once per process)."""
        return load_base(self.model_path, dtype=self.dtype, load_in_4bit=self.load_in_4bit,
                         local_files_only=self.local_files_only)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None,
                  **kwargs: Any) -> ChatResult:
        base = self.base()
        inputs, stops = self._encode(base, messages, stop)
        adapters, weights = self._adapters(kwargs)
        if kwargs.get("json_schema"):
            return self._generate_json(base, inputs, adapters, weights, kwargs)
        with base.lock, with_adapters(base, adapters, weights) as model:
            output = model.generate(**inputs, **self._generation_kwargs(base, stops, kwargs))
        prompt_len = inputs["input_ids"].shape[1]
        new_tokens = output[0, prompt_len:]
        text = base.tokenizer.decode(new_tokens, skip_special_tokens=True)
        text, stopped = cut_at_stop(text, stops)
        usage = {"input_tokens": prompt_len, "output_tokens": len(new_tokens),
                 "total_tokens": prompt_len + len(new_tokens)}
        meta = {"model": self.model_path, "adapters": [n for n, _ in adapters],
                "finish_reason": "stop" if stopped or len(new_tokens) < self._max(kwargs)
                else "length"}
        message = AIMessage(content=text, response_metadata=meta, usage_metadata=usage)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _generate_json(self, base: LoadedBase, inputs: dict[str, torch.Tensor],
                       adapters: list[tuple[str, str]], weights: list[float] | None,
                       kwargs: dict[str, Any]) -> ChatResult:
        """The answer under the request's `json_schema`, enforced token by token
        (constrained.py); stop strings do not apply: the grammar says where it ends."""
        from schemachat.agent.models.constrained import generate_json

        temperature = float(kwargs.get("temperature", self.temperature))
        with base.lock, with_adapters(base, adapters, weights) as model:
            out = generate_json(model, base.tokenizer, inputs["input_ids"], kwargs["json_schema"],
                                max_new_tokens=self._max(kwargs), temperature=temperature)
        prompt_len = inputs["input_ids"].shape[1]
        usage = {"input_tokens": prompt_len, "output_tokens": len(out.tokens),
                 "total_tokens": prompt_len + len(out.tokens)}
        meta = {"model": self.model_path, "adapters": [n for n, _ in adapters],
                "finish_reason": "stop" if out.complete else "length",
                "structured": "grammar", "grammar": {
                    "complete": out.complete, "decisions": out.decisions, "forced": out.forced,
                    "compile_ms": round(1000 * out.compile_s, 2),
                    "mask_ms": round(1000 * out.mask_s, 2)}}
        message = AIMessage(content=out.text, response_metadata=meta, usage_metadata=usage)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        from transformers import TextIteratorStreamer

        if kwargs.get("json_schema"):  # a JSON value is of use whole: one chunk
            result = self._generate(messages, stop, run_manager, **kwargs)
            yield self._chunk(str(result.generations[0].message.content), run_manager)
            return
        base = self.base()
        inputs, stops = self._encode(base, messages, stop)
        adapters, weights = self._adapters(kwargs)
        streamer = TextIteratorStreamer(base.tokenizer, skip_prompt=True,
                                        skip_special_tokens=True)
        cancel = threading.Event()
        failure: list[BaseException] = []
        gen_kwargs = self._generation_kwargs(base, stops, kwargs, cancel=cancel)

        def work() -> None:
            try:
                with base.lock, with_adapters(base, adapters, weights) as model:
                    model.generate(**inputs, **gen_kwargs, streamer=streamer)
            except BaseException as exc:
                failure.append(exc)
                streamer.end()

        worker = threading.Thread(target=work, name="schemachat-generate", daemon=True)
        worker.start()
        try:
            yield from self._chunks(streamer, stops, run_manager)
        finally:
            cancel.set()  # ends generation early when the reader stops or a stop was seen
            worker.join()
        if failure:
            raise failure[0]

    def _encode(self, base: LoadedBase, messages: Sequence[BaseMessage],
                stop: list[str] | None) -> tuple[dict[str, torch.Tensor], list[str]]:
        """Token ids of the prompt on the model's device, and the stop strings to apply."""
        tokenizer = base.tokenizer
        stops = list(stop or self.stop or [])
        if getattr(tokenizer, "chat_template", None):
            text = tokenizer.apply_chat_template(chat_dicts(messages), tokenize=False,
                                                 add_generation_prompt=True)
            encoded = tokenizer(text, add_special_tokens=False, return_tensors="pt")
        else:
            encoded = tokenizer(plain_prompt(messages), return_tensors="pt")
            stops += [s for s in PLAIN_STOP if s not in stops]
        inputs = {k: v.to(base.device) for k, v in encoded.items()
                  if k in ("input_ids", "attention_mask")}
        return inputs, stops

    def _adapters(self, kwargs: dict[str, Any]) -> tuple[list[tuple[str, str]], list[float] | None]:
        names = kwargs.get("adapters")
        if names is None and not self.adapters and self.follow_active is not None:
            current = self.follow_active.current()
            return ([current] if current else []), None
        names = list(self.adapters if names is None else names)
        weights = kwargs.get("adapter_weights")
        if weights is None and names == self.adapters:
            weights = self.adapter_weights
        unknown = [n for n in names if n not in self.adapter_dirs]
        if unknown:
            known = ", ".join(sorted(self.adapter_dirs)) or "none"
            raise BadInput(f"unknown adapter(s): {', '.join(unknown)} (registered: {known}; "
                           "add one with `schemachat adapters add NAME PATH`)")
        return [(n, self.adapter_dirs[n]) for n in names], weights

    def _max(self, kwargs: dict[str, Any]) -> int:
        return int(kwargs.get("max_new_tokens") or self.max_new_tokens)

    def _generation_kwargs(self, base: LoadedBase, stops: list[str], kwargs: dict[str, Any],
                           cancel: threading.Event | None = None) -> dict[str, Any]:
        from transformers import StoppingCriteriaList

        temperature = float(kwargs.get("temperature", self.temperature))
        criteria = StoppingCriteriaList([stop_on_text(base.tokenizer, stops, cancel)])
        out: dict[str, Any] = {"max_new_tokens": self._max(kwargs),
                               "pad_token_id": base.tokenizer.pad_token_id,
                               "stopping_criteria": criteria, "do_sample": temperature > 0}
        if temperature > 0:
            out["temperature"] = temperature
        else:  # greedy: silence the sampling defaults some generation configs carry
            out.update(temperature=None, top_p=None, top_k=None)
        return out


@functools.cache
def _stop_on_text_class() -> type:
    from transformers import StoppingCriteria

    class StopOnText(StoppingCriteria):
        """Stops when the decoded tail of the new tokens contains a stop string, or when
        `cancel` is set (a streaming reader went away)."""

        def __init__(self, tokenizer: Any, stops: list[str],
                     cancel: threading.Event | None) -> None:
            self.tokenizer, self.stops, self.cancel = tokenizer, stops, cancel
            self.window = max((len(s) for s in stops), default=0) + 2
            self.prompt_len: int | None = None

        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            import torch

            if self.prompt_len is None:
                self.prompt_len = input_ids.shape[1] - 1
            done = bool(self.cancel is not None and self.cancel.is_set())
            if not done and self.stops:
                start = max(self.prompt_len, input_ids.shape[1] - self.window)
                tail = self.tokenizer.decode(input_ids[0, start:], skip_special_tokens=True)
                done = any(s in tail for s in self.stops)
            return torch.full((input_ids.shape[0],), done, dtype=torch.bool,
                              device=input_ids.device)

    return StopOnText


def stop_on_text(tokenizer: Any, stops: list[str], cancel: threading.Event | None) -> Any:
    """A transformers StoppingCriteria (built lazily: transformers loads only when used)."""
    return _stop_on_text_class()(tokenizer, stops, cancel)
