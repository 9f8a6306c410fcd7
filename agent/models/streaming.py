"""What the two chat models written here (local transformers, TGI client) share: a
LangChain `BaseChatModel` named by `LLM_TYPE`, identified by the fields in `IDENTITY`,
whose streamed pieces are reported to LangChain's callbacks as they come."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from schemachat.agent.models.stops import StopBuffer


class StreamingChatModel(BaseChatModel):
    """Base of LocalChatModel and TGIChatModel."""

    LLM_TYPE: ClassVar[str] = "schemachat"
    IDENTITY: ClassVar[tuple[str, ...]] = ()

    @property
    def _llm_type(self) -> str:
        return self.LLM_TYPE

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.IDENTITY}

    @staticmethod
    def _chunk(text: str, run_manager: CallbackManagerForLLMRun | None) -> ChatGenerationChunk:
        chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
        if run_manager:
            run_manager.on_llm_new_token(text, chunk=chunk)
        return chunk

    def _chunks(self, pieces: Iterable[str], stops: list[str],
                run_manager: CallbackManagerForLLMRun | None) -> Iterator[ChatGenerationChunk]:
        """Chunks of the streamed `pieces`, cut where the first stop string begins (text
        that may start one is held back until it is known)."""
        buffer = StopBuffer(stops)
        for piece in pieces:
            text = buffer.feed(piece)
            if text:
                yield self._chunk(text, run_manager)
            if buffer.stopped:
                return
        rest = buffer.flush()
        if rest:
            yield self._chunk(rest, run_manager)
