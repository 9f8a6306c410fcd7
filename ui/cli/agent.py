"""`schemachat ask` and `schemachat sql`: one agent turn from the command line.

`--json` prints exactly one JSON object on stdout (the contract of docs/architecture.md) and nothing
else there: anything a library prints while the turn runs is sent to stderr. Exit 0
when the turn succeeded, 1 when its result carries an error (SQL the engine kept
rejecting, even when a starting query stands in for it; a query that failed), 2 on bad
input.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.syntax import Syntax
from rich.table import Table

from schemachat.configs import BadInput, Settings
from schemachat.ui.cli.app import app, err, out, with_settings

JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")]
SessionOpt = Annotated[str | None, typer.Option(
    "--session", help="Conversation id: later turns of the same id see this one "
                      "(kept in <workspace>/chat_sessions.sqlite, or where "
                      "sessions_url says).", show_default=False)]
AdapterOpt = Annotated[list[str] | None, typer.Option(
    "--adapter", help="LoRA adapter to use (repeat for several; default: settings).",
    show_default=False)]
BackendOpt = Annotated[str | None, typer.Option(
    "--backend", help="Model backend: default, local, tgi, openai, fake.", show_default=False)]


def _turn(settings: Settings, question: str, *, as_json: bool, session: str | None,
          adapters: list[str] | None, backend: str | None, mode: str, run: bool) -> None:
    from schemachat.agent.session import Agent

    # Libraries (model loading, stores) may print; stdout is reserved for the result.
    with contextlib.redirect_stdout(sys.stderr):
        agent = Agent.open(settings, backend=backend, adapters=adapters or None)
        try:
            if as_json:
                result = agent.ask(question, session=session, mode=mode, run=run)  # type: ignore[arg-type]
            else:
                result = None
                for event in agent.stream(question, session=session, mode=mode, run=run):  # type: ignore[arg-type]
                    if event.kind == "status":
                        err.print(f"[dim]{event.text}[/dim]")
                    elif event.kind == "result":
                        result = event.result
        finally:
            agent.close()
    assert result is not None
    if as_json:
        sys.stdout.write(result.to_json() + "\n")
        sys.stdout.flush()
    else:
        _show(result)
    if result.error:
        raise SystemExit(1)  # typer.Exit would be swallowed (standalone_mode=False)


def _show(result: object) -> None:
    from schemachat.agent.answer import AgentAnswer

    assert isinstance(result, AgentAnswer)
    out.print(Markdown(result.answer))
    if result.sql:
        out.print(Syntax(result.sql, "sql", word_wrap=True))
    if result.columns:
        table = Table(*result.columns)
        for row in result.rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        out.print(table)
    if result.citations:
        cited = ", ".join(c.table + (f".{c.column}" if c.column else "")
                          for c in result.citations)
        out.print(f"[dim]sources: {cited}[/dim]", highlight=False)
    if result.error:
        err.print(f"[red]error:[/red] {result.error}", highlight=False, soft_wrap=True)


@app.command()
@with_settings(database=True)
def ask(
    settings: Settings,
    question: Annotated[str, typer.Argument(help="A question about the schema or its data, "
                                                 "pt or en.")],
    as_json: JsonOpt = False,
    session: SessionOpt = None,
    adapter: AdapterOpt = None,
    backend: BackendOpt = None,
) -> None:
    """One agent turn: where something is stored, what a column means, or the SQL (run
    read-only when the question asks for data and a database is configured)."""
    _turn(settings, question, as_json=as_json, session=session, adapters=adapter,
          backend=backend, mode="ask", run=False)


@app.command()
@with_settings(database=True)
def sql(
    settings: Settings,
    question: Annotated[str, typer.Argument(help="What the query should answer, pt or en.")],
    run: Annotated[bool, typer.Option("--run", help="Also run it, read-only.")] = False,
    as_json: JsonOpt = False,
    session: SessionOpt = None,
    adapter: AdapterOpt = None,
    backend: BackendOpt = None,
) -> None:
    """Draft Firebird SQL for QUESTION, checked by the engine (prepared as a read-only
    SELECT), and with --run its rows."""
    if run and not settings.fb_database:
        raise BadInput("--run needs a database: --database PATH or SCHEMACHAT_FB_DATABASE")
    _turn(settings, question, as_json=as_json, session=session, adapters=adapter,
          backend=backend, mode="sql", run=run)
