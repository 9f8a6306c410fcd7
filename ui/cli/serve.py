"""`schemachat serve [ui|api|slack]`: start one of the interfaces (the Gradio app today)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from schemachat.configs import BadInput
from schemachat.ui.cli.app import (
    ConfigOpt,
    DatabaseOpt,
    PasswordOpt,
    UserOpt,
    WorkspaceOpt,
    app,
    settings_from,
)


class Interface(StrEnum):
    ui = "ui"
    api = "api"
    slack = "slack"


@app.command()
def serve(
    what: Annotated[Interface, typer.Argument(help="ui: the Gradio app; api, slack: later.")
                    ] = Interface.ui,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 7860,
    workspace: WorkspaceOpt = None,
    database: DatabaseOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Serve an interface on the workspace: the Gradio app (Annotate, Overview, Analysis)."""
    settings = settings_from(config, workspace, database, user, password)
    if what is not Interface.ui:
        raise BadInput(f"`serve {what.value}` is not available yet; use `serve ui`")
    from schemachat.ui.app import launch

    launch(settings, host=host, port=port, block=True)  # prints its URL once serving
