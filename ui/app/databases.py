"""The databases the Gradio app serves (configs.databases.served): their names, the
default first, and for each one opened on first use and kept: its AppContext (workspace,
annotation store, document) and its chat agents. The chat model's warm-up is one for
all: the databases differ in workspace and Firebird database, never in model, and loaded
weights stay in the process (agent/models/warmup.py), so every agent shares them."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from schemachat.configs import BadInput, Settings
from schemachat.configs.databases import DEFAULT_NAME, served
from schemachat.ui.context import AppContext

if TYPE_CHECKING:
    from schemachat.agent.models.warmup import ModelWarmup
    from schemachat.agent.session import Agent


@dataclass
class ServedDatabase:
    """One database as the app serves it: its context and its chat agents, one per
    backend and adapter choice, shared by every session looking at this database."""

    name: str
    ctx: AppContext
    _agents: dict[tuple[str, tuple[str, ...]], Agent] = field(default_factory=dict,
                                                               repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def agent(self, backend: str, adapters: Sequence[str]) -> Agent:
        """The agent of this database for `backend` and `adapters` (opened once)."""
        from schemachat.agent.session import Agent

        key = (backend, tuple(adapters))
        with self._lock:
            if key not in self._agents:
                self._agents[key] = Agent.open(self.ctx.settings, backend=backend,
                                               adapters=list(adapters) or None)
            return self._agents[key]

    def reload_agents(self, index: bool) -> None:
        """After an annotation save in this database: its agents re-read the document
        (and the index, when `index`)."""
        with self._lock:
            for agent in self._agents.values():
                agent.context.reload(index=index)


class ServedDatabases:
    """Every database of `served(settings)`, name → settings, opened lazily.

    With `settings.db` set (`--db NAME`) that database comes first, so it is the one a
    page without `?db=` shows; the others are still served."""

    def __init__(self, settings: Settings, warmup: ModelWarmup | None = None) -> None:
        by_name = served(settings)
        if settings.db in by_name:
            by_name = {settings.db: by_name[settings.db]} | by_name
        self._settings = by_name
        self.names: list[str] = list(by_name)
        self.default: str = self.names[0]
        self.warmup = warmup
        self._open: dict[str, ServedDatabase] = {}
        self._lock = threading.Lock()

    @property
    def settings(self) -> Settings:
        """The default database's settings (the model settings are the same for all)."""
        return self._settings[self.default]

    def settings_of(self, name: str | None) -> Settings:
        """Settings of database `name` (None: the default); BadInput when unknown."""
        name = name or self.default
        if name not in self._settings:
            raise BadInput(f"no database named '{name}'; served: {', '.join(self.names)}")
        return self._settings[name]

    def database(self, name: str | None) -> ServedDatabase:
        """Database `name` (None: the default), opened on first use. BadInput when the
        name is unknown or its workspace cannot be served (no schema, broken
        annotations file); a failed open is tried again next time."""
        settings = self.settings_of(name)
        name = name or self.default
        with self._lock:  # two sessions picking the same database open it once
            if name not in self._open:
                ctx = AppContext.open(settings)
                ctx.warmup = self.warmup
                database = ServedDatabase(name, ctx)
                ctx.on_refresh(database.reload_agents)  # a save reaches this one's agents
                self._open[name] = database
            return self._open[name]

    def context(self, name: str | None) -> AppContext:
        """The AppContext of database `name` (see `database`)."""
        return self.database(name).ctx

    def resolve(self, requested: str | None) -> tuple[str, str]:
        """The database a page asking for `requested` (its `?db=`) shows, and a note to
        show with it: unknown or unusable names fall back to the default, saying so."""
        # `default` names the default database, as it does for --db.
        if not requested or requested in (self.default, DEFAULT_NAME):
            return self.default, ""
        if requested not in self._settings:
            return self.default, (f"No database named `{requested}` here: showing "
                                  f"`{self.default}` (served: {', '.join(self.names)}).")
        try:
            self.database(requested)
        except BadInput as exc:
            return self.default, (f"Database `{requested}` cannot be opened ({exc}): "
                                  f"showing `{self.default}`.")
        return requested, ""
