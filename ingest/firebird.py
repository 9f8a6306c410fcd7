"""The one place that opens Firebird connections, embedded or server.

Long-lived users (the agent, the API, the app, the Slack bot) hold a `SharedConnection`:
when the server drops the connection (a restart, a network error, a shutdown) the failing
call gets `DatabaseUnavailable`, a one-line error, and the next call connects again.

The embedded engine comes from the `firebird-embedded` wheel. Its plugins need
`libtommath` (Debian `libtommath1`) and the wheel's own `libtomcrypt`, which the
dynamic loader only finds through LD_LIBRARY_PATH read at process start; loading
them here with RTLD_GLOBAL first makes that unnecessary.
"""

from __future__ import annotations

import ctypes
import hashlib
import math
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from firebird.driver import (
    TPB,
    CancelType,
    Connection,
    Cursor,
    DatabaseError,
    Isolation,
    TraAccessMode,
    TransactionManager,
    driver_config,
)
from firebird.driver import connect as fb_connect
from firebird.driver import create_database as fb_create_database
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_fixed

from schemachat.configs import BadInput, SchemachatError, Settings
from schemachat.ingest import engine12, legacy_text
from schemachat.ingest.ods import Ods, read_ods

# GDS codes meaning the attachment is gone (the server went away, shut down, or the network
# failed): the connection cannot be used again, a new one may work.
CONNECTION_LOST_CODES = frozenset({
    335544721,  # isc_network_error: Unable to complete network request to host
    335544722,  # isc_net_connect_err: Failed to establish a connection
    335544726,  # isc_net_read_err: Error reading data from the connection
    335544727,  # isc_net_write_err: Error writing data to the connection
    335544741,  # isc_lost_db_connection: Connection lost to database
    335544528,  # isc_shutdown: database shutdown
    335544856,  # isc_att_shutdown: connection shutdown
})
RECONNECT_WAIT_S = 0.5  # between the two attempts to open a shared connection


class ServerUnreachable(BadInput):
    """`connect` could not reach the server (or the database is shut down)."""


class DatabaseUnavailable(SchemachatError):
    """The database went away (connection lost, server down or shut down); a shared
    connection is opened again on its next use. Not bad input: the API answers 503."""


# host[/port]:path, but not a Windows drive letter such as C:\db.fdb
_SERVER_DSN = re.compile(r"^(?P<host>[A-Za-z0-9_.\-\[\]]{2,})(?:/(?P<port>\d+))?:(?P<path>.+)$")


@dataclass(frozen=True)
class Target:
    """Where a database lives: a local file (embedded) or a server."""

    path: str
    host: str | None = None
    port: int | None = None

    @property
    def embedded(self) -> bool:
        return self.host is None

    @property
    def dsn(self) -> str:
        """The connection string the client library understands."""
        if self.embedded:
            return self.path
        port = f"/{self.port}" if self.port else ""
        return f"{self.host}{port}:{self.path}"

    def __str__(self) -> str:
        return self.dsn


def parse_target(database: str) -> Target:
    """Split `host[/port]:path` from a plain file path (embedded)."""
    match = _SERVER_DSN.match(database)
    if match:
        port = int(match["port"]) if match["port"] else None
        return Target(path=match["path"], host=match["host"], port=port)
    return Target(path=str(Path(database).expanduser()))


@cache
def ensure_client() -> Path:
    """Point firebird-driver at the embedded runtime (once per process).

    Raises BadInput when Debian's libtommath1 is missing, saying how to install it.
    """
    try:
        from firebird.embedded.provider import FirebirdProvider
    except ImportError as exc:  # pragma: no cover - a broken install
        raise SchemachatError(
            "firebird-embedded is not installed: pip install firebird-embedded"
        ) from exc
    provider = FirebirdProvider()
    runtime = shared_runtime(provider.root, provider.package_version, engine12.find())
    os.environ.setdefault("FIREBIRD", str(runtime))
    try:
        ctypes.CDLL("libtommath.so.1", mode=ctypes.RTLD_GLOBAL)
    except OSError:
        raise BadInput(
            "the Firebird engine needs libtommath, which is missing: "
            "run `apt-get install libtommath1` (Debian/Ubuntu)"
        ) from None
    ctypes.CDLL(str(provider.root / "libtomcrypt.so.1"), mode=ctypes.RTLD_GLOBAL)
    ctypes.CDLL(str(provider.client_library), mode=ctypes.RTLD_GLOBAL)
    driver_config.fb_client_library.value = str(provider.client_library)
    legacy_text.install_codecs()  # text that fits no encoding is escaped, never raised
    if os.environ["FIREBIRD"] == str(runtime) and engine12.ready(runtime):
        engine12.prime(runtime)
    return provider.root


def engine12_ready() -> bool:
    """True when the runtime this process uses can open ODS 12 (Firebird 3) files."""
    return engine12.ready(Path(os.environ.get("FIREBIRD", "")))


def shared_runtime(root: Path, version: str, engine12: Path | None = None) -> Path:
    """A runtime folder like the wheel's whose firebird.conf says ServerMode = SuperClassic,
    and whose plugins include Firebird 3's engine when `engine12` is given.

    With the default mode (Super) the first process to open an embedded database locks
    it for itself, so the app, the CLI and a cron job could not use one database file
    together ("Database already opened with engine instance"). SuperClassic shares it.
    Firebird 5 loads Firebird 3's engine (libEngine12.so) as one more provider, as its
    release notes describe, and opens ODS 12 files with it, unchanged; `connect` asks
    for that provider for ODS 12 files only. The folder links to the wheel's files (in
    the user cache, keyed by the wheel's version and location and the Engine12 library),
    so the installed package is never changed.
    """
    key = hashlib.sha256(f"{root}|{engine12 or ''}".encode()).hexdigest()[:10]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = cache / "schemachat" / f"firebird-{version}-{key}"
    if (folder / "firebird.conf").is_file() and (folder / "plugins").is_dir():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".firebird-", dir=folder.parent))
    for entry in root.iterdir():
        if entry.name not in ("firebird.conf", "plugins"):
            (staging / entry.name).symlink_to(entry)
    (staging / "plugins").mkdir()
    for entry in (root / "plugins").iterdir():
        (staging / "plugins" / entry.name).symlink_to(entry)
    if engine12 is not None:
        (staging / "plugins" / "libEngine12.so").symlink_to(engine12)
    conf = (root / "firebird.conf").read_text(encoding="utf-8")
    (staging / "firebird.conf").write_text(
        conf + "\n# schemachat: several processes may open one embedded database\n"
        "ServerMode = SuperClassic\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)  # a stale copy (dangling links)
    try:
        staging.rename(folder)
    except OSError:  # another process made it first
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def connect(settings: Settings, database: str | None = None) -> Connection:
    """Open a connection to the configured database (or `database`).

    A file's ODS is read before attaching: ODS 13 opens with Firebird 5's engine, ODS 12
    with Firebird 3's (when installed), anything else is refused with what to do.
    Raises BadInput with one line naming the problem: no database configured, missing
    file, not a Firebird database, a file version no engine here opens, wrong user or
    password, server unreachable or silent (a server gets `statement_timeout_ms` to answer,
    not Firebird's own 180 s).
    """
    spec = database or settings.fb_database
    if not spec:
        raise BadInput("no database given: pass --database or set SCHEMACHAT_FB_DATABASE")
    target = parse_target(spec)
    config: list[str] = []
    if target.embedded:
        ods = check_file(Path(target.path))
        ensure_client()
        problem = ods_problem(Path(target.path), ods, engine12=engine12_ready())
        if problem:
            raise BadInput(problem)
        if ods.major == 12:
            config.append(engine12.PROVIDER)  # Firebird 3's engine, for this file only
    else:
        config += client_config(settings)
    ensure_client()
    charset = settings.fb_charset or legacy_text.stored(settings.workspace, spec)
    dialect = _dialects.get(target.dsn, 3)
    con = _attach(settings, target, config, charset or "UTF8", dialect)
    with _closing_on_error(con):
        found_dialect = con.info.sql_dialect
    if found_dialect != dialect:
        # A dialect 1 database is spoken to in dialect 1, as its own programs do: there
        # "x" is a string, and a dialect 3 client may not even say DATE or CURRENT_DATE.
        _dialects[target.dsn] = dialect = found_dialect
        con.close()
        con = _attach(settings, target, config, charset or "UTF8", dialect)
    if charset is None:
        # First time here: a database whose default charset is NONE gets the encoding
        # its text is in (stored in the workspace), and is opened again with it.
        with _closing_on_error(con):
            found = legacy_text.choose(con, settings.workspace, spec,
                                       settings.statement_timeout_ms)
        if found and found != "UTF8":
            con.close()
            con = _attach(settings, target, config, found, dialect)
    return con


# The SQL dialect of each database this process attached (dsn -> 1 or 3): later
# connections to a dialect 1 database attach in dialect 1 straight away.
_dialects: dict[str, int] = {}


def connect_timeout_s(settings: Settings) -> int:
    """How long a server gets to answer a connection, in whole seconds: the statement
    timeout (Firebird's own ConnectTimeout is 180 s, long enough to look like a hang)."""
    return max(1, math.ceil(settings.statement_timeout_ms / 1000))


def _attach(settings: Settings, target: Target, config: list[str], charset: str,
            dialect: int = 3) -> Connection:
    password = settings.fb_password.get_secret_value() if settings.fb_password else None
    # isc_dpb_connect_timeout: the firebird.conf line ConnectTimeout sent per connection
    # (in `config`) is ignored by the client, the DPB item is not (measured).
    timeout = None if target.embedded else connect_timeout_s(settings)
    try:
        return fb_connect(
            _registered(target.dsn, config, dialect, timeout),
            user=settings.fb_user,
            password=password,
            role=settings.fb_role,
            charset=charset,
        )
    except DatabaseError as exc:
        message = login_problem(exc, target, settings)
        silent = timeout is not None and CONNECT_REJECTED in (exc.gds_codes or ())
        if message is None and silent:
            message = (f"cannot reach the Firebird server for {target}: no answer within "
                       f"{timeout} s (SCHEMACHAT_STATEMENT_TIMEOUT_MS), or it refused the "
                       "connection; check the host and port")
        message = message or explain(exc, target)
        if is_connection_lost(exc) or message.startswith("cannot reach"):
            raise ServerUnreachable(message) from None
        raise BadInput(message) from None


def client_config(settings: Settings) -> list[str]:
    """The firebird.conf lines of a server connection: the login methods the client
    offers (AuthClient) and the wire encryption it asks for (WireCrypt), from settings.

    The Firebird 5 client's own default also offers Legacy_Auth; schemachat offers it
    only when `fb_auth_plugins` names it (docs/firebird.md, "Old servers").
    """
    return [f"AuthClient = {settings.fb_auth_plugins}", f"WireCrypt = {settings.fb_wire_crypt}"]


CONNECT_REJECTED = 335544421  # isc_connect_reject: also what a server silent past the
# connect timeout ends in
LOGIN_ERROR = 335545106  # isc_login_error: no login method both sides accept (or the
# server failed it for a reason only its firebird.log tells)
WIRECRYPT_INCOMPATIBLE = 335545064  # isc_wirecrypt_incompatible


def login_problem(exc: DatabaseError, target: Target, settings: Settings) -> str | None:
    """One line naming the setting to change when a server refused how the client logs
    in (auth plugins, wire encryption); None for any other error."""
    codes = set(exc.gds_codes or ())
    plugins = settings.fb_auth_plugins
    if WIRECRYPT_INCOMPATIBLE in codes:
        if settings.fb_wire_crypt != "Enabled":
            return (f"the Firebird server for {target} and this client disagree on wire "
                    f"encryption (SCHEMACHAT_FB_WIRE_CRYPT={settings.fb_wire_crypt}): set "
                    "SCHEMACHAT_FB_WIRE_CRYPT=Enabled (encrypted when the server can, plain "
                    "when it has WireCrypt = Disabled or logs in with Legacy_Auth)")
        return (f"the Firebird server for {target} requires wire encryption, which a "
                f"Legacy_Auth login cannot give: drop Legacy_Auth from "
                f"SCHEMACHAT_FB_AUTH_PLUGINS (now \"{plugins}\") so Srp is used")
    if LOGIN_ERROR in codes:
        if "legacy_auth" not in plugins.lower():
            return (f"the Firebird server for {target} accepts none of the login methods "
                    f"offered (SCHEMACHAT_FB_AUTH_PLUGINS=\"{plugins}\"); a Firebird 2.5-era "
                    "server (AuthServer = Legacy_Auth) needs "
                    "SCHEMACHAT_FB_AUTH_PLUGINS=\"Srp256, Srp, Legacy_Auth\"")
        return (f"the Firebird server for {target} refused the login (\"Error occurred "
                "during login\"; its firebird.log says why): check SCHEMACHAT_FB_AUTH_PLUGINS "
                f"(now \"{plugins}\") against the server's AuthServer")
    return None


@contextmanager
def _closing_on_error(con: Connection) -> Iterator[None]:
    try:
        yield
    except BaseException:
        with suppress(Exception):
            con.close()
        raise


_registered_lock = threading.Lock()


def _registered(dsn: str, config: list[str], dialect: int = 3,
                timeout_s: int | None = None) -> str:
    """What to pass firebird-driver's `connect` for `dsn` with per-connection firebird.conf
    lines (`config`) in SQL `dialect`, giving a server `timeout_s` to answer: the dsn
    itself when there is none of these (the driver's defaults), else the name of a driver
    database configuration carrying them (lines sent in the DPB as isc_dpb_config; the
    dialect in the DPB and with every statement; the timeout as isc_dpb_connect_timeout)."""
    if not config and dialect == 3 and timeout_s is None:
        return dsn
    text = "\n".join(config)
    key = f"{dsn}\0{text}\0{dialect}\0{timeout_s}"
    name = "schemachat-" + hashlib.sha256(key.encode()).hexdigest()[:16]
    with _registered_lock:
        if driver_config.get_database(name) is None:
            db = driver_config.register_database(name)
            db.database.value = dsn
            db.config.value = text or None
            db.sql_dialect.value = dialect
            db.timeout.value = timeout_s
    return name


def ods_problem(path: Path, ods: Ods, *, engine12: bool) -> str | None:
    """Why the file cannot be opened here and what to do, in one line; None when it can."""
    if ods.firebird and ods.major == 13:
        return None
    if ods.firebird and ods.major == 12:
        if engine12:
            return None
        return (f"{path} is a Firebird 3 database (ODS {ods}): install Firebird 3's engine "
                "(`apt-get install firebird3.0-server-core`) and schemachat opens it as it is, "
                "or connect through the Firebird 3 server that runs it "
                "(--database HOST[/PORT]:/path/on/that/server)")
    what = f"{path} is {_article(ods.made_by)} {ods.made_by} database (ODS {ods})"
    if ods.firebird and ods.major > 13:
        return (f"{what}, newer than this engine (Firebird 5): connect through the server "
                "that runs it (--database HOST[/PORT]:/path/on/that/server)")
    backup = f"{path.stem}.fbk"
    return (f"{what}, which no engine here can open: connect through the server that runs "
            "it (--database HOST[/PORT]:/path/on/that/server), or back it up there "
            f"(gbak -b -user SYSDBA -password ... HOST:/path/on/that/server/{path.name} "
            f"{backup}) and restore it with Firebird 3's gbak (gbak -c -user SYSDBA {backup} "
            f"{path.stem}-fb3.fdb), then open {path.stem}-fb3.fdb")


def _article(name: str) -> str:
    return "an" if name[:1].lower() in "aeiou" else "a"


def is_connection_lost(exc: BaseException) -> bool:
    """True when `exc` says the attachment is gone (see CONNECTION_LOST_CODES)."""
    if isinstance(exc, DatabaseUnavailable):
        return True
    return isinstance(exc, DatabaseError) and bool(
        CONNECTION_LOST_CODES.intersection(exc.gds_codes or ()))


def unavailable(target: Target, why: str) -> DatabaseUnavailable:
    """The one-line error of a database that went away, naming the server (or file)."""
    if target.embedded:
        return DatabaseUnavailable(f"the Firebird database {target.path} is unavailable "
                                   f"({why}); retrying on the next request")
    where = f"{target.host}/{target.port}" if target.port else target.host
    return DatabaseUnavailable(f"the Firebird server at {where} is unreachable ({why}); "
                               "retrying on the next request")


@contextmanager
def reporting_lost(target: Target) -> Iterator[None]:
    """Turn a connection-lost driver error raised inside into DatabaseUnavailable."""
    try:
        yield
    except DatabaseError as exc:
        if not is_connection_lost(exc):
            raise
        raise unavailable(target, "connection lost") from exc


class SharedConnection:
    """One connection, opened on first use and used by one caller at a time, that
    recovers from a server restart: a call that finds the connection lost gets
    DatabaseUnavailable and the connection is dropped, so the next call opens a new one
    (two attempts, RECONNECT_WAIT_S apart). Thread-safe."""

    def __init__(self, settings: Settings, database: str | None = None) -> None:
        self.settings = settings
        self.database = database
        self._con: Connection | None = None
        self._lock = threading.Lock()

    @property
    def target(self) -> Target:
        """Where the connection goes."""
        return parse_target(self.database or self.settings.fb_database or "")

    @contextmanager
    def use(self) -> Iterator[Connection]:
        """The connection (opened if needed) for the length of the block. Raises
        DatabaseUnavailable when it cannot be opened or was lost inside the block."""
        with self._lock:
            if self._con is None:
                self._con = self._open()
            try:
                yield self._con
            except Exception as exc:
                if not is_connection_lost(exc):
                    raise
                self._drop()
                if isinstance(exc, DatabaseUnavailable):
                    raise
                raise unavailable(self.target, "connection lost") from exc

    def _open(self) -> Connection:
        retrying = Retrying(retry=retry_if_exception_type(ServerUnreachable),
                             stop=stop_after_attempt(2), wait=wait_fixed(RECONNECT_WAIT_S),
                             reraise=True)
        try:
            return retrying(connect, self.settings, self.database)
        except ServerUnreachable:
            raise unavailable(self.target, "cannot connect") from None

    def _drop(self) -> None:
        con, self._con = self._con, None
        if con is not None:
            with suppress(Exception):  # the attachment is gone: closing it may fail too
                con.close()

    def close(self) -> None:
        """Close the connection, if one is open (errors of a lost one are ignored)."""
        with self._lock:
            self._drop()


def create_database(path: Path, *, charset: str = "UTF8", overwrite: bool = False) -> Connection:
    """Create a new embedded database file and return a connection to it."""
    ensure_client()
    if path.exists() and not overwrite:
        raise BadInput(f"{path} already exists (use --force to replace it)")
    if not path.parent.is_dir():
        raise BadInput(f"folder does not exist: {path.parent}")
    if path.exists():
        path.unlink()
    try:
        return fb_create_database(str(path), user="SYSDBA", charset=charset, overwrite=True)
    except DatabaseError as exc:
        raise BadInput(explain(exc, Target(str(path)))) from None


def read_only_tpb(engine_version: float = 5.0) -> bytes:
    """A read-only READ COMMITTED transaction that never waits on locks.

    READ CONSISTENCY (one snapshot per statement) on Firebird 4+; Firebird 3 does not
    know it and gets RECORD_VERSION, the closest it has.
    """
    isolation = (Isolation.READ_COMMITTED_READ_CONSISTENCY if engine_version >= 4
                 else Isolation.READ_COMMITTED_RECORD_VERSION)
    return TPB(
        access_mode=TraAccessMode.READ,
        isolation=isolation,
        lock_timeout=0,
    ).get_buffer()


@contextmanager
def read_only(con: Connection) -> Iterator[TransactionManager]:
    """A read-only transaction on `con`, always rolled back at the end.

    Anything that reads on a user's behalf (extraction, counts, samples, the agent's
    SQL) runs inside one of these, so no statement can change the database.
    """
    tra = con.transaction_manager(default_tpb=read_only_tpb(con.info.engine_version))
    tra.begin()
    try:
        yield tra
    finally:
        if tra.is_active():
            tra.rollback()
        tra.close()


@contextmanager
def opened(settings: Settings, database: str | None = None) -> Iterator[Connection]:
    """`connect` as a context manager that always closes the connection."""
    con = connect(settings, database)
    try:
        yield con
    finally:
        con.close()


def check_file(path: Path) -> Ods:
    """The file's ODS; BadInput when it is missing, a folder, not a regular file, not
    readable or no Firebird database."""
    if not path.exists():
        raise BadInput(f"database file not found: {path}")
    if path.is_dir():
        raise BadInput(f"database path is a folder, not a file: {path}")
    if not path.is_file():  # reading a pipe or a device would wait for ever
        raise BadInput(f"database path is not a regular file: {path}")
    try:
        ods = read_ods(path)
    except OSError as exc:
        raise BadInput(f"cannot read the database file {path}: {exc.strerror}") from None
    if ods is None:
        raise BadInput(f"not a Firebird database: {path}")
    return ods


_EXPLANATIONS: list[tuple[tuple[str, ...], str]] = [
    (("Your user name and password are not defined",), "wrong user or password for {target}"),
    (("unavailable database", "failed to establish a connection", "Connection refused",
      "Unable to complete network request"), "cannot reach the Firebird server for {target}"),
    (("file is not a valid database", "not a valid database"), "not a Firebird database: {target}"),
    (("No such file or directory", "I/O error during \"open\""),
     "database file not found: {target}"),
    (("unsupported on-disk structure",), "database {target} was made by another Firebird "
     "version (unsupported on-disk structure)"),
]


def explain(exc: DatabaseError, target: Target) -> str:
    """Turn a driver error into one line a user can act on."""
    text = str(exc)
    for needles, message in _EXPLANATIONS:
        if any(n in text for n in needles):
            return message.format(target=target)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return f"cannot open {target}: {first}"


def fetch_timed(cur: Cursor, sql: str, timeout_ms: int,
                params: Sequence[Any] | None = None) -> list[tuple]:
    """Run `sql` (with `params` for its `?`) on `cur` and fetch every row, cancelled
    after `timeout_ms`.

    Firebird 4+ has statement timeouts; firebird-driver 2.x exposes the property setter
    under the name `_timeout` (`stmt.timeout = ...` raises "no setter"), so the
    interface call is used directly. Firebird 3 has none: a timer cancels the running
    operation of the attachment instead. Either way a statement that runs too long
    fails with "operation was cancelled" (see `is_timeout`).
    """
    con = cur.connection
    if con.info.engine_version >= 4:
        stmt = cur.prepare(sql)
        try:
            stmt._istmt.set_timeout(timeout_ms)
            cur.execute(stmt, params)
            return cur.fetchall()
        finally:
            # Freed here, not by the garbage collector after the connection is gone.
            cur.close()
            stmt.free()
    timer = threading.Timer(timeout_ms / 1000, con._att.cancel_operation, (CancelType.RAISE,))
    timer.start()
    try:
        cur.execute(sql, params)
        return cur.fetchall()
    finally:
        timer.cancel()


def is_timeout(exc: Exception) -> bool:
    """True when a driver error means the statement timeout fired."""
    text = str(exc).lower()
    return "cancelled" in text or "timeout" in text
