"""The connection layer: targets, and several processes on one embedded database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from schemachat.configs import load_settings
from schemachat.ingest.firebird import Target, opened, parse_target, read_only


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("/srv/erp/DADOS.FDB", Target("/srv/erp/DADOS.FDB")),
        ("data/demo.fdb", Target("data/demo.fdb")),
        ("erp-server:/srv/erp/DADOS.FDB", Target("/srv/erp/DADOS.FDB", "erp-server")),
        ("10.0.0.5/3051:/srv/x.fdb", Target("/srv/x.fdb", "10.0.0.5", 3051)),
        ("localhost:employee", Target("employee", "localhost")),
        ("C:\\erp\\DADOS.FDB", Target("C:\\erp\\DADOS.FDB")),
    ],
)
def test_parse_target(spec: str, expected: Target) -> None:
    assert parse_target(spec) == expected


HOLDER = """
import sys, time
from schemachat.configs import load_settings
from schemachat.ingest.firebird import opened
with opened(load_settings(fb_database=sys.argv[1])) as con:
    con.cursor().execute("select count(*) from rdb$relations").fetchone()
    print("ready", flush=True)
    sys.stdin.readline()
"""


def test_two_processes_share_one_embedded_database(demo_db: Path) -> None:
    # Another process (the app, a cron job) holds the database open...
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(demo_db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        # ... and this one can still open and read it (SuperClassic, not Super).
        with opened(load_settings(fb_database=str(demo_db))) as con, read_only(con) as tra:
            cur = tra.cursor()
            cur.execute("select count(*) from rdb$relations where rdb$system_flag = 0")
            assert cur.fetchone()[0] > 40
    finally:
        holder.communicate("\n", timeout=60)
    assert holder.returncode == 0
