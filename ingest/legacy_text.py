"""Text in charset NONE: which encoding it is in, and decoding that never raises.

Legacy ERPs often declare DEFAULT CHARACTER SET NONE and store Windows-1252 bytes
("São Paulo" as 53 E3 6F ...). The engine hands such bytes over as they are, and
firebird-driver decodes them with the connection charset's codec, strictly: with UTF8,
`UnicodeDecodeError` in the middle of a fetch. Two things fix that:

- `detect` picks the encoding from sampled bytes (valid UTF-8 everywhere: UTF8; else
  charset-normalizer between the usual legacy code pages), `choose` stores the choice per
  database in the workspace (`text_encoding.json`), and the connection then uses that
  charset, so the driver decodes with the right codec. `SCHEMACHAT_FB_CHARSET` overrides it.
- `install_codecs` makes every codec the driver uses tolerant: a value whose bytes do not
  fit (a 0x81 in WIN1252, Latin-1 bytes under UTF8) comes back with those bytes escaped
  (`\\x81`) instead of raising, and is recorded so `escaped_columns` can name its column.
"""

from __future__ import annotations

import codecs
import datetime as dt
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes
from firebird.driver import Connection
from firebird.driver import core as fbcore

from schemachat.ingest.identifiers import UnwritableName, sql_name
from schemachat.ingest.models.text_encoding import FILENAME, TextEncoding
from schemachat.ingest.workspace import read_model, write_model

PREFIX = "schemachat_tolerant_"
# Legacy code pages told apart by charset-normalizer, and their Firebird names.
LEGACY = {"cp1252": "WIN1252", "cp850": "DOS850"}
SAMPLE_COLUMNS = 30  # NONE text columns sampled at most
SAMPLE_ROWS = 50  # values per column at most


# --- decoding that never raises -------------------------------------------------------

_seen = threading.local()  # the escaped values of this thread, while `watching`


def _tolerant(name: str) -> codecs.CodecInfo | None:
    if not name.startswith(PREFIX):
        return None
    base = codecs.lookup(name[len(PREFIX):])

    def decode(data: Any, errors: str = "strict") -> tuple[str, int]:
        raw = bytes(data)
        try:
            return base.decode(raw, errors)
        except UnicodeDecodeError:
            text = raw.decode(base.name, "backslashreplace")
            escaped = getattr(_seen, "values", None)
            if escaped is not None:
                escaped.add(text)
            return text, len(raw)

    return codecs.CodecInfo(base.encode, decode, name=name)


@contextmanager
def watching() -> Iterator[set[str]]:
    """The values decoded with escapes in this thread inside the block (see
    `escaped_columns`)."""
    previous = getattr(_seen, "values", None)
    _seen.values = found = set()
    try:
        yield found
    finally:
        _seen.values = previous


_installed = threading.Lock()


def install_codecs() -> None:
    """Make firebird-driver decode text with codecs that escape what does not fit
    instead of raising (once per process; every Firebird charset the driver maps)."""
    with _installed:
        if any(str(v).startswith(PREFIX) for v in fbcore.CHARSET_MAP.values()):
            return
        codecs.register(_tolerant)
        for charset, codec in list(fbcore.CHARSET_MAP.items()):
            if codec:
                fbcore.CHARSET_MAP[charset] = PREFIX + codecs.lookup(codec).name


def escaped_columns(columns: Sequence[str], rows: Sequence[Sequence[Any]],
                    escaped: set[str]) -> list[str]:
    """The columns (in order) whose values in `rows` were decoded with escapes."""
    if not escaped:
        return []
    hit = set()
    for row in rows:
        for name, value in zip(columns, row, strict=False):
            # CHAR values come back cut to the column's length: a prefix of what was escaped
            if (isinstance(value, str) and "\\x" in value
                    and any(e.startswith(value) for e in escaped)):
                hit.add(name)
    return [c for c in columns if c in hit]


def undecodable_line(column: str, charset: str) -> str:
    """The one line naming a column whose bytes fit no encoding."""
    return (f"column {column}: its bytes are not valid {charset} text; its values are shown "
            "with those bytes escaped (\\xNN). Set SCHEMACHAT_FB_CHARSET to its encoding "
            "if it has one")


# --- which encoding ------------------------------------------------------------------

_NONE_COLUMNS = """
select trim(rf.rdb$relation_name), trim(rf.rdb$field_name), f.rdb$field_length
from rdb$relation_fields rf
join rdb$relations r on r.rdb$relation_name = rf.rdb$relation_name
join rdb$fields f on f.rdb$field_name = rf.rdb$field_source
where coalesce(r.rdb$system_flag, 0) = 0 and r.rdb$view_blr is null
  and f.rdb$field_type in (14, 37) and coalesce(f.rdb$character_set_id, 0) = 0
  and f.rdb$computed_blr is null
order by 1, 2
"""


def default_charset(con: Connection) -> str | None:
    """The database's DEFAULT CHARACTER SET (None when it has none: NONE)."""
    with con.cursor() as cur:
        cur.execute("select trim(rdb$character_set_name) from rdb$database")
        (name,) = cur.fetchone()
    return name or None


def sample_bytes(con: Connection, timeout_ms: int) -> list[bytes]:
    """Non-ASCII values of the tables' charset NONE text columns, as raw bytes."""
    # firebird.py opens connections through this module: imported here, not at the top
    from schemachat.ingest.firebird import fetch_timed, read_only

    found: list[bytes] = []
    with read_only(con) as tra, tra.cursor() as cur:
        cur.execute(_NONE_COLUMNS)
        columns = cur.fetchall()[:SAMPLE_COLUMNS]
        for table, column, length in columns:
            try:
                col = sql_name(column, con.sql_dialect)
                sql = (f"select first {SAMPLE_ROWS} cast({col} as varchar({length}) character "
                       f"set octets) from {sql_name(table, con.sql_dialect)} "
                       f"where {col} is not null")
                rows = fetch_timed(cur, sql, timeout_ms)
            except (fbcore.DatabaseError, UnwritableName):
                continue  # no SELECT grant, a timeout: the other columns still tell
            found += [raw.rstrip(b" ") for (raw,) in rows if any(b > 127 for b in raw)]
    return found


def detect(values: Sequence[bytes]) -> str:
    """The Firebird charset the values are in: UTF8 when all are valid UTF-8 (or there is
    nothing to go by), else the legacy code page charset-normalizer finds likeliest."""
    try:
        for raw in values:
            raw.decode("utf-8")
        return "UTF8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(b"\n".join(values), cp_isolation=list(LEGACY)).best()
    return LEGACY.get(best.encoding, "WIN1252") if best else "WIN1252"


def stored(workspace: Path, database: str) -> str | None:
    """The charset stored for `database` in the workspace, if any."""
    path = workspace / FILENAME
    if not path.is_file():
        return None
    choice = read_model(path, TextEncoding)
    return choice.charset if choice.database == database else None


def choose(con: Connection, workspace: Path, database: str, timeout_ms: int) -> str | None:
    """For a database whose default charset is NONE: detect its encoding and store it in
    the workspace (when the folder exists); None for any other database."""
    if default_charset(con) not in (None, "NONE"):
        return None
    values = sample_bytes(con, timeout_ms)
    charset = detect(values)
    if workspace.is_dir():
        write_model(workspace / FILENAME, TextEncoding(
            database=database, charset=charset, values_seen=len(values),
            chosen_at=dt.datetime.now(dt.UTC)))
    return charset
