"""A private PostgreSQL server (Debian's `postgresql`) on loopback, for the tests of the
shared sessions store (`sessions_url=postgresql://...`).

The `postgres_url` fixture (session scoped, a URL with a password) is registered by
`pytest_plugins` in tests/conftest.py; a test requests it by name. The cluster is its
own: `initdb` into a temporary folder, password (scram) authentication, a free port on
127.0.0.1, its socket in that folder; the system cluster, if any, is not touched. initdb
refuses to run as root, so as root the cluster belongs to the `postgres` user the package
creates.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SKIP_REASON = "postgresql (Debian) not installed: make apt"


def _bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres of a running private server.
    Skips when the package is missing, except under CI (set by .ci/run), where it fails."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail(f"{SKIP_REASON} (CI is set, so this is an error)")
        pytest.skip(SKIP_REASON)
    root = Path(tempfile.mkdtemp(prefix="schemachat-pg-"))
    data, password, port = root / "data", secrets.token_hex(12), free_port()
    (root / "pw").write_text(password + "\n")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(root / "pw", "postgres", "postgres")
    subprocess.run(_as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                              "--auth=scram-sha-256", f"--pwfile={root / 'pw'}", "-E", "UTF8"]),
                   check=True, capture_output=True)
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                              "-l", str(root / "log"), "-w", "-t", "60", "start"]),
                   check=True, capture_output=True)
    try:
        yield f"postgresql://postgres:{password}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast",
                                  "-w", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
