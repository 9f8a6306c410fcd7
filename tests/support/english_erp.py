"""The English-named ERP of the retrieval evaluation (tests/data/retrieval_english_erp.sql),
built into a real embedded Firebird database and run through the same pipeline as the
demo: extract, counts, samples (with the value index), merge. No annotations: it is the
"database nobody documented" case.

    db = build_english_erp(tmp / "acme.fdb")
    root = english_erp_workspace(db, tmp / "ws")   # a merged workspace
"""

from __future__ import annotations

from pathlib import Path

from schemachat.configs import load_settings
from schemachat.ingest import pipeline
from schemachat.ingest.demo.build import recompute_statistics, run_script
from schemachat.ingest.firebird import create_database
from tests.support.paths import DATA_DIR

SCRIPT = DATA_DIR / "retrieval_english_erp.sql"


def build_english_erp(path: Path) -> Path:
    """Create the database at `path` from the script (tables, views, rows) and compute
    index statistics, so estimated row counts are real."""
    con = create_database(path)
    try:
        run_script(con, SCRIPT.read_text(encoding="utf-8"))
        recompute_statistics(con)
    finally:
        con.close()
    return path


def english_erp_workspace(db: Path, root: Path) -> Path:
    """A workspace for `db` with the technical schema, estimated counts, samples, the
    value index and the combined document (no annotations)."""
    settings = load_settings(workspace=root, fb_database=str(db))
    pipeline.run_extract(settings)
    pipeline.run_counts(settings)
    pipeline.run_samples(settings)
    pipeline.run_merge(settings)
    return root
