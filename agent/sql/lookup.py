"""Stored values of one text column that hold some words, read from the database: the
names the value index was too small to keep (`agent/plans/unlisted.py`)."""

from __future__ import annotations

from firebird.driver import Connection

from schemachat.ingest.firebird import fetch_timed, read_only
from schemachat.ingest.identifiers import sql_name

FOUND = 20  # values kept per lookup at most


def values_holding(con: Connection, table: str, column: str, words: list[str], *,
                   timeout_ms: int) -> list[str]:
    """The distinct values of `table.column` holding every one of `words` (CONTAINING:
    any case), at most FOUND, read-only and under the statement timeout."""
    dialect = con.sql_dialect
    col = sql_name(column, dialect)
    where = " AND ".join(f"{col} CONTAINING ?" for _ in words)
    sql = f"SELECT FIRST {FOUND} DISTINCT {col} FROM {sql_name(table, dialect)} WHERE {where}"
    with read_only(con) as tra:
        rows = fetch_timed(tra.cursor(), sql, timeout_ms, params=words)
    return [str(v).rstrip() for (v,) in rows if v is not None]
