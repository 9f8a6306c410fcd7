"""The databases the HTTP API and the Slack bot answer for: ui/served.py's, opened and
kept the same way as the Gradio app's, plus what only these two do with them: a
conversation id scoped by database when the sessions store is shared. (Token scoping is
ui/api/auth.py and database_routes.py.)

The default database's context is opened when the API is built (a missing schema is an
error before anything is served); another's on its first request, then kept.
"""

from __future__ import annotations

from schemachat.configs import Settings
from schemachat.ui import served
from schemachat.ui.served import Factory


class ServedDatabase(served.ServedDatabase):
    """One database as the API and the Slack bot serve it."""

    def session(self, session: str | None) -> str | None:
        """The conversation id to store: prefixed with the database's name when the
        sessions store is shared (`sessions_url`), so that the same id in two databases
        is two conversations. The default SQLite store is per workspace already."""
        if session is None or not self.registered or self.settings.sessions_url is None:
            return session
        return f"{self.name}:{session}"


class ServedDatabases(served.ServedDatabases[ServedDatabase]):
    """Every database served, by name, the default first (see ui/served.py); `factory`
    opens agents (tests pass a fake-model one)."""

    def __init__(self, settings: Settings, factory: Factory | None = None) -> None:
        super().__init__(settings, ServedDatabase, factory)
