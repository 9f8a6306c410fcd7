"""Rows per table: a fast estimate from index statistics, or exact COUNT(*)s.

The estimate reads the selectivity Firebird keeps for each index (RDB$STATISTICS,
1 / distinct keys): for a unique index that is 1 / rows. It is as fresh as the last
`SET STATISTICS` (or index rebuild), so it is labelled `estimate` and names its basis;
a table with no unique index with statistics is `unknown`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from firebird.driver import Connection, DatabaseError

from schemachat.ingest.firebird import fetch_timed, is_timeout, read_only
from schemachat.ingest.identifiers import UnwritableName, sql_name
from schemachat.ingest.models.counts import OverviewCounts, TableCount

_UNIQUE_INDEX_STATS = """
select trim(i.rdb$relation_name), trim(i.rdb$index_name), i.rdb$statistics
from rdb$indices i
join rdb$relations r on r.rdb$relation_name = i.rdb$relation_name
where i.rdb$unique_flag = 1
  and coalesce(i.rdb$index_inactive, 0) = 0
  and coalesce(r.rdb$system_flag, 0) = 0
  and i.rdb$statistics > 0
  and i.rdb$expression_source is null
"""

Progress = Callable[[str], None]


def estimate_counts(con: Connection, tables: Iterable[str]) -> OverviewCounts:
    """Estimate rows of `tables` in one query over RDB$INDICES."""
    now = datetime.now(UTC)
    best: dict[str, tuple[float, str]] = {}
    with read_only(con) as tra:
        cur = tra.cursor()
        cur.execute(_UNIQUE_INDEX_STATS)
        for table, index, selectivity in cur.fetchall():
            # The most selective unique index has seen every row (a PK always has).
            if table not in best or selectivity < best[table][0]:
                best[table] = (selectivity, index)
    result: dict[str, TableCount] = {}
    for table in sorted(tables):
        if table in best:
            selectivity, index = best[table]
            result[table] = TableCount(
                rows=round(1 / selectivity), method="estimate", counted_at=now,
                basis=f"statistics of unique index {index}",
            )
        else:
            result[table] = TableCount(
                rows=None, method="unknown", counted_at=now,
                basis="no unique index with statistics",
            )
    return OverviewCounts(counted_at=now, tables=result)


def exact_counts(
    con: Connection,
    tables: Iterable[str],
    *,
    timeout_s: float,
    progress: Progress | None = None,
) -> OverviewCounts:
    """COUNT(*) every table, each under its own statement timeout.

    A table whose count times out or fails is recorded as `unknown` with the reason,
    and the others are still counted.
    """
    started = datetime.now(UTC)
    result: dict[str, TableCount] = {}
    with read_only(con) as tra:
        cur = tra.cursor()
        for table in sorted(tables):
            if progress:
                progress(table)
            result[table] = _count_one(cur, table, int(timeout_s * 1000))
    return OverviewCounts(counted_at=started, tables=result)


def _count_one(cur, table: str, timeout_ms: int) -> TableCount:
    try:
        name = sql_name(table, cur.connection.sql_dialect)
        ((rows,),) = fetch_timed(cur, f"select count(*) from {name}", timeout_ms)
        return TableCount(rows=rows, method="exact", counted_at=datetime.now(UTC))
    except UnwritableName as exc:
        return TableCount(rows=None, method="unknown", counted_at=datetime.now(UTC),
                          error=str(exc))
    except DatabaseError as exc:
        reason = "timed out" if is_timeout(exc) else str(exc).splitlines()[0]
        return TableCount(rows=None, method="unknown", counted_at=datetime.now(UTC),
                          error=f"COUNT(*) {reason}")
