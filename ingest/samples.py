"""A few rows per table, and value distributions of low-cardinality code columns.

Distributions feed value-mapping suggestions ('A' appears 3,120 times: what is 'A'?).
Everything runs read-only under the statement timeout; long text is cut and binary
BLOBs are replaced by their size, so `samples.json` stays small.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from firebird.driver import Connection, DatabaseError
from firebird.driver.core import BlobReader

from schemachat.ingest import legacy_text
from schemachat.ingest.firebird import fetch_timed, read_only
from schemachat.ingest.identifiers import UnwritableName, is_regular, sql_name
from schemachat.ingest.models.samples import Samples, Scalar, TableSample, ValueCount
from schemachat.ingest.models.technical import Column, Relation, TechnicalSchema

MAX_TEXT = 200  # characters kept of a text value in a sample row
# Types whose columns usually hold codes: short CHAR/VARCHAR, small integers, booleans.
_CODE_TYPE = re.compile(r"^(?:(?:VAR)?CHAR\((?P<n>\d+)\)|SMALLINT|BOOLEAN)")
MAX_CODE_CHARS = 10


def is_code_column(column: Column) -> bool:
    """True for columns that may hold a small set of codes worth a histogram."""
    match = _CODE_TYPE.match(column.type)
    if not match or column.computed:
        return False
    return match["n"] is None or int(match["n"]) <= MAX_CODE_CHARS


def collect_samples(
    con: Connection,
    schema: TechnicalSchema,
    *,
    rows: int,
    distinct_max: int,
    timeout_ms: int,
    progress: Callable[[str], None] | None = None,
) -> Samples:
    """Sample every table and view of `schema` (rows) and histogram its code columns."""
    tables: dict[str, TableSample] = {}
    with read_only(con) as tra:
        cur = tra.cursor()
        for rel in schema.relations():
            if progress:
                progress(rel.name)
            tables[rel.name] = _sample_relation(cur, rel, rows, distinct_max, timeout_ms)
    return Samples(sampled_at=dt.datetime.now(dt.UTC), sample_rows=rows, charset=con.charset,
                   tables=tables)


def _sample_relation(cur: Any, rel: Relation, rows: int, distinct_max: int,
                     timeout_ms: int) -> TableSample:
    dialect = cur.connection.sql_dialect
    # A dialect 1 database cannot name an irregular column (no quoted names there):
    # such columns are left out of its sample.
    names = [c.name for c in rel.columns if dialect >= 3 or is_regular(c.name)]
    sample = TableSample(columns=names)
    try:
        table = sql_name(rel.name, dialect)
        if rows and names:
            cols = ", ".join(sql_name(n, dialect) for n in names)
            with legacy_text.watching() as escaped:
                found = fetch_timed(cur, f"select first {rows} {cols} from {table}",
                                    timeout_ms)
            sample.undecodable = legacy_text.escaped_columns(names, found, escaped)
            sample.rows = [[to_scalar(v) for v in row] for row in found]
        if rel.kind == "view":
            return sample  # histograms of views repeat their tables' and can be slow
        for col in rel.columns:
            if col.name in names and is_code_column(col):
                dist = _distribution(cur, rel.name, col.name, distinct_max, timeout_ms)
                if dist is not None:
                    sample.distributions[col.name] = dist
    except UnwritableName as exc:
        sample.error = str(exc)
    except DatabaseError as exc:
        sample.error = str(exc).strip().splitlines()[0]
    return sample


def _distribution(cur: Any, table: str, column: str, distinct_max: int,
                  timeout_ms: int) -> list[ValueCount] | None:
    dialect = cur.connection.sql_dialect
    col = sql_name(column, dialect)
    sql = (f"select first {distinct_max + 1} {col}, count(*) from {sql_name(table, dialect)} "
           f"group by {col} order by 2 desc, 1")
    found = fetch_timed(cur, sql, timeout_ms)
    if not found or len(found) > distinct_max:
        return None  # empty, or too many distinct values to be a code
    return [ValueCount(value=to_scalar(v), count=n) for v, n in found]


def to_scalar(value: Any) -> Scalar:
    """A database value as something JSON holds: text cut, BLOBs read or sized."""
    if isinstance(value, BlobReader):
        value = value.read()
    if isinstance(value, bytes):
        return f"<binary, {len(value)} bytes>"
    if isinstance(value, str):
        value = value.rstrip()  # CHAR(n) comes back padded
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 \
            else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)
