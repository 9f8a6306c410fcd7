"""`schemachat databases add / list / remove`, `--db NAME` on a real command, `up` over
every registered database, and an adapter of one database refused on the other; run as
a person runs them, on two real embedded databases: the demo ERP and a small clinic."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from schemachat.agent.adapters.schema import SchemaFingerprint, write_schema_fingerprint
from schemachat.ingest.models.technical import TechnicalSchema
from schemachat.ingest.schema_fingerprint import workspace_shape
from schemachat.ingest.workspace import Workspace, read_model
from tests.support.adapters import LLAMA, peft_folder
from tests.support.cli import assert_bad_input, run
from tests.support.clinic_database import CLINIC_TABLES, build_clinic

NO_MODEL = {"SCHEMACHAT_MODEL_BACKEND": "none"}


@pytest.fixture(scope="module")
def clinic_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The clinic database, built once for the module (read-only use)."""
    return build_clinic(tmp_path_factory.mktemp("clinic") / "clinic.fdb")


def _listed(cwd: Path) -> list[dict]:
    result = run("databases", "list", "--json", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_add_list_remove(demo_db: Path, clinic_db: Path, tmp_path: Path) -> None:
    assert run("databases", "list", cwd=tmp_path).stderr.startswith("no databases registered")
    added = run("databases", "add", "erp", "--database", str(demo_db), cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "workspace workspaces/erp (default)" in added.stderr
    (tmp_path / "clinic_ws").mkdir()
    added = run("databases", "add", "clinic", "-d", str(clinic_db), "-w", "clinic_ws",
                cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert [(d["name"], d["default"], d["workspace"], d["state"], d["built"])
            for d in _listed(tmp_path)] == [
        ("erp", True, "workspaces/erp", "missing", False),
        ("clinic", False, "clinic_ws", "empty", False)]
    table = run("databases", "list", cwd=tmp_path, env={"COLUMNS": "250"}).stdout
    assert "erp *" in table and "clinic" in table and str(clinic_db) in table

    registry = tmp_path / "databases.json"
    assert_bad_input(run("databases", "add", "erp", "-d", str(clinic_db), cwd=tmp_path),
                     "a database named 'erp' is already registered in", str(registry.name))
    assert_bad_input(run("databases", "add", "other", "-d", str(tmp_path / "nope.fdb"),
                         cwd=tmp_path), "database file", "nope.fdb", "not found")
    assert_bad_input(run("databases", "add", "Big Name", "-d", str(clinic_db), cwd=tmp_path),
                     "database name 'Big Name'")
    assert_bad_input(run("databases", "add", "copy", "-d", str(clinic_db), "-w", "clinic_ws",
                         cwd=tmp_path), "workspace clinic_ws already belongs to database "
                                        "'clinic'")
    # A server is not looked for; --default moves the default.
    server = run("databases", "add", "old", "-d", "erp-host/3051:/srv/old.fdb", "--default",
                 cwd=tmp_path)
    assert server.returncode == 0, server.stderr
    assert [d["name"] for d in _listed(tmp_path)] == ["old", "clinic", "erp"]

    removed = run("databases", "remove", "clinic", cwd=tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert "workspace clinic_ws stays on disk" in removed.stderr
    assert (tmp_path / "clinic_ws").is_dir()
    assert_bad_input(run("databases", "remove", "clinic", cwd=tmp_path),
                     "no database named 'clinic'; registered: old, erp")
    assert [d["name"] for d in _listed(tmp_path)] == ["old", "erp"]

    registry.write_text('{"databases": [{"name": "x"}]}', encoding="utf-8")
    assert_bad_input(run("databases", "list", cwd=tmp_path), "databases.json",
                     "field 'databases.0.database'")


def test_db_works_in_that_databases_workspace_only(demo_db: Path, demo_workspace: Path,
                                                   clinic_db: Path, tmp_path: Path) -> None:
    for name, db in (("erp", demo_db), ("clinic", clinic_db)):
        assert run("databases", "add", name, "-d", str(db), cwd=tmp_path).returncode == 0
    erp, clinic = tmp_path / "workspaces" / "erp", tmp_path / "workspaces" / "clinic"
    extracted = run("extract", "--db", "clinic", cwd=tmp_path)
    assert extracted.returncode == 0, extracted.stderr
    schema = read_model(Workspace(clinic).technical, TechnicalSchema)
    assert sorted(t.name for t in schema.tables) == sorted(CLINIC_TABLES)
    assert not erp.exists(), "the other database's workspace is never touched"
    from_env = run("summary", cwd=tmp_path, env={"SCHEMACHAT_DB": "clinic"})
    assert_bad_input(from_env, "workspaces/clinic/combined_schema_details.json not found")
    assert_bad_input(run("extract", "--db", "nope", cwd=tmp_path),
                     "no database named 'nope'; registered: erp, clinic")
    assert_bad_input(run("extract", "--db", "clinic", "-w", str(tmp_path / "x"), cwd=tmp_path),
                     "give --db NAME or --workspace/--database, not both")

    # An adapter trained on the demo is refused for the clinic, naming both.
    shutil.copytree(demo_workspace, erp)
    demo = workspace_shape(erp)
    assert demo is not None
    adapter = peft_folder(tmp_path / "schema-erp", LLAMA)
    write_schema_fingerprint(adapter, SchemaFingerprint.of(demo, "erp"))
    env = {"SCHEMACHAT_MODEL_BACKEND": "local", "SCHEMACHAT_MODEL_ID": LLAMA}
    refused = run("adapters", "add", "schema-erp", str(adapter), "--db", "clinic", env=env,
                  cwd=tmp_path)
    clinic_fp = workspace_shape(clinic).fingerprint[:12]  # type: ignore[union-attr]
    assert_bad_input(refused, "adapter 'schema-erp' was trained on database 'erp' (demo.fdb, "
                              f"schema {demo.short})", "'clinic' (clinic.fdb, schema "
                              f"{clinic_fp})")
    added = run("adapters", "add", "schema-erp", str(adapter), "--db", "erp", env=env,
                cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    listed = run("adapters", "list", "--json", "--db", "erp", env=env, cwd=tmp_path)
    [entry] = json.loads(listed.stdout)
    assert entry["schema_matches"] is True and entry["trained_on"]["db"] == "erp"
    assert "this database" in run("adapters", "list", "--db", "erp", cwd=tmp_path,
                                  env={**env, "COLUMNS": "250"}).stdout


def test_up_refreshes_every_registered_database(agent_workspace: Path, demo_db: Path,
                                                clinic_db: Path, tmp_path: Path) -> None:
    erp = tmp_path / "workspaces" / "erp"
    shutil.copytree(agent_workspace, erp)  # indexed already: only the clinic is built
    for name, db in (("erp", demo_db), ("clinic", clinic_db)):
        assert run("databases", "add", name, "-d", str(db), cwd=tmp_path).returncode == 0
    both = run("up", "--no-serve", cwd=tmp_path, env=NO_MODEL)
    assert both.returncode == 0, both.stderr
    lines = both.stderr.splitlines()
    for line in ("erp: extract: schema unchanged", "erp: workspace files are up to date",
                 "clinic: extract: schema changed", "clinic: counts: done",
                 "clinic: merge: done"):
        assert line in lines, both.stderr
    assert any(line.startswith("erp: index: ") for line in lines), both.stderr
    assert any(line.startswith("clinic: index: new index") for line in lines), both.stderr
    assert lines.index("erp: extract: schema unchanged") < lines.index(
        "clinic: extract: schema changed"), "the default first"
    assert lines[-1].startswith("model: none"), "the model once, after every database"
    assert [d["state"] for d in _listed(tmp_path)] == ["indexed", "indexed"]


def test_up_with_db_refreshes_that_database_only(demo_db: Path, clinic_db: Path,
                                                 tmp_path: Path) -> None:
    for name, db in (("erp", demo_db), ("clinic", clinic_db)):
        assert run("databases", "add", name, "-d", str(db), cwd=tmp_path).returncode == 0
    one = run("up", "--no-serve", "--db", "clinic", cwd=tmp_path, env=NO_MODEL)
    assert one.returncode == 0, one.stderr
    assert "clinic: merge: done" in one.stderr and "erp:" not in one.stderr
    assert not (tmp_path / "workspaces" / "erp").exists()
    assert [d["state"] for d in _listed(tmp_path)] == ["missing", "indexed"]
    assert_bad_input(run("up", "--no-serve", "-w", str(tmp_path / "elsewhere"), cwd=tmp_path,
                         env=NO_MODEL),
                     "databases.json registers erp, clinic", "--db NAME", "--workspace")


def test_serve_refuses_a_workspace_beside_a_registry_like_up(demo_db: Path, clinic_db: Path,
                                                             tmp_path: Path) -> None:
    """`serve ui|api|slack` serve every registered database, so --workspace/--database on
    the command line would be ignored: refused, one line, exit 2, as `up` does."""
    for name, db in (("erp", demo_db), ("clinic", clinic_db)):
        assert run("databases", "add", name, "-d", str(db), cwd=tmp_path).returncode == 0
    elsewhere = str(tmp_path / "elsewhere")
    for what in ("api", "slack", "ui"):
        assert_bad_input(run("serve", what, "-w", elsewhere, cwd=tmp_path),
                         "databases.json registers erp, clinic", f"`serve {what}` serves "
                         "those (--db NAME for the default), not --workspace")
    assert_bad_input(run("serve", "api", "--database", str(demo_db), cwd=tmp_path),
                     "databases.json registers erp, clinic", "not --database")
    # Without the flags it goes on to serve the registry: here it stops at the default
    # database's missing schema, which says it was not refused for the flags.
    registry = run("serve", "api", cwd=tmp_path, env={"SCHEMACHAT_API_TOKENS": "t" * 32})
    assert_bad_input(registry, "no schema in workspaces/erp")
    # Nothing registered: --workspace is the workspace served, as before.
    (tmp_path / "databases.json").unlink()
    assert_bad_input(run("serve", "api", "-w", elsewhere, cwd=tmp_path,
                         env={"SCHEMACHAT_API_TOKENS": "t" * 32}),
                     f"no schema in {elsewhere}")
