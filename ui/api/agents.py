"""The agents the API answers with: one per (backend, adapters) of each database, opened
on first use and shared by every request (an Agent is safe across threads: its database
connection is used one turn at a time). Model names of the OpenAI-compatible endpoint
map to them:

    schemachat                  settings' backend and adapters
    schemachat:fake             another backend (default, local, tgi, openai, fake)
    schemachat@sales            settings' backend with adapter `sales`
    schemachat:local@sales+hr   backend local, adapters sales and hr combined
    schemachat/erp              database `erp` (any of the above may name one)

Without a database the model is the route's: the default's at /v1, the path's at
/databases/{db}/v1.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from schemachat.agent.models.registry import BACKENDS
from schemachat.configs import BadInput, Settings

if TYPE_CHECKING:
    from schemachat.agent.session import Agent

log = logging.getLogger("schemachat.api")
BASE = "schemachat"
MAX_ADAPTERS = 8
ADAPTER_NAME = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"  # an adapter in a request or model name
DATABASE_NAME = r"[a-z0-9][a-z0-9_-]{0,39}"  # as schemachat.configs.databases.check_name
# What the model name of the OpenAI-compatible endpoint may be (its OpenAPI pattern too,
# so no Python-only syntax): group 1 the database, 2 the backend, 3 the adapters.
MODEL_PATTERN = (rf"^schemachat(?:/({DATABASE_NAME}))?(?::({'|'.join(BACKENDS)}))?"
                 rf"(?:@({ADAPTER_NAME}(?:\+{ADAPTER_NAME}){{0,{MAX_ADAPTERS - 1}}}))?$")
MODEL_NAME = re.compile(MODEL_PATTERN)
Key = tuple[str | None, tuple[str, ...] | None]
Factory = Callable[[Settings, str | None, list[str] | None], "Agent"]


class ModelChoice(NamedTuple):
    """What a model name picks: a database (None: the route's), backend and adapters."""

    database: str | None
    backend: str | None
    adapters: tuple[str, ...] | None


def parse_model(name: str) -> ModelChoice:
    """The database, backend and adapters of a model name; BadInput when it is not one of
    ours."""
    match = MODEL_NAME.fullmatch(name)
    if match is None:
        raise BadInput(f"unknown model {name!r}: use {BASE}, {BASE}/<database>, "
                       f"{BASE}:<backend> or {BASE}@<adapter>[+<adapter>] (see GET /v1/models)")
    database, backend, names = match.group(1, 2, 3)
    return ModelChoice(database, backend, tuple(names.split("+")) if names else None)


def model_names(settings: Settings) -> list[str]:
    """The model names of one database's workspace (GET /v1/models lists them for the
    route's database): the default, the configured backend, each adapter."""
    from schemachat.agent.adapters.store import AdapterStore

    names = [BASE, f"{BASE}:{settings.model_backend}"]
    with contextlib.suppress(BadInput):
        names += [f"{BASE}@{a.name}" for a in AdapterStore(settings.workspace).list()]
    return names


def _open(settings: Settings, backend: str | None, adapters: list[str] | None) -> Agent:
    from schemachat.agent.session import Agent

    return Agent.open(settings, backend=backend, adapters=adapters)


class Agents:
    """Agents by (backend, adapters); `factory` opens one (tests pass their own)."""

    def __init__(self, settings: Settings, factory: Factory | None = None) -> None:
        self.settings = settings
        self._factory = factory or _open
        self._agents: dict[Key, Agent] = {}
        self._lock = threading.Lock()

    def get(self, backend: str | None = None, adapters: Sequence[str] | None = None) -> Agent:
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
        """BadInput naming the known adapters when one is not in the workspace (every
        backend, even one that ignores adapters, refuses unknown names the same way)."""
        if adapters:
            from schemachat.agent.adapters.store import AdapterStore

            store = AdapterStore(self.settings.workspace)
            for name in adapters:
                store.get(name)

    def reload(self, index: bool = True) -> None:
        """After an annotation save: every agent re-reads the document (and the index)."""
        with self._lock:
            for agent in self._agents.values():
                agent.context.reload(index=index)

    def close(self) -> None:
        with self._lock:
            for agent in self._agents.values():
                try:
                    agent.close()
                except Exception as exc:  # e.g. the engine already shut the connection
                    log.warning("closing an agent: %s", exc)
            self._agents.clear()

