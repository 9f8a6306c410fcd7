"""What the graph's nodes use besides the state: settings, the chat model, the schema
document, the retrieval index and a Firebird connection (LangGraph's runtime context).

Opened once per CLI call or per app, shared by every turn; heavy parts (the index, the
database connection) open on first use. `close()` releases the connection. The connection
is an `ingest.firebird.SharedConnection`: after a Firebird server restart the turn that
finds it lost fails with DatabaseUnavailable and the next turn connects again.
`reload()` makes the next turn read the document and the index again (after an
annotation save).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from schemachat.agent.retrieval.text import Analyzer
from schemachat.configs import BadInput, Settings
from schemachat.ingest.firebird import SharedConnection
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.workspace import Workspace, read_model

if TYPE_CHECKING:
    from firebird.driver import Connection
    from langchain_core.runnables import Runnable
    from langchain_core.tools import BaseTool

    from schemachat.agent.retrieval import SchemaIndex
    from schemachat.agent.tools import SchemaToolbox


@dataclass
class AgentContext:
    """Runtime dependencies of one agent (see the module docstring)."""

    settings: Settings
    model: BaseChatModel
    adapters: list[str] | None = None  # None: the model's configured ones
    analyzer: Analyzer = field(default_factory=Analyzer)
    _doc: CombinedSchema | None = field(default=None, repr=False)
    _index: SchemaIndex | None = field(default=None, repr=False)
    _db: SharedConnection = field(init=False, repr=False)
    _toolbox: SchemaToolbox | None = field(default=None, repr=False)
    _tool_model: Runnable | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._db = SharedConnection(self.settings)  # connects on first use

    @classmethod
    def open(cls, settings: Settings, *, backend: str | None = None,
             adapters: Sequence[str] | None = None, model: BaseChatModel | None = None,
             index: SchemaIndex | None = None) -> AgentContext:
        """A context for the workspace of `settings` with the chat model of `backend`
        (default: settings.model_backend). BadInput when the workspace has no combined
        document or the backend/adapters are unknown."""
        from schemachat.agent.models import chat_model

        ws = Workspace(settings.workspace)
        if not ws.combined.exists():
            raise BadInput(f"no combined_schema_details.json in {ws.root}: run `schemachat "
                           "extract` and `schemachat merge` (or `schemachat up`) first")
        chosen = list(adapters) if adapters is not None else None
        model = model or chat_model(settings, backend=backend, adapters=chosen)
        return cls(settings=settings, model=model, adapters=chosen, _index=index)

    def doc(self) -> CombinedSchema:
        """The combined schema document (read once)."""
        if self._doc is None:
            self._doc = read_model(Workspace(self.settings.workspace).combined, CombinedSchema)
        return self._doc

    def index(self) -> SchemaIndex:
        """The retrieval index; BadInput naming `schemachat index` when missing or stale."""
        if self._index is None:
            from schemachat.agent.retrieval import SchemaIndex

            self._index = SchemaIndex.open(self.settings)
        return self._index

    @property
    def has_database(self) -> bool:
        """Whether a database is configured (SQL can be checked and run)."""
        return bool(self.settings.fb_database)

    def reload(self, *, index: bool = True) -> None:
        """Read the combined document (and, with `index`, the retrieval index) again on
        next use, so a running agent sees an annotation save. Turns under way keep
        what they hold."""
        self._doc = None
        if index:
            self._index = None
        if self._toolbox is not None:
            self._toolbox.reload(index=index)

    @contextmanager
    def database(self) -> Iterator[Connection]:
        """The Firebird connection, opened on first use, one user at a time; reopened
        after it was lost (DatabaseUnavailable for the call that found it lost)."""
        with self._db.use() as con:
            yield con

    def close(self) -> None:
        """Close the database connection, if one was opened."""
        self._db.close()

    def tools(self) -> list[BaseTool]:
        """The schema tools (agent/tools.py) over this context's workspace, index and
        connection; BadInput when the index is missing."""
        if self._toolbox is None:
            from schemachat.agent.tools import SchemaToolbox

            self._toolbox = SchemaToolbox(self.settings, index=self.index(),
                                          database=self.database)
        return self._toolbox.tools()

    def tool_model(self) -> Runnable:
        """The chat model bound to the schema tools; BadInput when it cannot call tools."""
        if self._tool_model is None:
            try:
                self._tool_model = self.model.bind_tools(self.tools())
            except NotImplementedError:
                raise BadInput(f"agent_tools needs a model that can call tools; the "
                               f"{self.settings.model_backend} backend's cannot (use the "
                               "openai backend with a tool-calling model, or turn "
                               "agent_tools off)") from None
        return self._tool_model

    def _kwargs(self, stop: Sequence[str], max_new_tokens: int) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"stop": list(stop), "max_new_tokens": max_new_tokens}
        if self.adapters is not None:
            kwargs["adapters"] = self.adapters
        return kwargs

    def generate(self, messages: list[BaseMessage], *, stop: Sequence[str] = (),
                 max_new_tokens: int = 128) -> str:
        """The model's text for `messages`, cut at the first stop string."""
        reply = self.model.invoke(messages, **self._kwargs(stop, max_new_tokens))
        return _cut(str(reply.text), stop)

    def stream(self, messages: list[BaseMessage], *, stop: Sequence[str] = (),
               max_new_tokens: int = 128) -> Iterator[str]:
        """The model's text in pieces as it is generated (stops honoured)."""
        seen = ""
        for chunk in self.model.stream(messages, **self._kwargs(stop, max_new_tokens)):
            piece = str(chunk.text)
            cut = _cut(seen + piece, stop)
            if len(cut) < len(seen) + len(piece):  # a stop string began: end here
                if len(cut) > len(seen):
                    yield cut[len(seen):]
                return
            seen += piece
            if piece:
                yield piece


def _cut(text: str, stop: Sequence[str]) -> str:
    # Backends honour stops, but fakes and some servers do not.
    found = [i for i in (text.find(s) for s in stop if s) if i >= 0]
    return text[: min(found)] if found else text
