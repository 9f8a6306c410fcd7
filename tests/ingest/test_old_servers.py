"""Servers of the Firebird 2.5 era: legacy logins only and no wire encryption.

A private Firebird 3 server (the `restartable_server` fixture) is configured like a 2.5
one (`AuthServer = Legacy_Auth`, `UserManager = Legacy_UserManager`, `WireCrypt =
Disabled`; SYSDBA a legacy user) and `schemachat extract` is run against it as a user
would: with the default settings it gets one line naming SCHEMACHAT_FB_AUTH_PLUGINS and
exit 2, with that setting it extracts; asking for wire encryption it cannot have gets one
line naming SCHEMACHAT_FB_WIRE_CRYPT.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import cli
from tests.support.fbserver import LEGACY_PLUGINS, RestartableServer

LEGACY = LEGACY_PLUGINS  # the `legacy_server` fixture comes from tests/support/fbserver.py


def extract(server: RestartableServer, dsn: str, ws: Path, **env: str):
    login = {"SCHEMACHAT_FB_USER": server.server.user,
             "SCHEMACHAT_FB_PASSWORD": server.server.password}
    return cli.run("extract", "--database", dsn, "--workspace", str(ws), env={**login, **env})


def test_legacy_server_needs_the_auth_setting_and_then_extracts(
        legacy_server: tuple[RestartableServer, str], tmp_path: Path) -> None:
    server, dsn = legacy_server
    ws = tmp_path / "ws"
    refused = extract(server, dsn, ws)
    cli.assert_bad_input(refused, f"SCHEMACHAT_FB_AUTH_PLUGINS=\"{LEGACY}\"",
                         "accepts none of the login methods")
    assert not (ws / "technical_schema_details.json").exists()

    done = extract(server, dsn, ws, SCHEMACHAT_FB_AUTH_PLUGINS=LEGACY)
    assert done.returncode == 0, done.stderr
    schema = json.loads((ws / "technical_schema_details.json").read_text())
    assert [t["name"] for t in schema["tables"]] == ["CLIENTE"]
    assert schema["database"]["engine_version"].startswith("3.0")


def test_required_wire_encryption_names_its_setting(
        legacy_server: tuple[RestartableServer, str], tmp_path: Path) -> None:
    server, dsn = legacy_server
    done = extract(server, dsn, tmp_path / "ws", SCHEMACHAT_FB_AUTH_PLUGINS=LEGACY,
                   SCHEMACHAT_FB_WIRE_CRYPT="Required")
    cli.assert_bad_input(done, "SCHEMACHAT_FB_WIRE_CRYPT=Enabled", "disagree on wire encryption")
    plain = extract(server, dsn, tmp_path / "ws", SCHEMACHAT_FB_AUTH_PLUGINS=LEGACY,
                    SCHEMACHAT_FB_WIRE_CRYPT="disabled")
    assert plain.returncode == 0, plain.stderr

