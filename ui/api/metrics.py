"""Prometheus metrics of one app (its own registry, so several apps can live in one
process, as in the tests): requests by route template and status, their latency, agent
turns and feedback."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.requests = Counter("schemachat_http_requests", "HTTP requests.",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("schemachat_http_request_seconds", "HTTP request latency.",
                                 ["route"], registry=self.registry)
        self.turns = Counter("schemachat_agent_turns", "Agent turns by endpoint and outcome.",
                             ["endpoint", "outcome"], registry=self.registry)
        self.feedback = Counter("schemachat_feedback", "Feedback received.", ["rating"],
                                registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts and times every HTTP request by its route template (not the raw path, so
    /tables/{name} is one series)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or "(unmatched)"
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - started)
