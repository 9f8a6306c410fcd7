"""`chat_model(settings)`: the configured backend as a LangChain chat model.

Every backend takes the same per-request keyword arguments, so callers never look at
which one they got: `invoke(messages, adapters=[...], max_new_tokens=..., stop=[...])`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from schemachat.agent.adapters.store import AdapterStore
from schemachat.agent.models import default
from schemachat.configs import BadInput

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from schemachat.agent.adapters.active import ActiveAdapterWatch
    from schemachat.agent.models.local import LocalChatModel
    from schemachat.configs import Settings

log = logging.getLogger(__name__)
BACKENDS = ("default", "local", "tgi", "openai", "fake", "none")


def chat_model(settings: Settings, *, backend: str | None = None,
               adapters: Sequence[str] | None = None) -> BaseChatModel:
    """The chat model of `backend` (default: settings.model_backend) with `adapters`
    active (default: settings.adapters; when that is unset too, the local and tgi
    backends follow the active schema adapter of training/active.json, re-read when it
    changes; [] means none). Cheap to call again: local weights load once per process,
    on first use. BadInput for an unknown backend or adapter, or a backend whose settings
    are missing."""
    name = backend or settings.model_backend
    chosen = settings.adapters if adapters is None else adapters
    active = list(chosen or [])
    weights = settings.adapter_weights if adapters is None else None
    follow = _watch(settings, name) if chosen is None else None
    if name == "default":
        return _local(settings, str(default.ensure_default_model(settings.model_cache_dir)), active,
                      weights, follow)
    if name == "local":
        source = settings.model_path or settings.model_id
        if source is None:
            raise BadInput("the local backend needs model_path (a folder) or model_id "
                           "(SCHEMACHAT_MODEL_PATH / SCHEMACHAT_MODEL_ID)")
        return _local(settings, str(source), active, weights, follow)
    if name == "tgi":
        return _tgi(settings, active, follow)
    if name == "openai":
        return _openai(settings, active)
    if name == "none":
        raise BadInput("model_backend none has no chat model: query plans answer data "
                       "questions and the document schema questions")
    if name == "fake":
        from langchain_core.language_models import FakeListChatModel

        return FakeListChatModel(responses=list(settings.fake_responses) or [""])
    raise BadInput(f"unknown model backend {name!r}: choose one of {', '.join(BACKENDS)}")


def _watch(settings: Settings, backend: str) -> ActiveAdapterWatch | None:
    """A follower of training/active.json for the local and tgi backends, checking the
    adapter's base against the backend's (None when there is no base to check against)."""
    if backend not in ("default", "local", "tgi"):
        return None
    from schemachat.agent.adapters.active import ActiveAdapterWatch, active_file

    try:
        names = configured_base_names(settings.model_copy(update={"model_backend": backend}))
    except BadInput as exc:
        if active_file(settings.workspace).exists():
            log.warning("the active schema adapter is not used: %s", exc)
        return None
    return ActiveAdapterWatch(workspace=settings.workspace, base_names=names, db=settings.db)


def _local(settings: Settings, source: str, active: list[str],
           weights: list[float] | None, follow: ActiveAdapterWatch | None) -> LocalChatModel:
    from schemachat.agent.models.local import LocalChatModel

    store = AdapterStore(settings.workspace, db=settings.db)
    for name in active:
        store.check_schema(name)  # BadInput naming the known ones, or the other database
    if weights is not None and len(weights) != len(active):
        raise BadInput(f"adapter_weights has {len(weights)} values for {len(active)} adapters")
    return LocalChatModel(
        model_path=source, adapter_dirs=store.dirs(), adapters=active, adapter_weights=weights,
        follow_active=follow, max_new_tokens=settings.max_new_tokens,
        temperature=settings.temperature, dtype=settings.model_dtype,
        load_in_4bit=settings.load_in_4bit, local_files_only=not settings.model_hub_download)


def _tgi(settings: Settings, active: list[str],
         follow: ActiveAdapterWatch | None) -> BaseChatModel:
    from schemachat.agent.models.tgi import TGIChatModel

    if not settings.tgi_url:
        raise BadInput("the tgi backend needs tgi_url (SCHEMACHAT_TGI_URL), e.g. "
                       "http://localhost:8080")
    if len(active) > 1:
        raise BadInput(f"TGI takes one adapter per request, not {len(active)}")
    _check_schemas(settings, active)
    return TGIChatModel(base_url=settings.tgi_url, adapter_id=active[0] if active else None,
                        follow_active=follow,
                        prompt_format=settings.tgi_prompt_format,
                        max_new_tokens=settings.max_new_tokens,
                        temperature=settings.temperature, timeout_s=settings.model_timeout_s)


def _openai(settings: Settings, active: list[str]) -> BaseChatModel:
    from schemachat.agent.models.openai import openai_chat_model

    if not settings.openai_model:
        raise BadInput("the openai backend needs openai_model (SCHEMACHAT_OPENAI_MODEL) and "
                       "usually openai_base_url, e.g. http://localhost:8000/v1")
    if len(active) > 1:
        raise BadInput(f"an OpenAI-compatible server takes one adapter per request, not "
                       f"{len(active)}")
    _check_schemas(settings, active)
    return openai_chat_model(
        base_url=settings.openai_base_url, model=active[0] if active else settings.openai_model,
        api_key=settings.openai_api_key, temperature=settings.temperature,
        max_tokens=settings.max_new_tokens, timeout_s=settings.model_timeout_s)


def _check_schemas(settings: Settings, active: list[str]) -> None:
    """The adapters of a server may live elsewhere; those in the workspace too are
    checked against its schema like local ones."""
    store = AdapterStore(settings.workspace, db=settings.db)
    for name in active:
        if name in store.dirs():
            store.check_schema(name)


def configured_base_names(settings: Settings) -> list[str]:
    """What the configured base model may be called, the display name first: model_id
    and model_path when set, else (default backend) the default model's names and cache
    folder. BadInput when nothing is configured to check against."""
    names = [str(n) for n in (settings.model_id, settings.model_path) if n]
    if settings.model_backend == "default" and not names:
        names = [*default.BASE_NAMES]
        # Without the package installed its names still identify the model.
        with contextlib.suppress(Exception):
            names.append(str(default.cached_model_dir(settings.model_cache_dir)))
    if not names:
        raise BadInput(f"no base model configured for backend {settings.model_backend!r} to "
                       "check adapters against: set model_id (SCHEMACHAT_MODEL_ID)")
    return names


def adapter_store(settings: Settings) -> AdapterStore:
    """The adapters of the configured workspace, checked against the configured base."""
    return AdapterStore(settings.workspace, configured_base_names(settings), db=settings.db)
