"""The FastAPI app: `create_app(settings)`; `serve(settings)` runs it with uvicorn.

Every route but /health and the OpenAPI document needs a bearer token (see auth.py).
Each database served (schemachat.configs.databases) has every route under
/databases/{db}/...; the unscoped routes are the default database's (database_routes.py).
Bad input (a BadInput from any stage) is 400 with its one-line reason; any other
SchemachatError (the Firebird server went away: DatabaseUnavailable) is 503 with its
one-line reason, and the next request reconnects; an unexpected failure is 500 with a
generic message (the details go to the log, not to the caller).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from schemachat.agent.models.warmup import Loader, ModelWarmup
from schemachat.configs import BadInput, SchemachatError, Settings
from schemachat.ui.api.auth import RateLimiter, TokenSet, bearer
from schemachat.ui.api.database_routes import at_default, in_path
from schemachat.ui.api.databases import ServedDatabases
from schemachat.ui.api.health_routes import app_version
from schemachat.ui.api.limits import BodyLimitMiddleware
from schemachat.ui.api.metrics import CONTENT_TYPE, Metrics, MetricsMiddleware
from schemachat.ui.api.models import COMMON, errors
from schemachat.ui.served import Factory

log = logging.getLogger("schemachat.api")
SCOPED = "/databases/{db}"  # the prefix of every route of one database
OPENAI_PATH = re.compile(r"^(/databases/[^/]+)?/v1/")


def create_app(settings: Settings, *, agent_factory: Factory | None = None,
               agent_threads: int = 8, model_loader: Loader | None = None) -> FastAPI:
    """The API over every database `settings` serves (the registry's, else the
    workspace of `settings` as `default`). BadInput when the default database's workspace
    has no schema, the token file is broken or a token is limited to a database that is
    not served. `agent_factory` opens agents (tests pass a fake-model one); at most
    `agent_threads` agent turns run at once. Once served, the chat model is prepared in
    the background (`model_loader`: warmup.prepare_model unless a test passes another)
    and /health reports its state."""
    databases = ServedDatabases(settings, agent_factory)
    databases.first.open()  # the default is checked now; the others on first use
    tokens = TokenSet.from_settings(settings)
    tokens.check_databases(databases.names)
    warmup = ModelWarmup(databases.first.settings, model_loader)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.agent_slots = anyio.CapacityLimiter(agent_threads)
        # Started when served, not when built: building an app costs no model load.
        warmup.start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(databases.close)  # database connections

    app = FastAPI(title="schemachat", version=app_version(), lifespan=lifespan,
                  description="Ask a legacy Firebird database's schema questions, draft and "
                              "run read-only SQL, read and edit annotations. Bearer-token "
                              "auth on everything but /health.")
    app.state.settings = settings
    app.state.databases = databases
    app.state.tokens = tokens
    app.state.limiter = RateLimiter(settings.api_rate_limit_per_minute)
    app.state.warmup = warmup
    app.state.metrics = metrics = Metrics()
    app.state.agent_slots = anyio.CapacityLimiter(agent_threads)

    _routes(app)
    _errors(app)
    if settings.api_cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.api_cors_origins,
                           allow_methods=["GET", "POST", "PUT"],
                           allow_headers=["authorization", "content-type"])
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api_max_request_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app


def _routes(app: FastAPI) -> None:
    from schemachat.ui.api import (
        agent_routes,
        database_routes,
        feedback_routes,
        health_routes,
        openai_compat,
        schema_routes,
    )

    @app.get("/metrics", tags=["service"], dependencies=[Depends(bearer)],
             response_class=Response,
             responses={200: {"content": {CONTENT_TYPE: {}}}, **errors(*COMMON)})
    def metrics(request: Request) -> Response:
        """Prometheus text format: requests, latency, agent turns, feedback (of every
        database served)."""
        return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE)

    app.include_router(health_routes.router)  # the default's, no token
    app.include_router(database_routes.router)
    scoped = APIRouter(prefix=SCOPED, dependencies=[Depends(in_path)],
                       responses=errors(403, 401, 429))
    scoped.include_router(health_routes.router)
    for router in (schema_routes.router, feedback_routes.router, agent_routes.router):
        app.include_router(router, dependencies=[Depends(at_default)], responses=errors(403))
        scoped.include_router(router)
    # The chat endpoint picks its database by model name (schemachat/NAME) too, so its
    # unscoped routes check the token per model rather than up front.
    app.include_router(openai_compat.router)
    scoped.include_router(openai_compat.router)
    app.include_router(scoped)


def _errors(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:  # list every method of the path, not the first route's
            allowed = ", ".join(_methods(request.app, request.url.path))
            return JSONResponse({"detail": exc.detail}, status_code=405,
                                headers={**(exc.headers or {}), "Allow": allowed})
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if OPENAI_PATH.match(request.url.path):  # OpenAI's shape and status for its clients
            from schemachat.ui.api.openai_compat import validation_error

            return validation_error(exc)
        return await request_validation_exception_handler(request, exc)

    @app.exception_handler(BadInput)
    async def bad_input(request: Request, exc: BadInput) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(SchemachatError)
    async def failed(request: Request, exc: SchemachatError) -> JSONResponse:
        log.warning("%s %s failed: %s", request.method, request.url.path, exc)
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return JSONResponse({"detail": "internal error (see the server log)"},
                            status_code=500)


def _methods(app: FastAPI, path: str) -> list[str]:
    """Every method the OpenAPI document lists for the paths matching `path` (+ HEAD)."""
    methods: set[str] = set()
    for template, operations in app.openapi()["paths"].items():
        if compile_path(template)[0].match(path):
            methods |= {m.upper() for m in operations}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def serve(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    """Run the API with uvicorn until SIGINT/SIGTERM (in-flight requests get 10 s to end).
    BadInput when no token is configured (the API would refuse everyone)."""
    import uvicorn

    app = create_app(settings)
    if not app.state.tokens.names:
        raise BadInput("no API tokens: set SCHEMACHAT_API_TOKENS or api_token_file "
                       "(see docs/api.md)")
    uvicorn.run(app, host=host or settings.api_host, port=port or settings.api_port,
                timeout_graceful_shutdown=10, log_level="info")
