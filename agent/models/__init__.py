"""Chat model backends behind one interface, a LangChain `BaseChatModel`:

- `default` (default.py): Gemma 3 270M base from a PyPI package, offline, via `local`;
- `local` (local.py): transformers + peft, LoRA adapters switchable per request;
- `tgi` (tgi.py): a text-generation-inference server, adapter id per request;
- `openai` (openai.py): any OpenAI-compatible server, via langchain-openai;
- `fake`: langchain-core's FakeListChatModel, for tests.

`chat_model(settings)` (registry.py) builds the configured one. Heavy libraries
(torch, transformers, peft) load only when a local model is used.
"""

from schemachat.agent.models.errors import ModelError
from schemachat.agent.models.registry import (
    BACKENDS,
    adapter_store,
    chat_model,
    configured_base_names,
)

__all__ = ["BACKENDS", "ModelError", "adapter_store", "chat_model", "configured_base_names"]
