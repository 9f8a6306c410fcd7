"""The databases the Gradio app serves (ui/app/databases.py), without a browser: the
default first (or --db's), each opened only when first asked for and then kept, and
what a page asking for `?db=NAME` shows when the name is unknown or its workspace
cannot be opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemachat.configs import BadInput, load_settings
from schemachat.configs.databases import add_database
from schemachat.ingest.workspace import Workspace
from schemachat.ui.app.databases import ServedDatabases
from tests.support.small_schema import small_workspace


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    """erp (the default) and clinic with a schema each; broken with no schema at all."""
    path = tmp_path / "databases.json"
    for name in ("erp", "clinic"):
        small_workspace(tmp_path / name)
        add_database(path, name, str(tmp_path / f"{name}.fdb"), tmp_path / name)
    add_database(path, "broken", str(tmp_path / "broken.fdb"), tmp_path / "broken")
    return path


def test_each_database_is_opened_once_when_first_asked(registry: Path) -> None:
    served = ServedDatabases(load_settings(databases_file=registry))
    assert served.names == ["erp", "broken", "clinic"] and served.default == "erp"
    assert not Workspace(registry.parent / "clinic").combined.exists()  # not opened yet
    clinic = served.database("clinic")
    assert clinic.ctx.workspace.root == registry.parent / "clinic"
    assert clinic.ctx.doc().database.name == "small.fdb"  # merged when opened
    assert served.database("clinic") is clinic
    assert served.context(None) is served.context("erp")  # None: the default
    with pytest.raises(BadInput, match="no database named 'nope'; served: erp, broken"):
        served.database("nope")


def test_db_setting_comes_first(registry: Path) -> None:
    served = ServedDatabases(load_settings(databases_file=registry, db="clinic"))
    assert served.names[0] == served.default == "clinic"
    assert served.settings.workspace == registry.parent / "clinic"


def test_a_page_asking_for_a_database_it_cannot_have_gets_the_default(registry: Path
                                                                      ) -> None:
    served = ServedDatabases(load_settings(databases_file=registry))
    assert served.resolve("clinic") == ("clinic", "")
    assert served.resolve(None) == served.resolve("default") == ("erp", "")
    name, note = served.resolve("nosuch")
    assert name == "erp" and "No database named `nosuch`" in note and "showing `erp`" in note
    name, note = served.resolve("broken")
    assert name == "erp" and "`broken` cannot be opened" in note and "no schema" in note
    # Nothing registered: the settings' own workspace, called default.
    alone = ServedDatabases(load_settings(workspace=registry.parent / "erp",
                                          databases_file=registry.parent / "none.json"))
    assert alone.names == ["default"] and alone.resolve("erp")[0] == "default"
