"""Create the demo ERP database: DDL from `schema.sql`, rows from `data.py`, then
views, procedures, triggers and descriptions from `objects.sql`, then index statistics.

Loading: firebird-driver packs every parameter of every row in Python (~40 µs each),
so `executemany` would take minutes for ~800k rows. Instead each table's rows are
written as fixed-width text, sent ~32 KB at a time as ONE parameter of an EXECUTE
BLOCK that cuts the text into columns and inserts them inside the engine
(measured: 250k rows in ~3 s).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from firebird.driver import Connection, Cursor

from schemachat.configs import BadInput
from schemachat.ingest.demo.data import TableData, Value, generate
from schemachat.ingest.firebird import create_database

Progress = Callable[[str, int, int], None]

# Parents before children, so every declared foreign key holds while loading.
LOAD_ORDER = [
    "TB_UF", "CAD_CID", "CAD_FIL", "CAD_TRANSP", "TB_CONDPAG", "TB_TABPRECO", "TB_CFOP",
    "TB_BANCO", "TB_UNID", "RH_DEPTO", "TB_CARGO", "CAD_FUNC", "RH_DEPENDENTE", "CAD_VEND",
    "TB_GRUPO_PRO", "TB_MARCA", "CAD_PRO", "TB_TABPRECO_ITEM", "CAD_CLI", "CAD_CLI_END",
    "TB_VEND_META", "MOV_PED", "MOV_PED_ITEM", "NF_CAB", "NF_ITEM", "CAD_FOR", "MOV_COMPRA",
    "MOV_COMPRA_ITEM", "EST_ALMOX", "EST_MOV", "EST_SALDO", "FIN_PLANO_CTA", "FIN_CCUSTO",
    "FIN_CONTA_BANCO", "FIN_PAGAR", "CAR_TIT", "CAR_BAIXA", "FIN_LANC", "RH_EVENTO",
    "RH_FOLHA", "RH_FOLHA_EVT", "USERS", "AUDIT_LOG", "SETTINGS", "TMP_IMPORT_CLI",
]

# Generators are moved past the loaded keys, so the BEFORE INSERT triggers keep working.
SEQUENCES = {
    "G_CAD_CLI": ("CAD_CLI", "CLI_COD"), "G_CAD_PRO": ("CAD_PRO", "PRO_COD"),
    "GEN_EST_MOV": ("EST_MOV", "MOV_ID"), "GEN_NF_ID": ("NF_CAB", "NF_ID"),
    "SEQ_FIN_LANC": ("FIN_LANC", "LAN_ID"), "SEQ_FIN_PAGAR": ("FIN_PAGAR", "PAG_ID"),
    "G_AUDIT_LOG": ("AUDIT_LOG", "LOG_ID"), "G_PEDIDO": ("MOV_PED", "PED_NUM"),
    "G_CAR_TIT": ("CAR_TIT", "TIT_NUM"),
}

_CHUNK = 32000  # bytes of text per EXECUTE BLOCK call (VARCHAR limit is 32765)


@dataclass(frozen=True)
class DemoReport:
    """What `build_demo` made."""

    path: Path
    tables: int
    views: int
    procedures: int
    triggers: int
    rows: int
    seconds: float


def build_demo(
    path: Path,
    *,
    seed: int = 20240701,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> DemoReport:
    """Build the Portuguese legacy-ERP demo database at `path`.

    The same `seed` always gives the same rows. `progress(step, done, total)` is
    called after each step (schema, each table, objects, statistics).
    Raises BadInput if `path` exists and not `overwrite`, or its folder is missing.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise BadInput(f"{path} already exists (use --force to replace it)")
    if not path.parent.is_dir():
        raise BadInput(f"folder does not exist: {path.parent}")
    started = time.perf_counter()
    steps = ["schema", *LOAD_ORDER, "objects", "statistics"]
    done = 0

    def step(name: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(name, done, len(steps))

    tables = {t.name: t for t in generate(seed)}
    if sorted(tables) != sorted(LOAD_ORDER):  # pragma: no cover - a developer's mistake
        raise AssertionError(f"generated tables differ from LOAD_ORDER: {sorted(tables)}")
    # WIN1252 on the connection too: a 32 KB text parameter stays 32 KB (UTF8 would be 4x).
    con = create_database(path, charset="WIN1252", overwrite=overwrite)
    try:
        con.execute_immediate("ALTER DATABASE SET DEFAULT CHARACTER SET WIN1252")
        con.commit()
        run_script(con, read_sql("schema.sql"))
        step("schema")
        rows = 0
        cur = con.cursor()
        for name in LOAD_ORDER:
            rows += load_table(cur, tables[name])
            step(name)
        con.commit()
        _restart_sequences(con)
        run_script(con, read_sql("objects.sql"))
        step("objects")
        recompute_statistics(con)
        step("statistics")
        counts = _object_counts(con)
    finally:
        con.close()
    return DemoReport(path=path, rows=rows, seconds=round(time.perf_counter() - started, 2),
                      **counts)


def read_sql(name: str) -> str:
    """The text of a SQL file shipped in this package."""
    return resources.files("schemachat.ingest.demo").joinpath(name).read_text(encoding="utf-8")


_SET_TERM = re.compile(r"^\s*SET\s+TERM\s+(\S+)(\s+\S+)?\s*$", re.IGNORECASE)


def split_sql(text: str) -> Iterator[str]:
    """Statements of an isql-style script: one ends where a line ends with the terminator.

    `SET TERM ^ ;` switches the terminator, so PSQL bodies can contain `;`.
    Lines that are only a `--` comment outside a statement are skipped.
    """
    term = ";"
    buf: list[str] = []
    for line in text.splitlines():
        match = _SET_TERM.match(line) if not buf else None
        if match:
            term = match.group(1)
            continue
        if not buf and (not line.strip() or line.strip().startswith("--")):
            continue
        stripped = line.rstrip()
        if stripped.endswith(term):
            buf.append(stripped[: -len(term)])
            yield "\n".join(buf).strip()
            buf = []
        else:
            buf.append(line)
    if "".join(buf).strip():
        raise ValueError(f"SQL script ends without a terminator: {buf[0][:60]!r}")


def run_script(con: Connection, text: str) -> None:
    """Run and commit each statement of `text` (DDL must be committed before use)."""
    for sql in split_sql(text):
        try:
            con.execute_immediate(sql)
            con.commit()
        except Exception as exc:
            raise RuntimeError(f"{exc}\nwhile running:\n{sql}") from exc


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def load_table(cur: Cursor, table: TableData) -> int:
    """Insert `table.rows` through a fixed-width text EXECUTE BLOCK; return the row count.

    An empty text field is stored as NULL (the generator never produces '').
    """
    if not table.rows:
        return 0
    texts = [[_text(v) for v in row] for row in table.rows]
    widths = [max(1, *(len(r[i]) for r in texts)) for i in range(len(table.columns))]
    width = sum(widths)
    fields, pos = [], 0
    for w in widths:
        fields.append(f"NULLIF(TRIM(SUBSTRING(:D FROM :P + {pos} FOR {w})), '')")
        pos += w
    sql = (
        f"EXECUTE BLOCK (D VARCHAR({_CHUNK}) CHARACTER SET WIN1252 = ?, N INTEGER = ?) AS\n"
        "DECLARE I INTEGER = 0; DECLARE P INTEGER = 1;\n"
        "BEGIN\n  WHILE (I < N) DO BEGIN\n"
        f"    INSERT INTO {table.name} ({', '.join(table.columns)})\n"
        f"    VALUES ({', '.join(fields)});\n"
        f"    P = P + {width}; I = I + 1;\n  END\nEND"
    )
    lines = ["".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in texts]
    per_call = max(1, _CHUNK // width)
    stmt = cur.prepare(sql)
    try:
        for start in range(0, len(lines), per_call):
            chunk = lines[start:start + per_call]
            cur.execute(stmt, ("".join(chunk), len(chunk)))
    finally:
        stmt.free()
    return len(table.rows)


def _restart_sequences(con: Connection) -> None:
    cur = con.cursor()
    for seq, (table, column) in SEQUENCES.items():
        cur.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {table}")
        (top,) = cur.fetchone()
        # Firebird 4+: the first NEXT VALUE after RESTART WITH n is n itself.
        con.execute_immediate(f"ALTER SEQUENCE {seq} RESTART WITH {int(top) + 1}")
    con.commit()


def recompute_statistics(con: Connection) -> None:
    """`SET STATISTICS INDEX` for every user index, as a DBA does after a big load.

    Row-count estimates read these selectivities; after a bulk load they are stale.
    """
    cur = con.cursor()
    cur.execute("SELECT TRIM(RDB$INDEX_NAME) FROM RDB$INDICES"
                " WHERE COALESCE(RDB$SYSTEM_FLAG, 0) = 0 ORDER BY 1")
    names = [name for (name,) in cur.fetchall()]
    con.commit()
    for name in names:
        con.execute_immediate(f'SET STATISTICS INDEX "{name}"')
    con.commit()


_COUNTS = """
SELECT
  (SELECT COUNT(*) FROM RDB$RELATIONS WHERE COALESCE(RDB$SYSTEM_FLAG, 0) = 0
     AND RDB$VIEW_BLR IS NULL AND RDB$RELATION_TYPE = 0),
  (SELECT COUNT(*) FROM RDB$RELATIONS WHERE COALESCE(RDB$SYSTEM_FLAG, 0) = 0
     AND RDB$VIEW_BLR IS NOT NULL),
  (SELECT COUNT(*) FROM RDB$PROCEDURES WHERE COALESCE(RDB$SYSTEM_FLAG, 0) = 0),
  (SELECT COUNT(*) FROM RDB$TRIGGERS WHERE COALESCE(RDB$SYSTEM_FLAG, 0) = 0)
FROM RDB$DATABASE
"""


def _object_counts(con: Connection) -> dict[str, int]:
    cur = con.cursor()
    cur.execute(_COUNTS)
    tables, views, procedures, triggers = cur.fetchone()
    con.commit()
    return {"tables": tables, "views": views, "procedures": procedures, "triggers": triggers}
