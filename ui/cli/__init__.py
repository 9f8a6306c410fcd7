"""The `schemachat` command: one module per group of sub-commands, all on one typer app."""

import schemachat.ui.cli.agent  # registers its commands
import schemachat.ui.cli.annotations  # registers its commands
import schemachat.ui.cli.models  # registers its commands
import schemachat.ui.cli.retrieval  # registers its commands
import schemachat.ui.cli.serve  # registers its commands
import schemachat.ui.cli.up  # noqa: F401  (registers its commands)
from schemachat.ui.cli import pipeline  # noqa: F401  (registers its commands)
from schemachat.ui.cli.app import app, main

__all__ = ["app", "main"]
