"""The typer app, the options every command shares, and exit codes.

Exit 0 on success, 2 on bad input (one line on stderr), 1 on anything else.
Commands only parse arguments and call library functions.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_type_hints

import typer
from rich.console import Console
from rich.markup import escape

from schemachat.configs import BadInput, SchemachatError, Settings, load_settings

app = typer.Typer(
    name="schemachat",
    help="Talk to a legacy Firebird database: extract, annotate, index and query its schema.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Human output goes to stderr so that stdout stays clean for --json.
err = Console(stderr=True)
out = Console()

# The options every command shares (see with_settings): (parameter, type, flags, help).
# Rich reads [...] in help text as markup, so the bracket of [/port] is escaped.
_SHARED: list[tuple[str, type, tuple[str, ...], str]] = [
    ("workspace", Path, ("--workspace", "-w"), "Workspace folder (default: ./data or config)."),
    ("db", str, ("--db",), "Registered database (schemachat databases list): its workspace "
     "and database."),
    ("config", Path, ("--config", "-c"), "YAML profile: a file, or a bundled name such as 'demo'."),
    ("database", str, ("--database", "-d"), "Database: a file (embedded) or host\\[/port]:path."),
    ("user", str, ("--user", "-u"), "Firebird user (env SCHEMACHAT_FB_USER)."),
    ("password", str, ("--password", "-p"),
     "Firebird password (better: env SCHEMACHAT_FB_PASSWORD)."),
]
_OPTIONS = {name: Annotated[kind | None, typer.Option(*flags, help=text, show_default=False)]
            for name, kind, flags, text in _SHARED}


F = TypeVar("F", bound=Callable[..., Any])


def with_settings(*, database: bool = False) -> Callable[[F], F]:
    """Give a command the options every command shares, declared here once: --workspace
    and --config, and with `database` --database, --user and --password. The command's
    function takes `settings: Settings` as its first parameter instead of them:

        @app.command()
        @with_settings(database=True)
        def extract(settings: Settings, force: bool = False) -> None: ...
    """
    shared = ["workspace", "db", "config", *(["database", "user", "password"] if database else [])]

    def wrap(func: F) -> F:
        hints = get_type_hints(func, include_extras=True)
        own = [p.replace(annotation=hints.get(p.name, p.annotation))
               for p in inspect.signature(func).parameters.values() if p.name != "settings"]
        added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                                   annotation=_OPTIONS[name]) for name in shared]

        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            flags = {name: kwargs.pop(name, None) for name in shared}
            settings = settings_from(flags["config"], flags["workspace"], flags.get("database"),
                                     flags.get("user"), flags.get("password"), flags["db"])
            return func(settings, *args, **kwargs)

        params = [*own, *added]
        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        return command  # type: ignore[return-value]

    return wrap


def settings_from(
    config: Path | None = None,
    workspace: Path | None = None,
    database: str | None = None,
    user: str | None = None,
    password: str | None = None,
    db: str | None = None,
) -> Settings:
    """Settings from the profile, env and `.env`, with command-line flags on top."""
    return load_settings(
        config, workspace=workspace, fb_database=database, fb_user=user, fb_password=password,
        db=db,
    )


def main() -> None:
    """Entry point of the console script: run the app and map errors to exit codes."""
    try:
        # Without standalone mode click returns a command's typer.Exit code instead of
        # exiting; pass it on.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except BadInput as exc:
        # escape: a message may hold brackets ("HOST[/PORT]:path") that rich reads as markup
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except SchemachatError as exc:
        err.print(f"[red]failed:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # usage errors (typer's own click) know their code
        show = getattr(exc, "show", None)
        if show is None:
            raise
        show()
        sys.exit(getattr(exc, "exit_code", 2))
