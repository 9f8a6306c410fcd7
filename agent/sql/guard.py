"""Check and run SQL on a user's (or a model's) behalf, read-only, in depth.

    checked = check_sql(con, sql, settings)        # SQLRefused / SQLFailed, or fine
    result = run_read_only(con, sql, settings)     # QueryResult(columns, rows, ...)

The layers, each enough on its own for what it covers (docs/sql-safety.md):

1. text: exactly one statement (a `;` inside a string or comment is not a separator,
   one trailing `;` is dropped); it starts with SELECT or WITH; no `?`/`:name`
   parameters; no `NEXT VALUE FOR`, `GEN_ID`, `WITH LOCK`, `FOR UPDATE` outside string
   literals and comments (generators change even in a read-only transaction);
2. routines: selectable procedures, stored functions and UDFs the statement names, or
   reaches through the views and computed columns it names (RDB$PROCEDURES,
   RDB$FUNCTIONS, RDB$DEPENDENCIES), must be allow-listed in settings;
3. engine: the statement is prepared by Firebird inside a read-only transaction and
   its type must be SELECT (DML, DDL, EXECUTE BLOCK/PROCEDURE, SET TRANSACTION,
   COMMIT, GRANT, ALTER USER, SET GENERATOR... all have other types);
4. run: in a read-only transaction that is always rolled back, with a statement
   timeout, fetching at most `row_cap + 1` rows.

Errors: `SQLRefused` (the guard will not run it) and `SQLFailed` (the engine said no,
with its message; `SQLTimeout` when the timeout fired). A lost connection is not the
statement's fault: that driver error passes through unchanged, for the connection's
owner to report (`ingest.firebird.SharedConnection`). All are BadInput, so the CLI
exits with 2, and their messages are one line a repair loop can hand back to a model.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from firebird.driver import CancelType, Connection, Cursor, DatabaseError, Statement, StatementType
from firebird.driver.core import BlobReader

from schemachat.agent.sql.parsed import ParsedSQL, parse
from schemachat.agent.sql.routines import find_routines
from schemachat.agent.sql.tokens import Token, join
from schemachat.configs import BadInput, Settings
from schemachat.ingest.firebird import is_connection_lost, is_timeout, read_only

BLOB_CHARS = 65_536  # a streamed BLOB value is cut to this many characters/bytes


class SQLError(BadInput):
    """SQL the guard did not run to completion; `reason` is the one-line message;
    `stage` says whether it failed before the engine prepared it or while it ran."""

    def __init__(self, reason: str, stage: Literal["prepare", "execute"] = "prepare") -> None:
        super().__init__(reason)
        self.reason = reason
        self.stage = stage


class SQLRefused(SQLError):
    """The guard refuses the statement: not a single read-only SELECT, or it uses
    something that can write (a generator, a procedure that is not allow-listed)."""


class SQLFailed(SQLError):
    """The engine rejected or failed the statement (unknown table, syntax error,
    attempted update during a read-only transaction...); `reason` is its message."""


class SQLTimeout(SQLFailed):
    """The statement ran longer than `statement_timeout_ms` and was cancelled."""


@dataclass(frozen=True)
class CheckedSQL:
    """A statement the engine prepared as a SELECT and the guard accepts."""

    sql: str  # the statement as it will run (trailing ';' removed)
    routines: tuple[str, ...] = ()  # allow-listed procedures/functions it uses


@dataclass(frozen=True)
class QueryResult:
    """Rows of a read-only query: at most `row_cap`; `truncated` when there were more."""

    sql: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool
    elapsed: float  # seconds, prepare to last fetch

    def shown(self, cap: int) -> tuple[list[tuple[Any, ...]], bool]:
        """The first `cap` rows (what an answer shows), and whether more exist: beyond
        `cap`, or beyond the row cap the query ran under."""
        return self.rows[:cap], self.truncated or len(self.rows) > cap


def check_sql(con: Connection, sql: str | ParsedSQL, settings: Settings) -> CheckedSQL:
    """Check `sql` without running it: text rules, routines, engine prepare (SELECT).

    Raises SQLRefused or SQLFailed (one-line reasons).
    """
    with read_only(con) as tra:
        cur = tra.cursor()
        try:
            checked, stmt = _prepare_checked(cur, sql, settings)
            stmt.free()
            return checked
        finally:
            cur.close()


def run_read_only(con: Connection, sql: str | ParsedSQL, settings: Settings) -> QueryResult:
    """Check `sql` (as `check_sql`), then run it in a read-only transaction with the
    statement timeout, fetching at most `settings.row_cap` rows.

    Raises SQLRefused, SQLFailed or SQLTimeout.
    """
    started = time.perf_counter()
    with read_only(con) as tra:
        cur = tra.cursor()
        stmt: Statement | None = None
        try:
            checked, stmt = _prepare_checked(cur, sql, settings)
            rows, truncated = fetch_capped(cur, stmt, settings.row_cap,
                                           settings.statement_timeout_ms)
            columns = [d[0] for d in cur.description or ()]
        except DatabaseError as exc:
            if is_connection_lost(exc):
                raise  # not the statement's fault: the caller's connection reports it
            if is_timeout(exc):
                raise SQLTimeout(f"statement timed out after {settings.statement_timeout_ms} "
                                 "ms: add filters, aggregate, or join on keys",
                                 "execute") from None
            raise SQLFailed(engine_message(exc), "execute") from None
        finally:
            cur.close()
            if stmt is not None:
                stmt.free()
    return QueryResult(checked.sql, columns, rows, truncated, time.perf_counter() - started)


def fetch_capped(cur: Cursor, stmt: Statement, cap: int,
                 timeout_ms: int) -> tuple[list[tuple[Any, ...]], bool]:
    """Execute the prepared `stmt` on `cur` and fetch at most `cap + 1` rows, cancelled
    after `timeout_ms`. Returns (at most `cap` rows, whether there were more).

    Firebird 4+ gets a statement timeout (covering execution and fetches); Firebird 3
    a timer that cancels the attachment's running operation. Either way the driver
    raises a DatabaseError that `is_timeout` recognises.
    """
    with _timeout(cur, stmt, timeout_ms):
        cur.execute(stmt)
        rows = cur.fetchmany(cap + 1)
        rows = [tuple(_materialise(v) for v in row) for row in rows]
    return rows[:cap], len(rows) > cap


def engine_message(exc: DatabaseError) -> str:
    """Firebird's error as one line: 'Table unknown: CAD_CLIX: At line 1, column 15'."""
    noise = ("Dynamic SQL Error", "SQL error code")
    parts = [p.strip().lstrip("-").strip() for p in str(exc).splitlines()]
    kept = [p for p in parts if p and not p.startswith(noise)]
    return ": ".join(kept) or type(exc).__name__


@contextmanager
def _timeout(cur: Cursor, stmt: Statement, timeout_ms: int) -> Iterator[None]:
    con = cur.connection
    if con.info.engine_version >= 4:
        # firebird-driver 2.x has no public setter (see ingest.firebird.fetch_timed).
        stmt._istmt.set_timeout(timeout_ms)
        yield
        return
    timer = threading.Timer(timeout_ms / 1000, con._att.cancel_operation, (CancelType.RAISE,))
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _materialise(value: Any) -> Any:
    # Large BLOBs come as readers bound to the transaction, which ends here.
    if isinstance(value, BlobReader):
        try:
            return value.read(BLOB_CHARS)
        finally:
            value.close()
    return value


# ---------------------------------------------------------------- checks


def _prepare_checked(cur: Cursor, sql: str | ParsedSQL,
                     settings: Settings) -> tuple[CheckedSQL, Statement]:
    text, tokens = single_statement(sql)
    check_text(tokens)
    routines = check_routines(cur, tokens, settings)
    return CheckedSQL(text, routines), prepare_select(cur, text)


def prepare_select(cur: Cursor, sql: str) -> Statement:
    """Have the engine prepare `sql` (nothing runs) and insist on type SELECT.

    Raises SQLFailed with the engine's message when it cannot prepare it, SQLRefused
    when it is anything but a plain SELECT (SELECT ... FOR UPDATE included).
    """
    try:
        stmt = cur.prepare(sql)
    except DatabaseError as exc:
        if is_connection_lost(exc):
            raise
        raise SQLFailed(engine_message(exc)) from None
    if stmt.type != StatementType.SELECT:
        kind = stmt.type.name.replace("_", " ")
        stmt.free()
        raise SQLRefused(f"only SELECT statements may run; the engine prepared this as {kind}")
    return stmt


def single_statement(sql: str | ParsedSQL) -> tuple[str, list[Token]]:
    """The one statement in `sql` without a trailing `;`, and its code tokens (an
    already parsed statement is not tokenised again).

    Raises SQLRefused for an empty text, an unterminated literal or comment, or more
    than one statement.
    """
    parsed = sql if isinstance(sql, ParsedSQL) else parse(sql)
    if parsed.error:
        raise SQLRefused(parsed.error)
    tokens = list(parsed.tokens)
    code = list(parsed.code)
    if code and code[-1].text == ";":
        cut = len(tokens) - 1 - tokens[::-1].index(code[-1])
        tokens, code = tokens[:cut], code[:-1]
    if not code:
        raise SQLRefused("empty statement: write one SELECT")
    check_first_word(code)
    if any(t.text == ";" for t in code):
        raise SQLRefused("more than one statement: send one SELECT per call, without ';' "
                         "between statements")
    return join(tokens).strip(), code


# (words in a row, why). Matched on code tokens only, case-insensitively.
FORBIDDEN: list[tuple[tuple[str, ...], str]] = [
    (("NEXT", "VALUE", "FOR"), "NEXT VALUE FOR changes a generator, even in a read-only "
                               "transaction"),
    (("GEN_ID",), "GEN_ID changes a generator, even in a read-only transaction"),
    (("WITH", "LOCK"), "SELECT ... WITH LOCK locks rows for update"),
    (("FOR", "UPDATE"), "SELECT ... FOR UPDATE locks rows for update"),
]


def check_first_word(code: list[Token]) -> None:
    """SQLRefused unless the statement starts with SELECT or WITH (after any '(').

    The engine's statement type is not enough on its own: Firebird 5 prepares
    `UPDATE ... RETURNING` and `EXECUTE BLOCK ... SUSPEND` as SELECT."""
    first = next((t for t in code if t.text != "("), code[0])
    if not first.is_word("SELECT", "WITH"):
        raise SQLRefused(f"only SELECT statements may run; this one starts with "
                         f"{first.text.upper()!r}")


def check_text(code: list[Token]) -> None:
    """The rules that need no engine: no parameters, nothing from FORBIDDEN.
    Raises SQLRefused."""
    if any(t.kind == "param" for t in code):
        raise SQLRefused("the statement has parameters ('?' or ':name'): put the values "
                         "in the SQL")
    names = [t.name() or t.text for t in code]
    for words, why in FORBIDDEN:
        if _contains(names, words):
            raise SQLRefused(why)


def _contains(names: list[str], words: tuple[str, ...]) -> bool:
    size = len(words)
    return any(tuple(names[i:i + size]) == words for i in range(len(names) - size + 1))


def check_routines(cur: Cursor, code: list[Token], settings: Settings) -> tuple[str, ...]:
    """The procedures and functions the statement runs, named or hidden in the views and
    computed columns it names (`sql_routines`); SQLRefused for any not allow-listed in
    settings. Returns the allowed ones it uses."""
    allowed = {
        "procedure": {n.upper() for n in settings.sql_allowed_procedures},
        "function": {n.upper() for n in settings.sql_allowed_functions},
        "package": {n.upper().split(".")[0] for n in
                    [*settings.sql_allowed_procedures, *settings.sql_allowed_functions]},
    }
    setting = {"procedure": "sql_allowed_procedures", "function": "sql_allowed_functions",
               "package": "sql_allowed_procedures or sql_allowed_functions"}
    uses = find_routines(cur, code)
    for use in uses:
        if use.name.upper() not in allowed[use.kind]:
            where = f"{use.through} uses {use.kind} {use.name}, which" if use.through else (
                f"{use.kind} {use.name}")
            raise SQLRefused(f"{where} is not allow-listed (it could write or change "
                             f"generators); an administrator can add it to {setting[use.kind]}")
    return tuple(dict.fromkeys(u.name for u in uses))
