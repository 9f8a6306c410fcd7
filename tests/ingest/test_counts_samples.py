"""Row counts (estimate vs exact) and samples on the real demo database."""

from __future__ import annotations

import pytest

from schemachat.configs import load_settings
from schemachat.ingest.counts import estimate_counts, exact_counts
from schemachat.ingest.extract import extract_schema
from schemachat.ingest.firebird import connect, read_only
from schemachat.ingest.samples import collect_samples, is_code_column, to_scalar


@pytest.fixture(scope="module")
def demo(demo_db):
    con = connect(load_settings(fb_database=str(demo_db)))
    yield con, extract_schema(con, database_name="demo.fdb")
    con.close()


def test_estimate_is_within_factor_two_or_unknown(demo) -> None:
    con, schema = demo
    tables = [t.name for t in schema.tables]
    est = estimate_counts(con, tables)
    exact = exact_counts(con, tables, timeout_s=60)
    assert set(est.tables) == set(exact.tables) == set(tables)
    big = 0
    for name in tables:
        e, x = est.tables[name], exact.tables[name]
        assert x.method == "exact" and x.rows is not None, f"{name}: {x.error}"
        if e.method == "unknown":
            assert e.rows is None and e.basis
            continue
        assert e.method == "estimate" and e.basis and "index" in e.basis
        if x.rows >= 1000:
            big += 1
            assert x.rows / 2 <= e.rows <= x.rows * 2, f"{name}: estimate {e.rows}, exact {x.rows}"
    assert big >= 5, "the demo has several tables of 1,000+ rows"
    assert max(c.rows or 0 for c in exact.tables.values()) >= 200_000


def test_exact_count_reports_progress_and_timeout(demo) -> None:
    con, schema = demo
    seen: list[str] = []
    rows = exact_counts(con, [t.name for t in schema.tables], timeout_s=30, progress=seen.append)
    assert seen == sorted(rows.tables)
    # A timeout of 1 ms cannot count a 200,000-row table: it is recorded, not raised.
    largest = max(rows.tables, key=lambda n: rows.tables[n].rows or 0)
    timed = exact_counts(con, [largest], timeout_s=0.001)
    assert timed.tables[largest].method == "unknown"
    assert "timed out" in (timed.tables[largest].error or "")


def test_samples_rows_and_code_distributions(demo) -> None:
    con, schema = demo
    samples = collect_samples(con, schema, rows=3, distinct_max=20, timeout_ms=30_000)
    assert set(samples.tables) == {r.name for r in schema.relations()}
    with_rows = [t for t in samples.tables.values() if t.rows]
    assert with_rows and all(len(t.rows) <= 3 for t in samples.tables.values())
    assert all(t.error is None for t in samples.tables.values()), [
        (n, t.error) for n, t in samples.tables.items() if t.error]
    histograms = {(n, c): d for n, t in samples.tables.items() for c, d in t.distributions.items()}
    assert len(histograms) >= 10, "the demo is full of status codes"
    for (table, column), dist in histograms.items():
        col = schema.relation(table).column(column)
        assert col is not None and is_code_column(col)
        assert 1 <= len(dist) <= 20
        assert [v.count for v in dist] == sorted((v.count for v in dist), reverse=True)
    # Nothing was written while sampling.
    with read_only(con) as tra:
        cur = tra.cursor()
        cur.execute("select count(*) from rdb$relations where rdb$system_flag = 0")
        assert cur.fetchone()[0] == len(schema.relations())


def test_situacao_histogram_is_there(demo) -> None:
    con, schema = demo
    samples = collect_samples(con, schema, rows=0, distinct_max=20, timeout_ms=30_000)
    situacao = [d for t in samples.tables.values() for c, d in t.distributions.items()
                if c == "SITUACAO"]
    assert situacao, "SITUACAO CHAR(1) columns get value distributions"
    assert all(isinstance(v.value, str) and len(v.value) <= 1 for d in situacao for v in d
               if v.value is not None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("A   ", "A"), ("x" * 300, "x" * 200 + "…"), (b"\x00\x01", "<binary, 2 bytes>"),
     (None, None), (7, 7), (True, True)],
)
def test_to_scalar(value: object, expected: object) -> None:
    assert to_scalar(value) == expected

