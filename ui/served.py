"""The databases one server answers for (schemachat.configs.databases.served), opened and
kept the same way by every front end (the Gradio app, the HTTP API, the Slack bot): each
with its own settings, workspace context (ui/context.py) and agents, so documents,
annotations, indexes and chat sessions never mix.

A database's context is opened on first use and then kept; one that cannot be opened (no
schema, a broken annotations file) raises BadInput and is tried again next time. Its
agents, one per (backend, adapters), are opened on first use too; an annotation save in
its context reloads only its agents. The chat model itself is shared where the model
code shares it (a local base model is loaded once per process), not once per database.

What differs between the front ends stays in theirs: the API's token scoping and session
ids (ui/api/databases.py), the app's `?db=` fallback with a note (ui/app/databases.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from schemachat.configs import BadInput, Settings
from schemachat.configs.databases import read_registry, registry_path, served
from schemachat.ui.context import AppContext

if TYPE_CHECKING:
    from schemachat.agent.models.warmup import ModelWarmup
    from schemachat.agent.session import Agent

log = logging.getLogger("schemachat.ui")
Key = tuple[str | None, tuple[str, ...] | None]
# Opens an agent for (settings, backend, adapters); None means the settings' own choice.
Factory = Callable[[Settings, str | None, list[str] | None], "Agent"]


def _open(settings: Settings, backend: str | None, adapters: list[str] | None) -> Agent:
    from schemachat.agent.session import Agent

    return Agent.open(settings, backend=backend, adapters=adapters)


class Agents:
    """One database's agents by (backend, adapters), opened on first use and shared by
    every request or session (an Agent is safe across threads: its database connection is
    used one turn at a time). `factory` opens one (tests pass their own)."""

    def __init__(self, settings: Settings, factory: Factory | None = None) -> None:
        self.settings = settings
        self._factory = factory or _open
        self._agents: dict[Key, Agent] = {}
        self._lock = threading.Lock()

    def get(self, backend: str | None = None, adapters: Sequence[str] | None = None) -> Agent:
        """The agent for `backend` and `adapters` (None: the settings' own). BadInput when
        an adapter is not in this database's workspace or was trained on another
        database."""
        key: Key = (backend, tuple(adapters) if adapters is not None else None)
        with self._lock:
            agent = self._agents.get(key)
            if agent is None:
                self._check_adapters(adapters)
                agent = self._factory(self.settings, backend,
                                      list(adapters) if adapters is not None else None)
                self._agents[key] = agent
            return agent

    def _check_adapters(self, adapters: Sequence[str] | None) -> None:
        """BadInput when an adapter is not in the workspace (naming the known ones) or
        was trained on another schema (naming both databases). Checked here for every
        backend, even one that ignores adapters, so a wrong name is refused the same way
        everywhere and the database is named by its registered name."""
        if adapters:
            from schemachat.agent.adapters.store import AdapterStore

            store = AdapterStore(self.settings.workspace, db=self.settings.db)
            for name in adapters:
                store.check_schema(name)

    def reload(self, index: bool = True) -> None:
        """After an annotation save: every agent re-reads the document (and the index)."""
        with self._lock:
            for agent in self._agents.values():
                agent.context.reload(index=index)

    def close(self) -> None:
        """Close every agent (its database connection); they are opened again on use."""
        with self._lock:
            for agent in self._agents.values():
                try:
                    agent.close()
                except Exception as exc:  # e.g. the engine already shut the connection
                    log.warning("closing an agent: %s", exc)
            self._agents.clear()


@dataclass
class ServedDatabase:
    """One database as a server serves it: its name, settings (workspace, fb_database),
    agents and, once opened, its context."""

    name: str
    settings: Settings
    agents: Agents
    registered: bool = False  # False: the settings' own database, nothing registered
    warmup: ModelWarmup | None = field(default=None, repr=False)  # the app's chat model
    _ctx: AppContext | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def ctx(self) -> AppContext:
        """The workspace context (see `open`)."""
        return self.open()

    def open(self) -> AppContext:
        """The workspace context, opened on first use and then kept (BadInput when the
        workspace has no schema or a broken annotations file; tried again next time)."""
        with self._lock:  # two requests or sessions on a new database open it once
            if self._ctx is None:
                ctx = AppContext.open(self.settings)
                ctx.warmup = self.warmup
                ctx.on_refresh(self.agents.reload)  # a save reaches this database's agents
                self._ctx = ctx
            return self._ctx


D = TypeVar("D", bound=ServedDatabase)


class ServedDatabases(Generic[D]):
    """Every database of `served(settings)` by name, the default first: `--db NAME`'s when
    given (`settings.db`), else the registry's default (nothing registered: the settings'
    own workspace, named `default`). Nothing is opened until asked for.

    A front end subclasses it for what only it does; `kind` is its ServedDatabase
    (sub)class, `factory` opens agents, `warmup` is the chat model being prepared (the
    Gradio app shows its state)."""

    def __init__(self, settings: Settings, kind: type[D], factory: Factory | None = None,
                 warmup: ModelWarmup | None = None) -> None:
        by_name = served(settings)
        registered = bool(read_registry(registry_path(settings)).databases)
        self.default: str = settings.db if settings.db in by_name else next(iter(by_name))
        self.names: list[str] = [self.default, *(n for n in by_name if n != self.default)]
        self.warmup = warmup
        self._all: dict[str, D] = {
            n: kind(n, by_name[n], Agents(by_name[n], factory), registered, warmup)
            for n in self.names}

    @property
    def first(self) -> D:
        """The default database (not opened by asking)."""
        return self._all[self.default]

    @property
    def settings(self) -> Settings:
        """The default database's settings (the model settings are the same for all)."""
        return self.first.settings

    def get(self, name: str) -> D | None:
        """The database named `name`, or None (not opened by asking)."""
        return self._all.get(name)

    def named(self, name: str | None) -> D:
        """The database named `name` (None: the default), not opened by asking;
        BadInput listing the served ones when there is none of that name."""
        found = self._all.get(name or self.default)
        if found is None:
            raise BadInput(f"no database named '{name}'; served: {', '.join(self.names)}")
        return found

    def settings_of(self, name: str | None) -> Settings:
        """The settings of database `name` (None: the default); BadInput when unknown."""
        return self.named(name).settings

    def database(self, name: str | None) -> D:
        """Database `name` (None: the default) with its context opened. BadInput when the
        name is unknown or its workspace cannot be served."""
        found = self.named(name)
        found.open()
        return found

    def context(self, name: str | None) -> AppContext:
        """The opened context of database `name` (see `database`)."""
        return self.named(name).ctx

    def close(self) -> None:
        """Close every database's agents (their database connections)."""
        for database in self._all.values():
            database.agents.close()
