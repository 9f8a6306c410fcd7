"""The benchmark's synthetic schema generator builds what it says, deterministically.

Checked against the engine's own catalogue (RDB$ tables), not against
ingest/extract.py, so a bug there cannot hide a bug here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# bench/ is run from the repository root, not installed: importable here because the
# repository root is on sys.path (tests/ is a package; see tests/__init__.py).
from bench.synthetic import (
    build_synthetic,
    cached_synthetic,
    plan_schema,
    read_stamp,
    read_summary,
)

TABLES, COLUMNS, ROWS = 12, 6, 3

CATALOGUE_QUERIES = {
    "tables": "SELECT COUNT(*) FROM RDB$RELATIONS WHERE COALESCE(RDB$SYSTEM_FLAG, 0) = 0 "
              "AND RDB$VIEW_BLR IS NULL",
    "views": "SELECT COUNT(*) FROM RDB$RELATIONS WHERE COALESCE(RDB$SYSTEM_FLAG, 0) = 0 "
             "AND RDB$VIEW_BLR IS NOT NULL",
    "columns": "SELECT COUNT(*) FROM RDB$RELATION_FIELDS f JOIN RDB$RELATIONS r "
               "ON r.RDB$RELATION_NAME = f.RDB$RELATION_NAME "
               "WHERE COALESCE(r.RDB$SYSTEM_FLAG, 0) = 0 AND r.RDB$VIEW_BLR IS NULL",
    "foreign_keys": "SELECT COUNT(*) FROM RDB$RELATION_CONSTRAINTS "
                    "WHERE RDB$CONSTRAINT_TYPE = 'FOREIGN KEY'",
    "primary_keys": "SELECT COUNT(*) FROM RDB$RELATION_CONSTRAINTS "
                    "WHERE RDB$CONSTRAINT_TYPE = 'PRIMARY KEY'",
    "composite_foreign_keys": "SELECT COUNT(*) FROM RDB$RELATION_CONSTRAINTS c "
                              "WHERE c.RDB$CONSTRAINT_TYPE = 'FOREIGN KEY' AND "
                              "(SELECT COUNT(*) FROM RDB$INDEX_SEGMENTS s "
                              "WHERE s.RDB$INDEX_NAME = c.RDB$INDEX_NAME) > 1",
    "table_descriptions": "SELECT COUNT(*) FROM RDB$RELATIONS WHERE "
                          "COALESCE(RDB$SYSTEM_FLAG, 0) = 0 AND RDB$VIEW_BLR IS NULL "
                          "AND RDB$DESCRIPTION IS NOT NULL",
    "column_descriptions": "SELECT COUNT(*) FROM RDB$RELATION_FIELDS f JOIN RDB$RELATIONS r "
                           "ON r.RDB$RELATION_NAME = f.RDB$RELATION_NAME "
                           "WHERE COALESCE(r.RDB$SYSTEM_FLAG, 0) = 0 "
                           "AND f.RDB$DESCRIPTION IS NOT NULL",
}


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synthetic") / "synthetic.fdb"
    return build_synthetic(path, TABLES, COLUMNS, rows=ROWS)


def _connect(path: Path):
    from firebird.driver import connect

    from schemachat.ingest.firebird import ensure_client

    ensure_client()
    return connect(str(path), user="SYSDBA")


def _catalogue(path: Path) -> dict[str, int]:
    with _connect(path) as con:
        cur = con.cursor()
        out = {}
        for name, sql in CATALOGUE_QUERIES.items():
            cur.execute(sql)
            out[name] = cur.fetchone()[0]
        return out


def test_catalogue_matches_the_plan(synthetic_db: Path) -> None:
    summary = read_summary(synthetic_db)
    found = _catalogue(synthetic_db)
    assert found["tables"] == TABLES == summary.tables
    assert found["primary_keys"] == TABLES
    assert found["columns"] == TABLES * COLUMNS == summary.columns
    assert found["views"] == summary.views >= 2
    assert found["foreign_keys"] == summary.foreign_keys >= TABLES - 3
    assert found["composite_foreign_keys"] == summary.composite_foreign_keys >= 1
    assert found["table_descriptions"] == summary.table_descriptions
    assert found["column_descriptions"] == summary.column_descriptions > 0


def test_rows_are_inserted_and_fks_hold(synthetic_db: Path) -> None:
    with _connect(synthetic_db) as con:
        cur = con.cursor()
        for spec in plan_schema(TABLES, COLUMNS):
            cur.execute(f"SELECT COUNT(*) FROM {spec.name}")
            assert cur.fetchone()[0] == ROWS, spec.name


def test_plan_is_deterministic_and_fks_point_backwards() -> None:
    first, again = plan_schema(40, 10, seed=3), plan_schema(40, 10, seed=3)
    assert first == again
    assert first != plan_schema(40, 10, seed=4)
    position = {s.name: i for i, s in enumerate(first)}
    for i, spec in enumerate(first):
        assert len(spec.columns) == 10
        assert len({c.name for c in spec.columns}) == 10
        assert len(spec.fks) <= 3
        for _, cols, parent, pcols in spec.fks:
            assert position[parent] < i
            assert len(cols) == len(pcols)


def test_cache_reuses_a_matching_build(tmp_path: Path) -> None:
    path = cached_synthetic(5, 4, out_dir=tmp_path)
    built_at = path.stat().st_mtime_ns
    assert cached_synthetic(5, 4, out_dir=tmp_path) == path
    assert path.stat().st_mtime_ns == built_at
    assert read_stamp(path)["params"]["tables"] == 5
    other = cached_synthetic(5, 4, seed=8, out_dir=tmp_path)
    assert other != path and other.exists()
