"""The databases one server answers for (schemachat.configs.databases.served): each with
its own settings, workspace context and agents, so documents, annotations, indexes and
chat sessions never mix. Shared by the HTTP API and the Slack bot.

The default database's context is opened at once (a missing schema is an error before
anything is served); another's on its first request, then kept. The chat model itself
is shared where the model code shares it (a local base model is loaded once per
process), not once per database.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from schemachat.configs import BadInput, Settings
from schemachat.configs.databases import read_registry, registry_path, served
from schemachat.ui.api.agents import Agents, Factory
from schemachat.ui.context import AppContext

log = logging.getLogger("schemachat.api")


@dataclass
class ServedDatabase:
    """One database: its name, settings (workspace, fb_database) and agents."""

    name: str
    settings: Settings
    agents: Agents
    registered: bool = False  # False: the settings' own database, nothing registered
    _ctx: AppContext | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def ctx(self) -> AppContext:
        """The workspace context, opened on first use (BadInput when it has no schema)."""
        with self._lock:
            if self._ctx is None:
                ctx = AppContext.open(self.settings)
                ctx.on_refresh(self.agents.reload)  # an annotation save reaches its agents
                self._ctx = ctx
            return self._ctx

    def session(self, session: str | None) -> str | None:
        """The conversation id to store: prefixed with the database's name when the
        sessions store is shared (`sessions_url`), so that the same id in two databases
        is two conversations. The default SQLite store is per workspace already."""
        if session is None or not self.registered or self.settings.sessions_url is None:
            return session
        return f"{self.name}:{session}"


class ServedDatabases:
    """Every database served, by name, the default first."""

    def __init__(self, settings: Settings, factory: Factory | None = None) -> None:
        by_name = served(settings)
        registered = bool(read_registry(registry_path(settings)).databases)
        # `--db NAME` chooses the unscoped routes' database; else the registry's default.
        self.default = settings.db if settings.db in by_name else next(iter(by_name))
        order = [self.default, *(n for n in by_name if n != self.default)]
        self._all = {n: ServedDatabase(n, by_name[n], Agents(by_name[n], factory), registered)
                     for n in order}

    def names(self) -> list[str]:
        """The names, the default first."""
        return list(self._all)

    def get(self, name: str) -> ServedDatabase | None:
        """The database named `name`, or None."""
        return self._all.get(name)

    def named(self, name: str) -> ServedDatabase:
        """The database named `name`; BadInput listing the served ones otherwise."""
        found = self._all.get(name)
        if found is None:
            raise BadInput(f"no database named '{name}'; served: {', '.join(self._all)}")
        return found

    @property
    def first(self) -> ServedDatabase:
        """The default database."""
        return self._all[self.default]

    def close(self) -> None:
        """Close every database's agents (their database connections)."""
        for database in self._all.values():
            database.agents.close()
