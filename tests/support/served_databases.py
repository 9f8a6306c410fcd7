"""Two real embedded databases registered in one install, for the HTTP API and Slack
tests of several databases: the demo ERP (a copy of the indexed demo workspace) and the
small clinic of tests/support/clinic_database.py, extracted, merged and indexed here.

`two_databases` (session scoped, registered by `pytest_plugins` in tests/conftest.py)
builds them once. The tests may write feedback, sessions and annotations into the two
workspaces, never their schema.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from schemachat.agent.retrieval.embeddings import SentenceEmbeddings
from schemachat.agent.retrieval.index import build_index
from schemachat.configs import load_settings
from schemachat.configs.databases import add_database
from schemachat.ingest import pipeline
from tests.support.clinic_database import build_clinic


@dataclass(frozen=True)
class TwoDatabases:
    """The databases file registering `erp` (the default) and `clinic`, and their
    workspaces."""

    registry: Path
    erp: Path
    clinic: Path


def clinic_workspace(base: Path) -> tuple[Path, Path]:
    """(database, workspace) of a new clinic under `base`: extracted, counted, sampled
    (with its value index) and merged."""
    db = build_clinic(base / "clinic.fdb")
    ws = base / "clinic_ws"
    settings = load_settings(workspace=ws, fb_database=str(db))
    pipeline.run_extract(settings)
    pipeline.run_counts(settings)
    pipeline.run_samples(settings)
    pipeline.run_merge(settings)
    return db, ws


@pytest.fixture(scope="session")
def two_databases(demo_db: Path, agent_workspace: Path, embeddings: SentenceEmbeddings,
                  tmp_path_factory: pytest.TempPathFactory) -> TwoDatabases:
    """The ERP and the clinic, each with its retrieval index, registered in one file."""
    base = tmp_path_factory.mktemp("two_databases")
    erp_ws = base / "erp_ws"
    shutil.copytree(agent_workspace, erp_ws)  # the demo's, indexed once per session
    clinic_db, clinic_ws = clinic_workspace(base)
    build_index(load_settings(workspace=clinic_ws), embeddings=embeddings)
    registry = base / "databases.json"
    add_database(registry, "erp", str(demo_db), erp_ws)
    add_database(registry, "clinic", str(clinic_db), clinic_ws)
    return TwoDatabases(registry, erp_ws, clinic_ws)
