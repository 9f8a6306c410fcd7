"""A private Firebird 3 server (Debian's `firebird3.0-server`) for tests of server mode.

The `firebird_server` fixture (session scoped) is registered by `pytest_plugins` in
tests/conftest.py: a test that needs a server requests it by name (and is skipped when
the package is missing); the server is started only when a test asks for it.
`legacy_server` (function scoped) is a `restartable_server` configured like a Firebird
2.5 server, with one database.

`restartable_server` (function scoped) is another private instance, of its own, that a
test may stop and start again on the same port (`RestartableServer.stop()`/`.start()`)
to see what a client does across a server restart; the session one is not disturbed.

The instance is entirely private: its own root folder holding a generated `firebird.conf`
(loopback only, a free port, `DatabaseAccess` restricted to its data folder), its own
security database built the way Debian's postinst builds the system one (an empty database
plus `/usr/share/firebird/3.0/security.sql`), its own SYSDBA password, lock and temp
folders. Nothing under /etc/firebird or /var/lib/firebird is read or changed, so a
system server on port 3050, if the package started one, is left alone. It runs as the
current user; root is not needed.

Debian builds Firebird 3 relocatable enough for this: with `FIREBIRD=<root>` the server
and the FB3 tools read `<root>/firebird.conf`, `<root>/plugins`, `<root>/intl` and
`<root>/firebird.msg`, so the root is a folder of symlinks into the package's
`/usr/lib/<triplet>/firebird/3.0` plus our own config files.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pytest

HOST = "127.0.0.1"
SKIP_REASON = "firebird3.0-server not installed: make apt"
SECURITY_SQL = Path("/usr/share/firebird/3.0/security.sql")
# Files of the package root we generate ourselves instead of linking to /etc/firebird/3.0.
_OWN_FILES = {"firebird.conf", "databases.conf"}
# Variables that would make the FB3 binaries load another client library or config.
_FOREIGN_ENV = ("LD_LIBRARY_PATH", "LD_PRELOAD", "ISC_USER", "ISC_PASSWORD", "ISC_PATH")


class FirebirdServer(NamedTuple):
    """A running server: where it listens, who may log in, where databases may live."""

    host: str
    port: int
    user: str
    password: str
    data_dir: Path

    def dsn(self, path: str | Path) -> str:
        """`host/port:path`, the server form schemachat's --database accepts."""
        return f"{self.host}/{self.port}:{path}"


@dataclass(frozen=True)
class Install:
    """Where Debian put the Firebird 3 server and tools."""

    server: Path  # the SuperServer binary
    isql: Path  # FB3's isql (`isql-fb` on Debian)
    root: Path  # /usr/lib/<triplet>/firebird/3.0: plugins, intl, firebird.msg


def find_install() -> Install | None:
    """The Debian Firebird 3 server install, or None when the package is missing."""
    roots = [p for p in sorted(Path("/usr/lib").glob("*/firebird/3.0"))
             if (p / "plugins" / "libEngine12.so").exists()]
    if not roots or not SECURITY_SQL.is_file():
        return None
    root = roots[0]
    server = next((p for p in (Path("/usr/sbin/firebird"), root / "bin" / "firebird")
                   if p.is_file()), None)
    isql = shutil.which("isql-fb") or shutil.which("isql", path=str(root / "bin"))
    if server is None or isql is None:
        return None
    return Install(server=server, isql=Path(isql), root=root)


def required_install() -> Install:
    """`find_install()`, or skip the calling test when the package is missing; where the
    environment variable CI is set the package is expected (`make apt`) and its absence
    fails the test instead."""
    install = find_install()
    if install is None:
        if os.environ.get("CI"):
            pytest.fail(f"{SKIP_REASON} (CI is set, so this is an error)")
        pytest.skip(SKIP_REASON)
    return install


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def make_root(install: Install, root: Path) -> None:
    """Fill `root` with links to the package's engine files plus folders of our own."""
    root.mkdir(parents=True, exist_ok=True)
    for item in install.root.iterdir():
        if item.name not in _OWN_FILES and not (root / item.name).exists():
            (root / item.name).symlink_to(item)
    for sub in ("lock", "tmp", "data"):
        (root / sub).mkdir(exist_ok=True)
    (root / "databases.conf").write_text("# no aliases: a private test server\n")


# A Firebird 2.5-era server as Firebird 3 can play one: legacy logins only, users kept by
# the legacy user manager, no wire encryption.
LEGACY_SETTINGS = ("AuthServer = Legacy_Auth\n"
                   "UserManager = Legacy_UserManager\n"
                   "WireCrypt = Disabled\n")


def write_config(root: Path, port: int, *, legacy: bool = False) -> None:
    """The private `firebird.conf`: loopback only, `port`, databases only in root/data;
    with `legacy`, configured like a Firebird 2.5 server (LEGACY_SETTINGS)."""
    logins = LEGACY_SETTINGS if legacy else "AuthServer = Srp\nUserManager = Srp\n"
    (root / "firebird.conf").write_text(
        "# Generated by tests/support/fbserver.py for a private test server.\n"
        f"RemoteBindAddress = {HOST}\n"
        f"RemoteServicePort = {port}\n"
        f"DatabaseAccess = Restrict {root / 'data'}\n"
        f"SecurityDatabase = {root / 'security3.fdb'}\n"
        "UdfAccess = None\n"
        f"{logins}"
    )


def server_env(root: Path) -> dict[str, str]:
    """The environment of the FB3 server and tools: this root, no foreign client library.

    The test process itself may have FIREBIRD pointing at the firebird-embedded wheel
    (FB5) and LD_LIBRARY_PATH at its runtime; both must not leak into the FB3 binaries.
    """
    env = {k: v for k, v in os.environ.items()
           if k not in _FOREIGN_ENV and not k.startswith("FIREBIRD")}
    env.update(FIREBIRD=str(root), FIREBIRD_LOCK=str(root / "lock"),
               FIREBIRD_TMP=str(root / "tmp"), LANG="C", LC_ALL="C")
    return env


def isql(install: Install, root: Path, sql: str, database: Path | str | None = None,
         password: str | None = None) -> str:
    """Run `sql` through FB3's isql as SYSDBA, stop on error: embedded (no server, no
    password) on a file, or through a server with `password` (`database` a DSN).

    isql runs in a UTF-8 locale: in the C locale its line editor drops every byte above
    127 of the script, so 'São' would arrive as 'So'.
    """
    args = [str(install.isql), "-q", "-b"]
    if database is not None:
        args += ["-user", "SYSDBA", *(["-password", password] if password else []),
                 str(database)]
    env = {**server_env(root), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    done = subprocess.run(args, input=sql, env=env, cwd=root, text=True,
                          capture_output=True, timeout=60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"isql-fb failed ({done.returncode}): {done.stdout}{done.stderr}")
    return done.stdout


def make_security_db(install: Install, root: Path, password: str) -> None:
    """Build root/security3.fdb as Debian's postinst does, and give SYSDBA `password`.

    Embedded user management writes to the *configured* security database
    (`SecurityDatabase` in root/firebird.conf), which is this file: never the system one.
    """
    sec = root / "security3.fdb"
    isql(install, root, f"CREATE DATABASE '{sec}';\n")
    isql(install, root, SECURITY_SQL.read_text(), sec)
    quoted = password.replace("'", "''")
    isql(install, root, f"CREATE OR ALTER USER SYSDBA PASSWORD '{quoted}' USING PLUGIN Srp;\n"
                        "COMMIT;\n", sec)


def _wait_listening(proc: subprocess.Popen[bytes], port: int, log: Path,
                    timeout: float = 20.0) -> bool:
    """True once the server accepts TCP connections; False if it exited first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"Firebird server not listening on {HOST}:{port} after {timeout} s; "
                       f"log:\n{log.read_text(errors='replace')}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate the server we started (by its pid), killing it if it lingers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _private_root(base: Path) -> tuple[Install, Path, str]:
    """(install, root, password): a private server root under `base` with its own
    security database, not yet configured with a port.

    Skips the calling test when the Debian package is missing, unless the environment
    variable CI is set: there the package is expected (`make apt`) and its absence fails.
    """
    install = required_install()
    root = base / "fb3"
    make_root(install, root)
    password = secrets.token_urlsafe(12)
    write_config(root, free_port())  # the security database is built through this config
    make_security_db(install, root, password)
    return install, root, password


def _spawn(install: Install, root: Path) -> subprocess.Popen[bytes]:
    """The server process of `root`, its output appended to root/server.log."""
    with (root / "server.log").open("ab") as out:
        return subprocess.Popen([str(install.server)], cwd=root, env=server_env(root),
                                stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


@contextmanager
def running_server(base: Path, *, attempts: int = 3) -> Iterator[FirebirdServer]:
    """Start a private Firebird 3 server under `base`, yield it, stop it (skipped or
    failed like `_private_root` when the package is missing)."""
    install, root, password = _private_root(base)
    log = root / "server.log"
    for _ in range(attempts):  # another process may grab the free port before we bind it
        port = free_port()
        write_config(root, port)
        proc = _spawn(install, root)
        try:
            if _wait_listening(proc, port, log):
                yield FirebirdServer(HOST, port, "SYSDBA", password, root / "data")
                return
        finally:
            _stop(proc)
    raise RuntimeError(f"Firebird server did not start in {attempts} attempts; "
                       f"log:\n{log.read_text(errors='replace')}")


class RestartableServer:
    """A private server a test may stop and start again (same root, port and password)."""

    def __init__(self, install: Install, root: Path, port: int, password: str) -> None:
        self.install, self.root, self.port = install, root, port
        self.server = FirebirdServer(HOST, port, "SYSDBA", password, root / "data")
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server process and wait until it listens; RuntimeError if it exits."""
        log = self.root / "server.log"
        self._proc = _spawn(self.install, self.root)
        if not _wait_listening(self._proc, self.port, log):
            raise RuntimeError(f"Firebird server exited on start; log:\n"
                               f"{log.read_text(errors='replace')}")

    def stop(self) -> None:
        """Stop the server process we started (its clients lose their connections)."""
        if self._proc is not None:
            _stop(self._proc)
            self._proc = None

    def make_legacy(self) -> None:
        """Reconfigure the (stopped) server like a Firebird 2.5 one (LEGACY_SETTINGS),
        SYSDBA keeping its password as a legacy user."""
        write_config(self.root, self.port, legacy=True)
        quoted = self.server.password.replace("'", "''")
        isql(self.install, self.root,
             f"CREATE OR ALTER USER SYSDBA PASSWORD '{quoted}' USING PLUGIN "
             "Legacy_UserManager;\nCOMMIT;\n", self.root / "security3.fdb")


@pytest.fixture
def restartable_server(tmp_path: Path) -> Iterator[RestartableServer]:
    """A private Firebird 3 server of this test alone, running, that it may restart."""
    install, root, password = _private_root(tmp_path)
    port = free_port()
    write_config(root, port)
    server = RestartableServer(install, root, port, password)
    server.start()
    try:
        yield server
    finally:
        server.stop()


LEGACY_PLUGINS = "Srp256, Srp, Legacy_Auth"  # what a client must offer such a server


@pytest.fixture
def legacy_server(restartable_server: RestartableServer) -> tuple[RestartableServer, str]:
    """A private server of this test configured like a Firebird 2.5 one (LEGACY_SETTINGS),
    holding one database (a CLIENTE table); the server and that database's DSN."""
    server = restartable_server
    server.stop()
    path = server.server.data_dir / "erp25.fdb"
    isql(server.install, server.root,
         f"CREATE DATABASE '{path}' DEFAULT CHARACTER SET UTF8;\n"
         "CREATE TABLE CLIENTE (CLI_COD INTEGER NOT NULL PRIMARY KEY, NOME VARCHAR(60));\n"
         "INSERT INTO CLIENTE VALUES (1, 'Ana Souza');\nCOMMIT;\n")
    server.make_legacy()
    server.start()
    return server, server.server.dsn(path)


@pytest.fixture(scope="session")
def firebird_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirebirdServer]:
    """A private Firebird 3 server on a free loopback port for the whole session."""
    with running_server(tmp_path_factory.mktemp("fbserver")) as server:
        yield server


def fb3_database(base: Path, name: str, script: str) -> Path:
    """An ODS 12 database file made by Firebird 3 itself (FB3's isql, embedded: no
    server), created in `base` with DEFAULT CHARACTER SET UTF8 and filled by `script`
    (isql statements, ending in COMMIT). Skipped like `_private_root` without the package.
    """
    install = required_install()
    root = base / "fb3-tools"
    make_root(install, root)
    (root / "firebird.conf").write_text("# Generated by tests/support/fbserver.py: FB3 tools.\n")
    path = base / name
    quoted = str(path).replace("'", "''")
    isql(install, root, f"SET NAMES UTF8;\nCREATE DATABASE '{quoted}' "
                        f"DEFAULT CHARACTER SET UTF8;\n{script}\n")
    return path
