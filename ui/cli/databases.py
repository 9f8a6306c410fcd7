"""`schemachat databases add / list / remove`: the registry of databases this install
serves (databases.json, schemachat.configs.databases; docs/databases.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from schemachat.configs import BadInput, Settings
from schemachat.configs.databases import (
    add_database,
    read_registry,
    registry_path,
    remove_database,
)
from schemachat.ingest.workspace_state import is_built, workspace_state
from schemachat.ui.cli.app import app, err, out, settings_from

databases_app = typer.Typer(
    help="Register, list and remove the databases this install serves (databases.json); "
         "every command then takes --db NAME.", no_args_is_help=True)
app.add_typer(databases_app, name="databases")

WORKSPACES = Path("workspaces")  # where `add` puts a workspace when none is given

ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", "-c", help="YAML profile: a file, or a bundled name such as 'demo' (its "
    "databases_file is the registry; default ./databases.json).", show_default=False)]


def refuse_paths_beside_registry(settings: Settings, flags: Mapping[str, Any],
                                 serves: str) -> None:
    """The rule of every command that serves (`up`, `serve ui|api|slack`): with databases
    registered it serves all of them, so --workspace/--database on its command line would
    name a database it does not serve. BadInput then (one line, exit 2) rather than
    ignoring the flag; --db NAME chooses among the registered ones.

    `flags`: the command line as given (click's `ctx.params`); env and profile are left
    alone, as they may well set a workspace for an install that later gained a registry.
    `serves`: what the command does with the registered databases, for the message.
    """
    names = read_registry(registry_path(settings)).names()
    given = [flag for flag, key in (("--workspace", "workspace"), ("--database", "database"))
             if flags.get(key) is not None]
    if names and given:
        raise BadInput(f"{registry_path(settings)} registers {', '.join(names)}: {serves}, "
                       f"not {' or '.join(given)}")


def _registry_file(config: Path | None) -> Path:
    # Env (SCHEMACHAT_DATABASES_FILE), .env and the profile can move the registry.
    return registry_path(settings_from(config))


@databases_app.command("add")
def databases_add(
    name: Annotated[str, typer.Argument(help="Name for --db, URLs and model ids: 1-40 "
                                             "lowercase letters, digits, '-' or '_'.")],
    database: Annotated[str, typer.Option(
        "--database", "-d", help="Database: a file (embedded) or host\\[/port]:path.",
        show_default=False)],
    workspace: Annotated[Path | None, typer.Option(
        "--workspace", "-w", help="Its workspace folder, never shared with another database "
        "(default: workspaces/NAME).", show_default=False)] = None,
    default: Annotated[bool, typer.Option(
        "--default", help="Make it the default database (the first one added is).")] = False,
    check: Annotated[bool, typer.Option(
        "--check/--no-check", help="Check that a database file (not a server) exists.")] = True,
    config: ConfigOpt = None,
) -> None:
    """Register a database under NAME with its own workspace. Nothing is read from it yet:
    `schemachat up --db NAME` (or `extract --db NAME` ...) builds the workspace."""
    from schemachat.ingest.firebird import parse_target  # the driver loads on use only

    path = _registry_file(config)
    target = parse_target(database)
    if check and target.embedded and not Path(target.path).is_file():
        raise BadInput(f"database file {target.path} not found (give an existing file, "
                       "host[/port]:path for a server, or --no-check)")
    entry = add_database(path, name, database, workspace or WORKSPACES / name, default=default)
    is_default = read_registry(path).default_name() == entry.name
    err.print(f"database [bold]{escape(entry.name)}[/bold]: {escape(entry.database)}, "
              f"workspace {escape(str(entry.workspace))}"
              f"{' (default)' if is_default else ''} -> {escape(str(path))}",
              highlight=False, soft_wrap=True)
    err.print(f"next: schemachat up --db {entry.name} --no-serve", highlight=False)


@databases_app.command("list")
def databases_list(
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array on stdout: "
                                          "[{name, database, workspace, default, state, built}]."
                                          )] = False,
    config: ConfigOpt = None,
) -> None:
    """The registered databases, the default first, with how far each workspace is built:
    missing, empty, extracted, merged or indexed."""
    path = _registry_file(config)
    registry = read_registry(path)
    default = registry.default_name()
    rows = []
    for name in registry.names():
        entry = registry.get(name)
        state = workspace_state(entry.workspace)
        rows.append({"name": name, "database": entry.database,
                     "workspace": str(entry.workspace), "default": name == default,
                     "state": state, "built": is_built(state)})
    if as_json:
        out.print_json(json.dumps(rows))
        return
    if not rows:
        err.print(f"no databases registered in {escape(str(path))}: this install serves its "
                  "own workspace and database; add one with `schemachat databases add NAME "
                  "--database PATH`", highlight=False, soft_wrap=True)
        return
    table = Table(title=f"databases in {escape(str(path))}",
                  caption="*: the default, used without --db")
    for column in ("name", "database", "workspace", "built"):
        table.add_column(column)
    for row in rows:
        table.add_row(escape(row["name"]) + (" *" if row["default"] else ""),
                      escape(row["database"]), f"{escape(row['workspace'])} ({row['state']})",
                      "yes" if row["built"] else "no")
    out.print(table)


@databases_app.command("remove")
def databases_remove(
    name: Annotated[str, typer.Argument(help="The database to unregister.")],
    config: ConfigOpt = None,
) -> None:
    """Unregister a database. Its workspace (document, annotations, index, adapters,
    sessions) stays on disk: add it again with the same --workspace to get it back."""
    path = _registry_file(config)
    entry = remove_database(path, name)
    err.print(f"database [bold]{escape(name)}[/bold] removed from {escape(str(path))}; its "
              f"workspace {escape(str(entry.workspace))} stays on disk (delete it yourself "
              "if it is no longer needed)", highlight=False, soft_wrap=True)
    now = read_registry(path).default_name()
    if now is not None:
        err.print(f"default database: {escape(now)}", highlight=False)
