"""Schema extraction: schemachat's fixed set of RDB$ queries against SQLAlchemy reflection.

On the synthetic 1,000 tables × 20 columns database (`bench/synthetic.py`) it times

- `schemachat.ingest.extract.extract_schema` (the whole technical schema: tables,
  views, columns, keys, indices, triggers, procedures, descriptions);
- the SQLAlchemy inspector through `sqlalchemy-firebird`, table by table:
  `get_table_names()`, then `get_columns`, `get_pk_constraint`, `get_foreign_keys`,
  `get_indexes` for each table (the baseline);
- what LangChain's `SQLDatabase(engine)` does when it starts:
  `inspector.get_table_names()` then `MetaData().reflect(bind=engine, only=tables)`.

All three run in one process on an already open connection/engine, after a warm-up.
Each reports how many tables, columns and foreign keys it found; the counts are
checked against each other and against what the generator made.

Run: `.venv/bin/python -m bench extract` (from the repository root).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from bench.report import Report
from bench.synthetic import SyntheticSummary, cached_synthetic, read_stamp, read_summary

TABLES, COLUMNS = 1000, 20
OURS_RUNS = 5
# SQLAlchemy takes tens of seconds per pass here: repeat it only while the measured
# runs stay within this budget (at least one run, at most SA_MAX_RUNS).
SA_BUDGET_S = 90.0
SA_MAX_RUNS = 3
GOAL_SECONDS, GOAL_SPEEDUP = 2.0, 20.0

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class Found:
    """What one method found: counts plus the FK set, for comparing methods."""

    tables: int
    columns: int
    foreign_keys: int
    fk_set: frozenset[tuple[str, tuple[str, ...], str, tuple[str, ...]]]


@dataclass(frozen=True)
class Timing:
    """Seconds of each measured run and what the last run found."""

    method: str
    runs: list[float]
    found: Found

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def best(self) -> float:
        return min(self.runs)


def _fk_key(table: str, cols: list[str], ref: str, ref_cols: list[str]
            ) -> tuple[str, tuple[str, ...], str, tuple[str, ...]]:
    # SQLAlchemy folds Firebird's upper-case names to lower case; compare case-blind.
    return (table.lower(), tuple(c.lower() for c in cols), ref.lower(),
            tuple(c.lower() for c in ref_cols))


def ours(path: Path) -> tuple[Callable[[], Found], Callable[[], None]]:
    """A function running schemachat's extraction once, and one closing its connection."""
    from firebird.driver import connect

    from schemachat.ingest.extract import extract_schema
    from schemachat.ingest.firebird import ensure_client

    ensure_client()
    con = connect(str(path), user="SYSDBA")

    def once() -> Found:
        schema = extract_schema(con, database_name=path.name)
        return Found(
            tables=len(schema.tables),
            columns=sum(len(t.columns) for t in schema.tables),
            foreign_keys=sum(len(t.foreign_keys) for t in schema.tables),
            fk_set=frozenset(_fk_key(t.name, fk.columns, fk.ref_table, fk.ref_columns)
                             for t in schema.tables for fk in t.foreign_keys),
        )

    return once, con.close


def sqlalchemy_engine(path: Path) -> Engine:
    """An SQLAlchemy engine on the embedded database file at `path` (sqlalchemy-firebird).

    The URL has no host, so firebird-driver opens the file with the embedded engine
    that `ensure_client` pointed it at: `firebird+firebird://SYSDBA@//abs/path.fdb`.
    """
    from sqlalchemy import URL, create_engine

    from schemachat.ingest.firebird import ensure_client

    ensure_client()
    return create_engine(URL.create("firebird+firebird", username="SYSDBA",
                                    database=str(path.resolve())))


def inspector_pass(engine: Engine, limit: int | None = None) -> Found:
    """Reflect every table through a fresh SQLAlchemy inspector, one table at a time."""
    from sqlalchemy import inspect

    insp = inspect(engine)  # a fresh inspector: its per-instance cache starts empty
    names = insp.get_table_names()[:limit]
    columns, fks = 0, set()
    for name in names:
        columns += len(insp.get_columns(name))
        insp.get_pk_constraint(name)
        for fk in insp.get_foreign_keys(name):
            fks.add(_fk_key(name, fk["constrained_columns"], fk["referred_table"],
                            fk["referred_columns"]))
        insp.get_indexes(name)
    return Found(len(names), columns, len(fks), frozenset(fks))


def langchain_pass(engine: Engine) -> Found:
    """What `langchain_community.utilities.SQLDatabase(engine)` does on start-up.

    SQLDatabase lists tables with an inspector (views off by default), then calls
    `MetaData().reflect(views=False, bind=engine, only=tables)`.
    """
    from sqlalchemy import MetaData, inspect

    names = inspect(engine).get_table_names()
    meta = MetaData()
    meta.reflect(views=False, bind=engine, only=list(names))
    fks = {
        _fk_key(t.name, [c.parent.name for c in fk.elements], fk.referred_table.name,
                [c.column.name for c in fk.elements])
        for t in meta.tables.values() for fk in t.foreign_key_constraints
    }
    return Found(len(meta.tables), sum(len(t.columns) for t in meta.tables.values()),
                 len(fks), frozenset(fks))


def _repeat(method: str, fn: Callable[[], Found], *, runs: int, budget: float | None,
            console: Console) -> Timing:
    times: list[float] = []
    found = None
    while len(times) < runs:
        started = time.perf_counter()
        found = fn()
        times.append(time.perf_counter() - started)
        console.print(f"  {method}: run {len(times)} {times[-1]:.2f} s")
        if budget is not None and sum(times) + times[-1] > budget:
            break
    assert found is not None
    return Timing(method, times, found)


def run(console: Console, *, quick: bool = False) -> Report:
    """Build (or reuse) the synthetic database, time the three methods, return the report."""
    started = time.perf_counter()
    path = cached_synthetic(TABLES, COLUMNS)
    stamp = read_stamp(path) or {}
    truth = read_summary(path)
    console.print(f"synthetic database {path.name} ready in {time.perf_counter() - started:.1f}"
                  f" s (built in {stamp.get('build_seconds', '?')} s when first made)")

    once, close = ours(path)
    try:
        console.print("schemachat extract_schema: warm-up")
        once()
        ours_t = _repeat("schemachat extract_schema", once, runs=2 if quick else OURS_RUNS,
                         budget=None, console=console)
    finally:
        close()

    engine = sqlalchemy_engine(path)
    try:
        console.print("SQLAlchemy: warm-up (inspector over the first 50 tables)")
        inspector_pass(engine, limit=50)
        sa_runs = 1 if quick else SA_MAX_RUNS
        insp_t = _repeat("SQLAlchemy inspector (per table)", lambda: inspector_pass(engine),
                         runs=sa_runs, budget=SA_BUDGET_S, console=console)
        lc_t = _repeat("LangChain SQLDatabase path", lambda: langchain_pass(engine),
                       runs=sa_runs, budget=SA_BUDGET_S, console=console)
    finally:
        engine.dispose()

    return _report(ours_t, insp_t, lc_t, truth)


def speed_vs(baseline: float, seconds: float) -> str:
    """'12.3× faster', '2.0× slower' or 'same (0.98×)' for `seconds` against `baseline`."""
    ratio = baseline / seconds
    if ratio >= 1.05:
        return f"{ratio:.1f}× faster"
    if ratio <= 1 / 1.05:
        return f"{1 / ratio:.1f}× slower"
    return f"same ({ratio:.2f}×)"


def _report(ours_t: Timing, insp_t: Timing, lc_t: Timing, truth: SyntheticSummary) -> Report:
    baseline = insp_t.median
    rows = []
    for t in (ours_t, insp_t, lc_t):
        rows.append([t.method, f"{t.median:.2f}", f"{t.best:.2f}", str(len(t.runs)),
                     f"{t.found.tables:,}", f"{t.found.columns:,}",
                     f"{t.found.foreign_keys:,}",
                     "baseline" if t is insp_t else speed_vs(baseline, t.median)])

    same = (ours_t.found == insp_t.found == lc_t.found)
    matches_truth = (ours_t.found.tables, ours_t.found.columns, ours_t.found.foreign_keys) == (
        truth.tables, truth.columns, truth.foreign_keys)
    speedup = baseline / ours_t.median
    speedup_lc = lc_t.median / ours_t.median
    notes = [
        "Same tables, columns and foreign keys (the FK sets compared column by column) "
        f"found by all three: {'yes' if same else 'NO'}; "
        f"schemachat matches what the generator made ({truth.tables:,} tables, "
        f"{truth.columns:,} columns, {truth.foreign_keys:,} FKs of which "
        f"{truth.composite_foreign_keys} composite): {'yes' if matches_truth else 'NO'}.",
        f"Goal (issue): schemachat ≤ {GOAL_SECONDS:g} s — "
        f"{'met' if ours_t.median <= GOAL_SECONDS else 'not met'} ({ours_t.median:.2f} s); "
        f"≥ {GOAL_SPEEDUP:g}× faster than SQLAlchemy — "
        f"{'met' if speedup >= GOAL_SPEEDUP else 'not met'} ({speedup:.1f}× vs the inspector,"
        f" {speedup_lc:.1f}× vs the LangChain path).",
        "schemachat's figure includes everything it extracts (views with their source, "
        "check constraints, triggers, procedures, domains, descriptions) and building the "
        "pydantic model; the SQLAlchemy passes read tables only (no views, no descriptions).",
        "The SQLAlchemy inspector pass is the baseline. "
        "Each method runs in one process on an open connection/engine after a warm-up; "
        f"schemachat: median of {len(ours_t.runs)} runs; SQLAlchemy: median of the runs "
        f"that fit a {SA_BUDGET_S:g} s budget (at most {SA_MAX_RUNS}).",
    ]
    setup = (f"Synthetic schema: {truth.tables:,} tables × {COLUMNS} columns, "
             f"{truth.views} views, {truth.foreign_keys:,} FKs; Firebird embedded "
             f"{version('firebird-embedded')}, firebird-driver {version('firebird-driver')}, "
             f"SQLAlchemy {version('sqlalchemy')}, sqlalchemy-firebird "
             f"{version('sqlalchemy-firebird')}.")
    return Report(
        name="extract",
        title=f"Schema extraction, {truth.tables:,} tables × {COLUMNS} columns",
        headers=["method", "median s", "best s", "runs", "tables", "columns", "FKs",
                 "vs SQLAlchemy"],
        rows=rows,
        notes=notes,
        setup=setup,
    )


if __name__ == "__main__":
    from bench.report import show

    show(run(Console()), Console())
