"""What `schemachat doctor` checks about Firebird: the engine this process uses and, for a
database, whether and how it opens, what it is (engine, ODS, dialect, charset), whether
the user could change it, and how many tables it has.

Everything goes through the code every command uses (`firebird.connect`, `check_file`,
`ods_problem`, `legacy_text`), so what doctor says is what `extract` will meet. It only
looks: reads run in read-only transactions under the statement timeout (a server gets the
same to answer), and the encoding of a charset NONE database is detected but not stored
in the workspace (the first command that reads the database stores it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from firebird.driver import Connection, DatabaseError

from schemachat.configs import BadInput, SchemachatError, Settings
from schemachat.ingest import engine12, legacy_text
from schemachat.ingest.findings import Finding
from schemachat.ingest.firebird import (
    Target,
    check_file,
    engine12_ready,
    ensure_client,
    explain,
    fetch_timed,
    opened,
    parse_target,
    read_only,
)
from schemachat.ingest.models.text_encoding import FILENAME as ENCODING_FILE
from schemachat.ingest.models.text_encoding import TextEncoding
from schemachat.ingest.ods import Ods
from schemachat.ingest.workspace import read_model

READ_ONLY_USER = ("connect as a user that can only SELECT (docs/firebird.md, \"A user that "
                  "can only read\"): schemachat reads in read-only transactions, but a user "
                  "without write grants is the guard that does not depend on it")


def check_engine() -> list[Finding]:
    """The embedded engine (its runtime folder and libtommath), and Firebird 3's engine
    for ODS 12 files."""
    try:
        ensure_client()
    except SchemachatError as exc:  # libtommath or firebird-embedded missing
        return [Finding("engine", "error", str(exc))]
    except OSError as exc:  # the runtime folder cannot be made in the user cache
        return [Finding("engine", "error", f"the Firebird runtime folder cannot be made: {exc}",
                        fix="make the user cache folder (XDG_CACHE_HOME, else ~/.cache) a "
                            "writable folder")]
    runtime = os.environ.get("FIREBIRD", "")
    found = [Finding("engine", "ok", "Firebird embedded engine (firebird-embedded "
                                     f"{metadata.version('firebird-embedded')}), runtime "
                                     f"{runtime}; libtommath loaded")]
    library = engine12.find()
    if engine12_ready():
        found.append(Finding("engine12", "ok", "Firebird 3's engine opens ODS 12 (Firebird 3) "
                                               f"files: {library or 'in the runtime plugins'}"))
    elif library is not None:
        found.append(Finding(
            "engine12", "warning", f"Firebird 3's engine is installed ({library}) but the "
            f"runtime in use ({runtime}) lacks it: ODS 12 (Firebird 3) files cannot be opened",
            fix="unset FIREBIRD, so schemachat uses its own runtime folder"))
    else:
        found.append(Finding(
            "engine12", "warning", "Firebird 3's engine is not installed: ODS 12 (Firebird 3) "
            "files cannot be opened as they are",
            fix="apt-get install firebird3.0-server-core (only needed for Firebird 3 files)"))
    return found


def check_database(settings: Settings) -> list[Finding]:
    """The findings for `settings.fb_database`: one error line when it cannot be opened
    (missing file, another engine's file, wrong password, unreachable server), else where
    it is, engine and ODS, dialect, charset, the user's rights and the table count."""
    spec = settings.fb_database
    if not spec:
        return [Finding("database", "warning", "none given, so none checked",
                        fix="pass --database FILE (or host[/port]:path), or set "
                            "SCHEMACHAT_FB_DATABASE")]
    target = parse_target(spec)
    try:
        ods = check_file(Path(target.path)) if target.embedded else None
        with opened(_looking_only(settings, spec), spec) as con:
            return [Finding("database", "ok", f"{_where(target)}: opens"),
                    *_inspect(con, settings, target, spec, ods)]
    except SchemachatError as exc:  # every connection problem is one line already
        return [Finding("database", "error", str(exc))]
    except DatabaseError as exc:
        return [Finding("database", "error", explain(exc, target))]
    except OSError as exc:  # the engine's runtime folder (the engine line says more)
        return [Finding("database", "error", f"not opened: {exc}")]


def _looking_only(settings: Settings, spec: str) -> Settings:
    # `connect` detects a NONE database's encoding and stores it in the workspace when
    # nothing says it yet; doctor reads with UTF8 (names and bytes are all it needs) and
    # detects itself without storing.
    if settings.fb_charset or legacy_text.stored(settings.workspace, spec):
        return settings
    return settings.model_copy(update={"fb_charset": "UTF8"})


def _where(target: Target) -> str:
    if target.embedded:
        return f"file {target.path}, opened by the engine in this process (embedded)"
    where = f"{target.host}/{target.port}" if target.port else target.host
    return f"{target.path} on the Firebird server at {where}"


def _inspect(con: Connection, settings: Settings, target: Target, spec: str,
             ods: Ods | None) -> list[Finding]:
    timeout = settings.statement_timeout_ms
    with read_only(con) as tra, tra.cursor() as cur:
        def rows(sql: str) -> list[tuple]:
            return fetch_timed(cur, sql, timeout)

        lines = [
            _guarded("version", lambda: _version(con, rows, ods)),
            _guarded("dialect", lambda: _dialect(con)),
            _guarded("charset", lambda: _charset(con, rows, settings, spec)),
            _guarded("user", lambda: _user(con, rows, settings)),
            _guarded("tables", lambda: _tables(rows)),
        ]
    return lines


def _guarded(topic: str, check: Callable[[], Finding]) -> Finding:
    # One unreadable answer (a timeout, a missing grant) spoils its own line only.
    try:
        return check()
    except (DatabaseError, BadInput) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return Finding(topic, "warning", f"could not be read: {first}")


Rows = Callable[[str], list[tuple]]


def _version(con: Connection, rows: Rows, ods: Ods | None) -> Finding:
    # `ods` is the file's header (embedded); a server's file is known by what it says.
    ((version,),) = rows("select rdb$get_context('SYSTEM', 'ENGINE_VERSION') from rdb$database")
    on_disk = f"ODS {con.info.ods_version}.{con.info.ods_minor_version}"
    if ods is None:
        how = "the server"
    elif ods.major == 12:
        how = "Firebird 3's engine, loaded for this file"
        on_disk += f", written by {ods.made_by}"
    else:
        how = "the embedded engine"
        on_disk += f", written by {ods.made_by}"
    return Finding("version", "ok", f"Firebird {version} ({how}), {on_disk}")


def _dialect(con: Connection) -> Finding:
    dialect = con.info.sql_dialect
    if dialect >= 3:
        return Finding("dialect", "ok", f"SQL dialect {dialect}")
    return Finding("dialect", "ok", f"SQL dialect {dialect} (InterBase heritage): schemachat "
                   "speaks it: \"...\" is a string, dates are compared as TIMESTAMP, and a name "
                   "that needs double quotes cannot be queried (docs/firebird.md, \"Dialect 1 "
                   "databases\")")


def _charset(con: Connection, rows: Rows, settings: Settings, spec: str) -> Finding:
    ((default,),) = rows("select trim(rdb$character_set_name) from rdb$database")
    if default not in (None, "", "NONE"):
        text = f"default charset {default}"
        if settings.fb_charset:
            text += f", read as {settings.fb_charset} (SCHEMACHAT_FB_CHARSET)"
        return Finding("charset", "ok", text)
    if settings.fb_charset:
        return Finding("charset", "ok", f"default charset NONE; its text is read as "
                                        f"{settings.fb_charset} (SCHEMACHAT_FB_CHARSET)")
    path = settings.workspace / ENCODING_FILE
    choice = legacy_text.stored(settings.workspace, spec)
    if choice is not None:
        seen = read_model(path, TextEncoding).values_seen
        return Finding("charset", "ok", f"default charset NONE; its text is read as {choice}, "
                                        f"stored in {path} (chosen from {seen} values)")
    values = legacy_text.sample_bytes(con, settings.statement_timeout_ms)
    found = legacy_text.detect(values)
    basis = (f"detected now from {len(values)} values" if values
             else "no text beyond ASCII found, or none this user may read")
    return Finding("charset", "ok", f"default charset NONE; its text reads as {found} ({basis}; "
                   f"the first command that reads the database stores the choice in {path})")


def _user(con: Connection, rows: Rows, settings: Settings) -> Finding:
    ((user, role),) = rows("select trim(current_user), trim(current_role) from rdb$database")
    who = user if role in (None, "", "NONE") else f"{user} (role {role})"
    fb4 = con.info.engine_version >= 4
    admin = user == "SYSDBA" or role == "RDB$ADMIN"
    if fb4 and not admin:
        ((admin,),) = rows("select rdb$role_in_use('RDB$ADMIN') from rdb$database")
    if admin:
        return Finding("user", "warning", f"{who} is an administrator: it can change "
                       "everything in this database", fix=READ_ONLY_USER)
    owner = _owner(rows)
    if owner == user:
        return Finding("user", "warning", f"{who} owns this database: it can change "
                       "everything in it", fix=READ_ONLY_USER)
    # Privileges of the user, of PUBLIC and of the roles in use (Firebird 4 and later
    # apply every granted default role; Firebird 3 only the one connected with).
    in_use = ("rdb$role_in_use(p.rdb$user)" if fb4 else "p.rdb$user = current_role")
    granted = f"""
select trim(p.rdb$privilege), count(distinct p.rdb$relation_name)
from rdb$user_privileges p
join rdb$relations r on r.rdb$relation_name = p.rdb$relation_name
where coalesce(r.rdb$system_flag, 0) = 0 and p.rdb$object_type = 0
  and p.rdb$privilege in ('S', 'I', 'U', 'D')
  and ((p.rdb$user_type = 8 and p.rdb$user in (current_user, 'PUBLIC'))
       or (p.rdb$user_type = 13 and {in_use}))
group by 1"""
    counts = dict(rows(granted))
    ((owned, total),) = rows("""
select count(case when trim(rdb$owner_name) = current_user then 1 end), count(*)
from rdb$relations where coalesce(rdb$system_flag, 0) = 0""")
    writable = max(counts.get("I", 0), counts.get("U", 0), counts.get("D", 0))
    if owned or writable:
        what = (f"owns {owned} of its {total} tables and views" if owned else
                f"may INSERT, UPDATE or DELETE in {writable} of its {total} tables and views")
        return Finding("user", "warning", f"{who} can write: it {what}", fix=READ_ONLY_USER)
    readable = counts.get("S", 0)
    if not readable:
        return Finding("user", "warning", f"{who} cannot write, but may SELECT from none of the "
                       f"{total} tables and views: counts, samples and queries will fail",
                       fix="GRANT SELECT on the tables to expose (docs/firebird.md, \"A user "
                           "that can only read\")")
    return Finding("user", "ok", f"{who} can only read: SELECT on {readable} of {total} "
                                 "tables and views, no INSERT, UPDATE or DELETE")


def _owner(rows: Rows) -> str | None:
    try:
        ((owner,),) = rows("select trim(mon$owner) from mon$database")
    except DatabaseError:  # MON$ unreadable (odd grants): the privileges still tell
        return None
    return owner


def _tables(rows: Rows) -> Finding:
    ((tables, views),) = rows("""
select count(case when rdb$view_blr is null then 1 end), count(rdb$view_blr)
from rdb$relations where coalesce(rdb$system_flag, 0) = 0""")
    if not tables and not views:
        return Finding("tables", "warning", "no tables or views: nothing to ask about")
    return Finding("tables", "ok", f"{_many(tables, 'table')}, {_many(views, 'view')}")


def _many(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"
