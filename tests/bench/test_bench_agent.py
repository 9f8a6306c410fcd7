"""The agent benchmark's tuning questions and its gold comparison: every entry is well
formed and every gold statement runs on the demo ERP and returns rows; `contains`
accepts extra columns and any row order, not a different row count or different values;
`same_rows` accepts no extra column. (The held-out file is the benchmark's alone.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

# bench/ is run from the repository root, not installed: importable here because the
# repository root is on sys.path (tests/ is a package; see tests/__init__.py).
from bench.bench_agent import TUNING_FILES, contains, matches, same_rows
from schemachat.agent.sql.guard import run_read_only
from schemachat.configs import load_settings
from schemachat.ingest.firebird import opened

# The categories the header of bench/agent_questions.yaml defines.
CATEGORIES = {"count", "code_filter", "text_filter", "numeric", "date", "group_by", "top_n",
              "join2", "join3", "arithmetic", "null"}


def _questions() -> list[dict]:
    return [q for path in TUNING_FILES
            for q in yaml.safe_load(path.read_text("utf-8"))["questions"]]


def test_every_question_is_well_formed() -> None:
    questions = _questions()
    assert len(questions) >= 130  # the tuning set grows; 130 when this test was written
    texts = [q["question"] for q in questions]
    assert len(set(texts)) == len(texts), "a question is asked twice"
    for q in questions:
        assert set(q) == {"question", "lang", "category", "gold"}, q
        assert isinstance(q["question"], str) and q["question"].strip(), q
        assert q["lang"] in ("pt", "en"), q
        assert q["category"] in CATEGORIES, q  # "null" quoted: a bare null is None
        assert isinstance(q["gold"], list) and q["gold"], q
        assert all(isinstance(sql, str) and sql.strip() for sql in q["gold"]), q
    assert {q["lang"] for q in questions} == {"pt", "en"}
    assert {q["category"] for q in questions} == CATEGORIES


def test_every_gold_runs_and_returns_rows(demo_db: Path) -> None:
    settings = load_settings(fb_database=str(demo_db), row_cap=100_000)
    with opened(settings) as con:
        for q in _questions():
            for sql in q["gold"]:
                result = run_read_only(con, sql, settings)
                assert result.rows and not result.truncated, (q["question"], sql)


@pytest.mark.parametrize(("result", "gold", "contained", "same"), [
    ([[5]], [[5]], True, True),
    ([[5]], [[6]], False, False),
    ([[1], [2]], [[1]], False, False),                   # row count differs
    ([], [], False, False),                              # an empty gold decides nothing
    ([[2], [1]], [[1], [2]], True, True),                # any row order
    ([[1, "SP", Decimal("10.50")], [2, "RJ", Decimal("3")]],
     [[Decimal("3.00")], [Decimal("10.5")]], True, False),  # extra columns, other order
    ([["A", 1]], [[1, "B"]], False, False),              # every gold column, not one
    ([["SP", 10], ["RJ", 3]], [[3, "RJ"], [10, "SP"]], True, True),  # column order
    # columns are compared one by one, not as pairs of values
    ([["SP", 10], ["RJ", 3]], [["SP", 3], ["RJ", 10]], True, True),
    ([["SP ", 1]], [["SP"]], True, False),               # CHAR padding is not a value
    ([[1.00001]], [[1.00002]], True, True),              # floats to 4 decimals
    ([[1.001]], [[1.002]], False, False),
    ([[None]], [[None]], True, True),
    ([[dt.date(2024, 1, 31)]], [["2024-01-31"]], True, True),  # dates as ISO text
])
def test_contains_and_same_rows(result: list[list[object]], gold: list[list[object]],
                                contained: bool, same: bool) -> None:
    assert contains(result, gold) is contained
    assert same_rows(result, gold) is same
    assert matches(result, gold) is contained  # what the tables lead with
