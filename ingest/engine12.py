"""Firebird 3's engine (libEngine12.so) inside the Firebird 5 client, for ODS 12 files.

Firebird 5 cannot read ODS 12 (Firebird 3) files itself, but its client loads Firebird
3's engine as one more provider when the library sits in its plugins folder (the
Firebird 5 release notes describe this): the file is then opened by the engine that
wrote it, in this process, without a server and unchanged. `firebird.connect` asks for
that provider (`Providers = Engine12`) for ODS 12 files only. The library comes from
Debian's firebird3.0-server-core.

One catch, measured here: once Firebird 5's engine has attached anything in a process,
Firebird 3's engine fails its own ICU start-up ("Could not find acceptable ICU library");
started first, both work. So `prime` attaches a tiny ODS 12 file of our own before
anything else, once per process (~0.1 s).
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

from firebird.driver import DatabaseError, connect, create_database, driver_config

# Where Debian's firebird3.0-server-core (or firebird3.0-server) puts it.
ENGINE12_GLOB = "usr/lib/*/firebird/3.0/plugins/libEngine12.so"
PROVIDER = "Providers = Engine12"
_PROBE = "schemachat-engine12-probe"


def find() -> Path | None:
    """Firebird 3's engine library when Debian's firebird3.0-server-core is installed."""
    found = sorted(Path("/").glob(ENGINE12_GLOB))
    return found[0] if found else None


def ready(runtime: Path) -> bool:
    """True when the runtime folder's plugins include Firebird 3's engine."""
    return (runtime / "plugins" / "libEngine12.so").exists()


def prime(runtime: Path) -> None:
    """Start Firebird 3's engine before Firebird 5's: attach the runtime's probe file
    (an empty ODS 12 database made by that engine on first use). Best effort: when it
    fails, ODS 12 files fail later with the engine's own message."""
    probe = runtime / "ods12-probe.fdb"
    db = driver_config.get_database(_PROBE) or driver_config.register_database(_PROBE)
    db.config.value = PROVIDER
    with suppress(DatabaseError, OSError):
        if not probe.exists():
            staging = runtime / f".ods12-probe-{os.getpid()}.fdb"
            db.database.value = str(staging)
            create_database(_PROBE, user="SYSDBA", overwrite=True).close()
            staging.rename(probe)  # atomic: another process may be doing the same
        db.database.value = str(probe)
        connect(_PROBE, user="SYSDBA", charset="UTF8").close()
