"""`schemachat doctor`: what works here and what to do about what does not, one line per
thing checked (the engine, the chat model, the index, and a database when one is given)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.markup import escape

from schemachat.configs import Settings
from schemachat.ingest.findings import Finding, usable
from schemachat.ui.cli.app import app, out, with_settings

_MARKS = {"ok": "[green]ok[/green]     ", "warning": "[yellow]warning[/yellow]",
          "error": "[red]error[/red]  "}


@app.command()
@with_settings(database=True)
def doctor(
    settings: Settings,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout: "
                                          "{usable, findings: [{topic, status, text, fix}]}.")
                       ] = False,
) -> None:
    """Check what schemachat needs: the Firebird engine (libtommath, the embedded runtime,
    Firebird 3's engine for ODS 12 files), the chat model's cache, the retrieval index and,
    with --database, the database (opens?, server or file, engine and ODS, dialect,
    charset, whether the user can write, tables). Exit 0 when usable, 2 otherwise. Only
    looks: nothing is written but what attaching to the database requires."""
    from schemachat.agent.readiness import check_index, check_model
    from schemachat.ingest.database_checks import check_database, check_engine

    findings = [*_safely("engine", check_engine), *_safely("model", check_model, settings),
                *_safely("index", check_index, settings),
                *_safely("database", check_database, settings)]
    ok = usable(findings)
    if as_json:
        out.print_json(json.dumps({"usable": ok, "findings": [f.to_json() for f in findings]}))
    else:
        for finding in findings:
            out.print(_line(finding), highlight=False, soft_wrap=True)
        out.print("usable" if ok else "[red]not usable[/red]: see the errors above",
                  highlight=False)
    if not ok:
        raise typer.Exit(2)


def _safely(topic: str, check: Callable[..., Finding | list[Finding]],
            *args: Any) -> list[Finding]:
    # The checks turn every problem they know into a finding; anything else is still one
    # line here, not a traceback, since doctor runs when things are already going wrong.
    try:
        found = check(*args)
    except Exception as exc:
        return [Finding(topic, "error", f"the check itself failed: {type(exc).__name__}: "
                                        f"{exc}".splitlines()[0])]
    return found if isinstance(found, list) else [found]


def _line(finding: Finding) -> str:
    # One line per finding, however long: soft_wrap keeps rich from breaking it.
    fix = f" [bold]->[/bold] {escape(finding.fix)}" if finding.fix else ""
    return f"{_MARKS[finding.status]} {finding.topic:<9} {escape(finding.text)}{fix}"
