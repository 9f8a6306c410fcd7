"""The HTTP API (FastAPI): `create_app(settings)`, served by `schemachat serve api`."""

from schemachat.ui.api.app import create_app, serve

__all__ = ["create_app", "serve"]
