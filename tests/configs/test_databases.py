"""The registry of databases: add, remove, resolve --db, and what is served."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemachat.configs import BadInput, load_settings
from schemachat.configs.databases import (
    add_database,
    read_registry,
    remove_database,
    served,
    settings_for,
)


@pytest.fixture
def reg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCHEMACHAT_DB", raising=False)
    return tmp_path / "databases.json"


def test_nothing_registered_serves_the_settings_own_database(reg: Path) -> None:
    settings = load_settings(workspace=Path("mine"))
    assert served(settings) == {"default": settings}
    assert settings_for(settings, "default") is settings
    with pytest.raises(BadInput, match="no database named 'erp'; registered: none"):
        settings_for(settings, "erp")


def test_db_points_settings_at_the_registered_workspace(reg: Path) -> None:
    add_database(reg, "erp", "/srv/erp.fdb", Path("ws/erp"))
    add_database(reg, "old", "host/3051:/srv/old.fdb", Path("ws/old"))
    settings = load_settings(db="old")
    assert (settings.workspace, settings.fb_database, settings.db) == (
        Path("ws/old"), "host/3051:/srv/old.fdb", "old")
    assert list(served(load_settings())) == ["erp", "old"]  # the first added is the default
    assert load_settings(db="default").workspace == Path("ws/erp")
    with pytest.raises(BadInput, match="not both"):
        load_settings(db="old", workspace=Path("elsewhere"))


def test_env_chooses_the_database(reg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_database(reg, "erp", "/srv/erp.fdb", Path("ws/erp"))
    monkeypatch.setenv("SCHEMACHAT_DB", "erp")
    assert load_settings().workspace == Path("ws/erp")


def test_names_and_workspaces_are_never_shared(reg: Path) -> None:
    add_database(reg, "erp", "/srv/erp.fdb", Path("ws/erp"))
    with pytest.raises(BadInput, match="already registered"):
        add_database(reg, "erp", "/srv/other.fdb", Path("ws/other"))
    with pytest.raises(BadInput, match="already belongs to database 'erp'"):
        add_database(reg, "copy", "/srv/copy.fdb", Path("ws/./erp"))
    with pytest.raises(BadInput, match="database name 'Bad Name'"):
        add_database(reg, "Bad Name", "/srv/x.fdb", Path("ws/x"))


def test_remove_keeps_the_workspace_and_moves_the_default(reg: Path) -> None:
    add_database(reg, "erp", "/srv/erp.fdb", Path("ws/erp"))
    add_database(reg, "old", "/srv/old.fdb", Path("ws/old"), default=True)
    assert read_registry(reg).names() == ["old", "erp"]
    Path("ws/old").mkdir(parents=True)
    remove_database(reg, "old")
    assert Path("ws/old").is_dir()
    assert read_registry(reg).default == "erp"
    with pytest.raises(BadInput, match="no database named 'old'"):
        remove_database(reg, "old")


def test_a_broken_registry_names_the_file_and_field(reg: Path) -> None:
    reg.write_text(json.dumps({"databases": [{"name": "erp"}]}), encoding="utf-8")
    with pytest.raises(BadInput, match=r"databases.json: field 'databases.0.database'"):
        read_registry(reg)
    reg.write_text("{", encoding="utf-8")
    with pytest.raises(BadInput, match="not JSON"):
        read_registry(reg)
