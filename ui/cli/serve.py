"""`schemachat serve [ui|api|slack]`: start one of the interfaces."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from schemachat.configs import BadInput, Settings
from schemachat.ui.cli.app import app, with_settings
from schemachat.ui.cli.databases import refuse_paths_beside_registry


class Interface(StrEnum):
    ui = "ui"
    api = "api"
    slack = "slack"


@app.command()
@with_settings(database=True)
def serve(
    settings: Settings,
    ctx: typer.Context,
    what: Annotated[Interface, typer.Argument(
        help="ui: the Gradio app; api: the HTTP API; slack: the Slack bot.")] = Interface.ui,
    host: Annotated[str | None, typer.Option(
        "--host", help="Address to listen on (default 127.0.0.1; api/slack: api_host).",
        show_default=False)] = None,
    port: Annotated[int | None, typer.Option(
        "--port", help="Port to listen on (default ui 7860; api/slack: api_port).",
        show_default=False)] = None,
    hash_token: Annotated[bool, typer.Option(
        "--hash-token", help="Read a token on stdin, print its `sha256:` line for "
                             "api_token_file, and exit.")] = False,
) -> None:
    """Serve an interface on the workspace: the Gradio app, the HTTP API (docs/api.md) or
    the Slack bot (docs/deploy.md). With databases registered (schemachat databases add)
    each serves all of them, --db NAME as the default; --workspace/--database is then
    refused (docs/databases.md)."""
    if hash_token:
        from schemachat.ui.api.auth import hash_token as digest

        token = sys.stdin.readline().strip()
        if not token:
            raise BadInput("--hash-token reads the token on stdin; got an empty line")
        sys.stdout.write(digest(token) + "\n")
        return
    refuse_paths_beside_registry(settings, ctx.params,
                                 f"`serve {what}` serves those (--db NAME for the default)")
    if what is Interface.api:
        from schemachat.ui.api import serve as serve_api

        serve_api(settings, host=host, port=port)
    elif what is Interface.slack:
        from schemachat.ui.slack import serve as serve_slack

        serve_slack(settings, host=host, port=port)
    else:
        from schemachat.ui.app import launch

        launch(settings, host=host or "127.0.0.1", port=port or 7860, block=True)
