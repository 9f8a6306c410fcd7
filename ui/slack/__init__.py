"""The Slack bot (slack-bolt): `build_app(settings)`, served by `schemachat serve slack`."""

from schemachat.ui.slack.bot import build_app, serve

__all__ = ["build_app", "serve"]
