"""The installed `schemachat` command: exit codes and one-line messages for bad input,
and the whole pipeline on the demo database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import SCHEMACHAT, assert_bad_input, run


def test_help_lists_stages() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("demo-db", "extract", "counts", "samples", "merge", "summary"):
        assert command in result.stdout


@pytest.mark.parametrize("args", [["nosuch"], ["extract", "--bogus"], ["counts", "--exact=maybe"]])
def test_usage_errors_exit_2_without_traceback(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "Error:" in result.stderr


def test_no_database_configured(tmp_path: Path) -> None:
    assert_bad_input(run("extract", "-w", str(tmp_path)), "no database given", "--database")


def test_missing_database_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.fdb"
    assert_bad_input(run("extract", "-d", str(missing), "-w", str(tmp_path)),
                     "database file not found", str(missing))


def test_not_a_firebird_database(tmp_path: Path) -> None:
    fake = tmp_path / "notes.fdb"
    fake.write_text("these are not the pages you are looking for\n" * 100)
    assert_bad_input(run("extract", "-d", str(fake), "-w", str(tmp_path)),
                     "not a Firebird database", str(fake))


def test_server_unreachable(tmp_path: Path) -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    assert_bad_input(run("extract", "-d", "127.0.0.1/1:/srv/erp.fdb", "-w", str(tmp_path)),
                     "cannot reach the Firebird server", "127.0.0.1/1:/srv/erp.fdb")


def test_database_from_env(tmp_path: Path) -> None:
    missing = tmp_path / "from-env.fdb"
    result = run("extract", "-w", str(tmp_path), env={"SCHEMACHAT_FB_DATABASE": str(missing)})
    assert_bad_input(result, str(missing))


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                    reason="needs root and unshare to hide libtommath")
def test_missing_libtommath_says_how_to_install(demo_db: Path, tmp_path: Path) -> None:
    lib = Path("/lib/x86_64-linux-gnu/libtommath.so.1")
    if not lib.exists():
        pytest.skip("libtommath is not where Debian puts it")
    # A private mount namespace hides the library from this one process only.
    script = f"mount --bind /dev/null {lib} && exec {SCHEMACHAT} extract -d {demo_db} -w {tmp_path}"
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                            timeout=120, check=False)
    if "mount" in result.stderr and result.returncode != 2:
        pytest.skip(f"cannot make a mount namespace here: {result.stderr.strip()}")
    assert_bad_input(result, "libtommath", "apt-get install libtommath1")


def test_merge_before_extract(tmp_path: Path) -> None:
    assert_bad_input(run("merge", "-w", str(tmp_path)),
                     "technical_schema_details.json not found", "schemachat extract")


def test_summary_of_corrupt_document(tmp_path: Path) -> None:
    (tmp_path / "combined_schema_details.json").write_text('{"version": 1, "kind": "samples"}')
    assert_bad_input(run("summary", "-w", str(tmp_path)), "combined_schema_details.json", "kind")


def test_bad_config_value(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text("row_cap: zero\n")
    assert_bad_input(run("merge", "--config", str(profile)), str(profile), "row_cap")


def test_demo_db_refuses_to_overwrite(demo_db: Path) -> None:
    assert_bad_input(run("demo-db", str(demo_db)), "already exists", "--force")


def test_pipeline_on_demo(demo_db: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    env = {"SCHEMACHAT_FB_DATABASE": str(demo_db), "SCHEMACHAT_WORKSPACE": str(ws)}
    for step in (["extract"], ["counts"], ["samples"], ["merge"]):
        result = run(*step, env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "", "progress and messages go to stderr"
    names = {p.name for p in ws.iterdir()}
    assert {"technical_schema_details.json", "overview_counts.json", "samples.json",
            "combined_schema_details.json"} <= names
    combined = json.loads((ws / "combined_schema_details.json").read_text())
    assert combined["kind"] == "combined_schema" and len(combined["tables"]) >= 40
    summary = run("summary", env=env)
    assert summary.returncode == 0, summary.stderr
    assert "tables" in summary.stdout and "most referenced columns" in summary.stdout
    assert str(len(combined["tables"])) in summary.stdout
