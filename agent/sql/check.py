"""The one validate step every SQL text goes through, whatever wrote it: a model's draft,
a query plan, a tool call, SQL a person edited in the Chat tab or sent from Slack.

    verdict = validate(sql, doc, settings, database, run=True)
    verdict.sql, verdict.checked, verdict.error, verdict.result

1. the text is tokenised once (`parsed.parse`), and again only if a fix changed it;
2. dialect fixes (`dialect.fix_dialect`);
3. names after FROM/JOIN must be in the schema document (`grounding`);
4. the guard (`guard`): text rules, routines, the engine prepares it as a SELECT in a
   read-only transaction and, with `run`, executes that same prepared statement
   (prepared once; statement timeout, row cap).

Without a database (`database` None) steps 1-3 run and `checked` stays False.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from schemachat.agent.sql.dialect import fix_dialect, known_names
from schemachat.agent.sql.grounding import unknown_relations
from schemachat.agent.sql.guard import (
    QueryResult,
    SQLError,
    SQLRefused,
    SQLTimeout,
    check_sql,
    run_read_only,
)
from schemachat.agent.sql.names import doc_dialect
from schemachat.agent.sql.parsed import ParsedSQL, parse
from schemachat.configs import Settings
from schemachat.ingest.models.combined import CombinedSchema

if TYPE_CHECKING:
    from firebird.driver import Connection

DatabaseOpener = Callable[[], AbstractContextManager["Connection"]]
NO_SQL = "the model wrote no SELECT statement"


@dataclass(frozen=True)
class Verdict:
    """What validation found. `checked`: the engine prepared `sql` as a SELECT;
    `result`: its rows when it was run; `refused`: the guard (not the engine) said no."""

    sql: str
    parsed: ParsedSQL
    checked: bool = False
    error: str | None = None
    refused: bool = False
    timed_out: bool = False
    result: QueryResult | None = None
    changes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Checked by the engine (and run, when asked) without an error."""
        return self.checked and self.error is None


def validate(sql: str | ParsedSQL, doc: CombinedSchema, settings: Settings,
             database: DatabaseOpener | None, *, run: bool = False,
             names: Iterable[str] | None = None) -> Verdict:
    """Fix, check and (with `run`) execute `sql` read-only; never raises for the
    statement's faults (they are in `error`). A lost connection still raises."""
    parsed = sql if isinstance(sql, ParsedSQL) else parse(sql)
    if not parsed.text.strip():
        return Verdict(parsed.text, parsed, error=NO_SQL)
    fixed = fix_dialect(parsed, known_names(doc) if names is None else names,
                        dialect=doc_dialect(doc))
    parsed = fixed.parsed or parse(fixed.sql)
    unknown = unknown_relations(parsed, doc)
    if unknown:
        return Verdict(parsed.text, parsed, error=f"Table unknown: {', '.join(unknown)} "
                       "(not in the schema)", changes=fixed.changes)
    if database is None:
        return Verdict(parsed.text, parsed, changes=fixed.changes)
    try:
        with database() as con:
            if run:
                result = run_read_only(con, parsed, settings)
                return Verdict(result.sql, parsed, checked=True, result=result,
                               changes=fixed.changes)
            checked = check_sql(con, parsed, settings)
    except SQLError as exc:
        # An engine failure while running still means the engine prepared it.
        prepared = exc.stage == "execute"
        return Verdict(parsed.text, parsed, checked=prepared, error=exc.reason,
                       refused=isinstance(exc, SQLRefused),
                       timed_out=isinstance(exc, SQLTimeout), changes=fixed.changes)
    return Verdict(checked.sql, parsed, checked=True, changes=fixed.changes)
