"""Whether the agent's own parts are ready, for `schemachat doctor`: the chat model (for
the default backend, its converted copy in the cache) and the retrieval index (built, and
from the merged document as it is now). Both only look: nothing is converted, loaded or
built here."""

from __future__ import annotations

from schemachat.configs import BadInput, Settings
from schemachat.ingest.findings import Finding
from schemachat.ingest.workspace import Workspace


def check_model(settings: Settings) -> Finding:
    """The chat model: for the default backend, whether its safetensors copy is converted
    and where; for the others, what is configured (no server is called)."""
    from schemachat.agent.models import default
    from schemachat.agent.models.errors import ModelError
    from schemachat.agent.models.warmup import model_name

    backend = settings.model_backend
    if backend == "none":
        return Finding("model", "ok", "none (model_backend none): query plans answer data "
                                      "questions, the document answers schema questions")
    if backend == "default":
        try:
            folder = default.cached_model_dir(settings.model_cache_dir)
        except ModelError as exc:  # the model package is missing
            return Finding("model", "warning", str(exc))
        if default.is_cached(settings.model_cache_dir):
            return Finding("model", "ok", f"{model_name(settings)}, converted in {folder}")
        return Finding("model", "warning", f"{model_name(settings)} is not converted yet "
                       f"(it goes to {folder}); the first question would wait for it",
                       fix="schemachat models prepare (about a minute and a half, once)")
    if backend == "local":
        path = settings.model_path
        if path is not None and not path.is_dir():
            return Finding("model", "error", f"model_path {path} is not a folder",
                           fix="set SCHEMACHAT_MODEL_PATH to the base model's folder")
        if path is None and not settings.model_id:
            return Finding("model", "error", "the local backend has no model",
                           fix="set SCHEMACHAT_MODEL_PATH or SCHEMACHAT_MODEL_ID")
        return Finding("model", "ok", f"local: {model_name(settings)} (loaded on first use)")
    url = {"tgi": settings.tgi_url, "openai": settings.openai_base_url}.get(backend)
    if backend in ("tgi", "openai") and not url:
        variable = "SCHEMACHAT_TGI_URL" if backend == "tgi" else "SCHEMACHAT_OPENAI_BASE_URL"
        return Finding("model", "error", f"the {backend} backend has no server",
                       fix=f"set {variable}")
    where = f" at {url} (not called)" if url else ""
    return Finding("model", "ok", f"{backend}: {model_name(settings)}{where}")


def check_index(settings: Settings) -> Finding:
    """The retrieval index of the workspace: missing, stale against the merged document
    (or built with another embedding model, store or chunker), or ready."""
    from schemachat.agent.retrieval.index import check_usable, read_manifest

    ws = Workspace(settings.workspace)
    if ws.root.exists() and not ws.root.is_dir():
        return Finding("index", "error", f"workspace is not a folder: {ws.root}",
                       fix="pass --workspace DIR (or set SCHEMACHAT_WORKSPACE) to a folder")
    if not ws.combined.is_file():
        return Finding("index", "warning", f"no merged document in {ws.root}, so no index",
                       fix="schemachat extract, then schemachat merge and schemachat index "
                           "(or schemachat up)")
    manifest = read_manifest(ws.index_dir)
    try:
        check_usable(manifest, settings, ws)
    except BadInput as exc:  # says what is wrong and the command that fixes it
        return Finding("index", "warning", str(exc))
    assert manifest is not None  # check_usable raised otherwise
    return Finding("index", "ok", f"{ws.index_dir}: {len(manifest.chunks)} chunks, built "
                                  f"{manifest.built_at:%Y-%m-%d %H:%M} from the merged document "
                                  "as it is now")
