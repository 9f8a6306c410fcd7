"""What the graph's nodes and the schema tools use besides the state: settings, the chat
model, the schema document, the retrieval index, the samples and a Firebird connection
(LangGraph's runtime context). The one cache of these per agent: the tools
(`agent/tools.py`) read them from here too.

Opened once per CLI call or per app, shared by every turn; heavy parts (the index, the
database connection) open on first use. `close()` releases the connection. The connection
is an `ingest.firebird.SharedConnection`: after a Firebird server restart the turn that
finds it lost fails with DatabaseUnavailable and the next turn connects again.
`reload()` makes the next turn read the document and the index again (after an
annotation save).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from schemachat.agent.plans.propose import Linker
from schemachat.agent.retrieval.text import Analyzer
from schemachat.agent.sql.dialect import known_names
from schemachat.configs import BadInput, Settings
from schemachat.ingest.firebird import SharedConnection
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.samples import Samples
from schemachat.ingest.models.values import TextValues
from schemachat.ingest.workspace import Workspace, read_model, read_optional

if TYPE_CHECKING:
    from firebird.driver import Connection
    from langchain_core.runnables import Runnable

    from schemachat.agent.retrieval import SchemaIndex
    from schemachat.agent.sql.check import DatabaseOpener


@dataclass
class AgentContext:
    """Runtime dependencies of one agent (see the module docstring)."""

    settings: Settings
    model: BaseChatModel | None = None  # None: no model (the schema tools alone)
    adapters: list[str] | None = None  # None: the model's configured ones
    analyzer: Analyzer = field(default_factory=Analyzer)
    tool_model: Runnable | None = None  # the model bound to the schema tools (agent_tools)
    _doc: CombinedSchema | None = field(default=None, repr=False)
    _names: set[str] | None = field(default=None, repr=False)
    _index: SchemaIndex | None = field(default=None, repr=False)
    _samples: Samples | None = field(default=None, repr=False)
    _linker: Linker | None = field(default=None, repr=False)
    _db: SharedConnection = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

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
        if model is None and (backend or settings.model_backend) != "none":
            model = chat_model(settings, backend=backend, adapters=chosen)
        return cls(settings=settings, model=model, adapters=chosen, _index=index)

    def doc(self) -> CombinedSchema:
        """The combined schema document (read once); BadInput naming `schemachat merge`
        when the workspace has none."""
        with self._lock:
            if self._doc is None:
                path = Workspace(self.settings.workspace).combined
                if not path.exists():
                    raise BadInput(f"no combined_schema_details.json in "
                                   f"{self.settings.workspace}: run `schemachat merge` (or "
                                   "`schemachat up`)")
                self._doc = read_model(path, CombinedSchema)
                self._names = None
            return self._doc

    def names(self) -> set[str]:
        """Every table, view, column and procedure name of the document (for the
        dialect fixer), computed once per document."""
        doc = self.doc()
        with self._lock:
            if self._names is None:
                self._names = known_names(doc)
            return self._names

    def index(self) -> SchemaIndex:
        """The retrieval index; BadInput naming `schemachat index` when missing or stale."""
        with self._lock:
            if self._index is None:
                from schemachat.agent.retrieval import SchemaIndex

                self._index = SchemaIndex.open(self.settings)
            return self._index

    def linker(self) -> Linker:
        """The query-plan linker of the document and its value index (built once per
        document; text_values.json is optional)."""
        doc = self.doc()
        with self._lock:
            if self._linker is None:
                values = read_optional(Workspace(self.settings.workspace).values, TextValues)
                self._linker = Linker.of(doc, values, self.analyzer)
            return self._linker

    def samples(self) -> Samples:
        """`samples.json`; BadInput naming `schemachat samples` when missing."""
        with self._lock:
            if self._samples is None:
                found = read_optional(Workspace(self.settings.workspace).samples, Samples)
                if found is None:
                    raise BadInput("no samples.json in the workspace: run `schemachat "
                                   "samples` (or `schemachat up`)")
                self._samples = found
            return self._samples

    @property
    def has_database(self) -> bool:
        """Whether a database is configured (SQL can be checked and run)."""
        return bool(self.settings.fb_database)

    def reload(self, *, index: bool = True) -> None:
        """Read the combined document (and, with `index`, the retrieval index) again on
        next use, so a running agent sees an annotation save. Turns under way keep
        what they hold."""
        with self._lock:
            self._doc, self._names, self._samples, self._linker = None, None, None, None
            if index:
                self._index = None

    def opener(self) -> DatabaseOpener | None:
        """`database` when a database is configured, else None (for `sql.check`)."""
        return self.database if self.has_database else None

    @contextmanager
    def database(self) -> Iterator[Connection]:
        """The Firebird connection, opened on first use, one user at a time; reopened
        after it was lost (DatabaseUnavailable for the call that found it lost)."""
        with self._db.use() as con:
            yield con

    def close(self) -> None:
        """Close the database connection, if one was opened."""
        self._db.close()

    def _kwargs(self, stop: Sequence[str], max_new_tokens: int) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"stop": list(stop), "max_new_tokens": max_new_tokens}
        if self.adapters is not None:
            kwargs["adapters"] = self.adapters
        return kwargs

    def chat_model(self) -> BaseChatModel:
        """The chat model; BadInput when this context has none."""
        if self.model is None:
            raise BadInput("no chat model configured for this agent")
        return self.model

    @property
    def has_model(self) -> bool:
        """Whether a chat model is configured (model_backend none: plans only)."""
        return self.model is not None

    def generate(self, messages: list[BaseMessage], *, stop: Sequence[str] = (),
                 max_new_tokens: int = 128) -> str:
        """The model's text for `messages`, cut at the first stop string ('' without a
        model)."""
        if self.model is None:
            return ""
        reply = self.chat_model().invoke(messages, **self._kwargs(stop, max_new_tokens))
        return _cut(str(reply.text), stop)

    def stream(self, messages: list[BaseMessage], *, stop: Sequence[str] = (),
               max_new_tokens: int = 128) -> Iterator[str]:
        """The model's text in pieces as it is generated (stops honoured; nothing
        without a model)."""
        if self.model is None:
            return
        seen = ""
        for chunk in self.chat_model().stream(messages, **self._kwargs(stop, max_new_tokens)):
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
