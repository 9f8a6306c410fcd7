"""Shared fixtures: settings pointing at temporary workspaces, and the demo database
built once per test session with the real embedded Firebird engine.

The helper modules that define more shared fixtures are registered here, once, for every
test (`pytest_plugins`); a test requests such a fixture by name and imports nothing for it.
Their plain helpers are imported from `tests.support.<module>`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from schemachat.configs import Settings, load_settings

pytest_plugins = [
    "tests.support.retrieval_fixtures",  # embeddings (session)
    "tests.support.agent_fixtures",  # agent_workspace, agent_index (session); make_agent
    "tests.support.browser",  # browser (one per test module)
    "tests.support.fbserver",  # firebird_server (session), restartable_server
    "tests.support.pgserver",  # postgres_url (session)
    "tests.support.served_databases",  # two_databases: the ERP and a clinic (session)
]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's SCHEMACHAT_* env and .env out of the tests."""
    import os

    for key in list(os.environ):
        if key.startswith("SCHEMACHAT_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings with a temporary workspace; keyword overrides go on top."""

    def make(**overrides: object) -> Settings:
        overrides.setdefault("workspace", tmp_path / "ws")
        return load_settings(**overrides)

    return make


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Portuguese demo ERP, built once per session (read-only use only!)."""
    from schemachat.ingest.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.fdb"
    build_demo(path)
    return path


@pytest.fixture(scope="session")
def demo_workspace(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace for the demo DB with the demo team's annotations, fully merged:
    technical schema, estimate counts, samples, combined document. Treat as read-only;
    copy it (shutil.copytree) before changing anything."""
    from schemachat.ingest import pipeline
    from schemachat.ingest.demo import demo_annotations
    from schemachat.ingest.workspace import Workspace, write_model

    root = tmp_path_factory.mktemp("demo_ws")
    settings = load_settings(workspace=root, fb_database=str(demo_db))
    write_model(Workspace(root).annotations, demo_annotations())
    pipeline.run_extract(settings)
    pipeline.run_counts(settings)
    pipeline.run_samples(settings)
    pipeline.run_merge(settings)
    return root
