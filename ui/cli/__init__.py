"""The `schemachat` command: one module per group of sub-commands, all on one typer app."""

from typer.models import CommandInfo

import schemachat.ui.cli.agent  # registers its commands
import schemachat.ui.cli.annotations  # registers its commands
import schemachat.ui.cli.databases  # registers its commands
import schemachat.ui.cli.doctor  # registers its commands
import schemachat.ui.cli.models  # registers its commands
import schemachat.ui.cli.retrieval  # registers its commands
import schemachat.ui.cli.serve  # registers its commands
import schemachat.ui.cli.training  # registers its commands
import schemachat.ui.cli.up  # noqa: F401  (registers its commands)
from schemachat.ui.cli import pipeline  # noqa: F401  (registers its commands)
from schemachat.ui.cli.app import app, main

__all__ = ["app", "main"]

# Help lists the commands in the order a person uses them, not the order of the imports.
_ORDER = ["demo-db", "extract", "counts", "samples", "merge", "summary", "annotate", "index",
          "search", "ask", "sql", "serve", "up", "doctor", "schemas"]


def _position(command: CommandInfo) -> int:
    name = command.name or (command.callback.__name__.replace("_", "-") if command.callback
                            else "")
    return _ORDER.index(name) if name in _ORDER else len(_ORDER)


app.registered_commands.sort(key=_position)
