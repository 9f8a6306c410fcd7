"""Stored values of one text column that hold some words, read from the database: the
names the value index was too small to keep (`agent/plans/unlisted.py`)."""

from __future__ import annotations

from firebird.driver import Connection, DatabaseError

from schemachat.ingest.firebird import fetch_timed, read_only
from schemachat.ingest.identifiers import sql_name

FOUND = 20  # values kept per lookup at most
WIDE = 1000  # characters the column is read as for the accent-insensitive comparison


def values_holding(con: Connection, table: str, column: str, words: list[str], *,
                   timeout_ms: int) -> list[str]:
    """The distinct values of `table.column` holding every one of `words` in any case
    and, where the engine can (UTF8 with UNICODE_CI_AI), any accents ("Joao" finds
    'JOÃO'); at most FOUND, read-only and under the statement timeout."""
    dialect = con.sql_dialect
    col = sql_name(column, dialect)
    loose = f"CAST({col} AS VARCHAR({WIDE}) CHARACTER SET UTF8) COLLATE UNICODE_CI_AI"
    for said in (loose, col):
        where = " AND ".join(f"{said} CONTAINING ?" for _ in words)
        sql = f"SELECT FIRST {FOUND} DISTINCT {col} FROM {sql_name(table, dialect)} " \
              f"WHERE {where}"
        try:
            with read_only(con) as tra:
                rows = fetch_timed(tra.cursor(), sql, timeout_ms, params=words)
        except DatabaseError:
            if said is col:
                raise
            continue  # bytes no charset reads as text (charset NONE): as stored
        return [str(v).rstrip() for (v,) in rows if v is not None]
    return []
