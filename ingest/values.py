"""The value index: distinct short text values of every table's text columns
(`text_values.json`), so a question that names a stored value finds its column.

Read-only, under the statement timeout, and capped: at most `max_values` values per
column (most frequent first), only CHAR/VARCHAR columns of at most `MAX_LENGTH`
characters, values of at most `MAX_VALUE` characters. Views are skipped (their values
are their tables').
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from firebird.driver import Connection, DatabaseError

from schemachat.ingest import legacy_text
from schemachat.ingest.firebird import fetch_timed, read_only
from schemachat.ingest.identifiers import UnwritableName, sql_name
from schemachat.ingest.models.technical import Column, TechnicalSchema
from schemachat.ingest.models.values import ColumnValues, TextValues

MAX_LENGTH = 100  # declared length of a column worth indexing
MAX_VALUE = 80  # characters of a value worth indexing
_TEXT = re.compile(r"^(?:VAR)?CHAR\((?P<n>\d+)\)")


def is_value_column(column: Column) -> bool:
    """Short CHAR/VARCHAR columns, not computed."""
    match = _TEXT.match(column.type)
    return bool(match) and not column.computed and int(match["n"]) <= MAX_LENGTH


def collect_values(con: Connection, schema: TechnicalSchema, *, max_values: int,
                   timeout_ms: int, progress: Callable[[str], None] | None = None) -> TextValues:
    """The distinct values of every short text column of `schema`'s tables."""
    found = TextValues(collected_at=dt.datetime.now(dt.UTC), max_values=max_values)
    with read_only(con) as tra:
        cur = tra.cursor()
        for rel in schema.tables:
            if progress:
                progress(rel.name)
            for col in rel.columns:
                if is_value_column(col):
                    key = f"{rel.name}.{col.name}"
                    try:
                        with legacy_text.watching() as escaped:
                            values = _values(cur, rel.name, col.name, max_values, timeout_ms)
                    except (DatabaseError, UnicodeDecodeError, UnwritableName) as exc:
                        found.errors[key] = str(exc).strip().splitlines()[0]
                        continue
                    if escaped:  # escaped bytes are no words a question would name
                        found.errors[key] = f"bytes not valid {con.charset} text"
                    else:
                        found.columns[key] = values
    return found


def _values(cur: Any, table: str, column: str, cap: int, timeout_ms: int) -> ColumnValues:
    dialect = cur.connection.sql_dialect
    col = sql_name(column, dialect)
    sql = (f"select first {cap + 1} {col} from {sql_name(table, dialect)} "
           f"where {col} is not null "
           f"group by {col} order by count(*) desc, 1")
    rows = fetch_timed(cur, sql, timeout_ms)
    values = [v for (raw,) in rows[:cap] if (v := str(raw).rstrip()) and len(v) <= MAX_VALUE]
    return ColumnValues(values=values, complete=len(rows) <= cap)
