"""The databases the Gradio app serves: ui/served.py's, opened and kept the same way as
the API's, plus what only the app does: a page's `?db=` resolved to a database it can
show, falling back to the default with a note. The chat model's warm-up is one for all:
the databases differ in workspace and Firebird database, never in model, and loaded
weights stay in the process (agent/models/warmup.py), so every agent shares them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from schemachat.configs import BadInput, Settings
from schemachat.configs.databases import DEFAULT_NAME
from schemachat.ui import served
from schemachat.ui.served import ServedDatabase

if TYPE_CHECKING:
    from schemachat.agent.models.warmup import ModelWarmup


class ServedDatabases(served.ServedDatabases[ServedDatabase]):
    """Every database of `served(settings)`, name → settings, opened lazily.

    With `settings.db` set (`--db NAME`) that database comes first, so it is the one a
    page without `?db=` shows; the others are still served."""

    def __init__(self, settings: Settings, warmup: ModelWarmup | None = None) -> None:
        super().__init__(settings, ServedDatabase, warmup=warmup)

    def resolve(self, requested: str | None) -> tuple[str, str]:
        """The database a page asking for `requested` (its `?db=`) shows, and a note to
        show with it: unknown or unusable names fall back to the default, saying so."""
        # `default` names the default database, as it does for --db.
        if not requested or requested in (self.default, DEFAULT_NAME):
            return self.default, ""
        if self.get(requested) is None:
            return self.default, (f"No database named `{requested}` here: showing "
                                  f"`{self.default}` (served: {', '.join(self.names)}).")
        try:
            self.database(requested)
        except BadInput as exc:
            return self.default, (f"Database `{requested}` cannot be opened ({exc}): "
                                  f"showing `{self.default}`.")
        return requested, ""
