"""GET /health: the app answers, the database's workspace has a schema, its index and the
chat model's state. Unscoped it is about the default database and needs no token;
/databases/{db}/health needs one (it would otherwise tell which names exist)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Request

from schemachat.configs import BadInput, Settings
from schemachat.ingest.workspace import Workspace
from schemachat.ui.api.databases import ServedDatabase
from schemachat.ui.api.models import Health, ModelHealth

router = APIRouter(tags=["service"])


def app_version() -> str:
    """The installed schemachat version ("0" when not installed)."""
    try:
        return version("schemachat")
    except PackageNotFoundError:
        return "0"


@router.get("/health", response_model=Health)
def health(request: Request) -> Health:
    """Liveness: the app answers, its workspace has a schema, the index and the chat
    model's state (no token needed, except under /databases/{db})."""
    database: ServedDatabase = getattr(request.state, "database", None) or \
        request.app.state.databases.first
    settings = database.settings
    ws = Workspace(settings.workspace)
    model = request.app.state.warmup.state()
    return Health(version=app_version(), schema_loaded=ws.combined.exists(),
                  index=_index_state(settings, ws),
                  model=ModelHealth(state=model.state, name=model.name, error=model.error,
                                    seconds=model.seconds))


def _index_state(settings: Settings, ws: Workspace) -> str:
    from schemachat.agent.retrieval.index import check_usable, read_manifest

    try:
        check_usable(read_manifest(ws.index_dir), settings, ws)
    except BadInput as exc:
        return str(exc)
    return "ready"
