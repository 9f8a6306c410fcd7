"""Which agent a model name of the OpenAI-compatible endpoint asks for (the agents
themselves, one per database, backend and adapters, are ui/served.py's Agents):

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
import re
from typing import NamedTuple

from schemachat.agent.models.registry import BACKENDS
from schemachat.configs import BadInput, Settings

BASE = "schemachat"
MAX_ADAPTERS = 8
ADAPTER_NAME = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"  # an adapter in a request or model name
DATABASE_NAME = r"[a-z0-9][a-z0-9_-]{0,39}"  # as schemachat.configs.databases.check_name
# What the model name of the OpenAI-compatible endpoint may be (its OpenAPI pattern too,
# so no Python-only syntax): group 1 the database, 2 the backend, 3 the adapters.
MODEL_PATTERN = (rf"^schemachat(?:/({DATABASE_NAME}))?(?::({'|'.join(BACKENDS)}))?"
                 rf"(?:@({ADAPTER_NAME}(?:\+{ADAPTER_NAME}){{0,{MAX_ADAPTERS - 1}}}))?$")
MODEL_NAME = re.compile(MODEL_PATTERN)


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
