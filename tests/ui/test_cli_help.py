"""Every registered command's `--help`, run as a person runs it: it exits 0 with no
traceback and names the command's options. The commands are found by walking the typer
app, so a new command is covered without editing this test."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from schemachat.ui.cli import app
from tests.support.cli import run

# Typer carries its own copy of click, so commands are told apart by what they have.


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found: list[tuple[tuple[str, ...], Any]] = []
    ctx = group.context_class(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        found.append(((*prefix, name), command))
        if hasattr(command, "list_commands"):
            found += _commands(command, (*prefix, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))  # type: ignore[arg-type]


def test_the_walk_finds_the_commands() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"extract", "sql", "serve", "train dataset", "annotations export",
            "adapters add"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS,
                         ids=[" ".join(p) for p, _ in COMMANDS])
def test_help_works_and_names_the_options(path: tuple[str, ...], command: Any) -> None:
    result = run(*path, "--help")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for param in command.params:
        if param.param_type_name == "option" and not getattr(param, "hidden", False):
            longest = max(param.opts, key=len)
            assert longest in result.stdout, f"{' '.join(path)} --help lacks {longest}"
