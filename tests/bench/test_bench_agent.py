"""The agent benchmark's questions and its gold comparison: every gold statement runs
on the demo ERP and returns rows; `matches` accepts extra columns and any row order,
not a different row count or different values."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

# bench/ is run from the repository root, not installed: importable here because the
# repository root is on sys.path (tests/ is a package; see tests/__init__.py).
from bench.bench_agent import QUESTIONS, matches
from schemachat.agent.sql.guard import run_read_only
from schemachat.configs import load_settings
from schemachat.ingest.firebird import opened


def test_thirty_questions_and_every_gold_runs(demo_db: Path) -> None:
    questions = yaml.safe_load(QUESTIONS.read_text("utf-8"))["questions"]
    assert len(questions) == 30 and all(q["question"] and q["gold"] for q in questions)
    settings = load_settings(fb_database=str(demo_db), row_cap=100_000)
    with opened(settings) as con:
        for q in questions:
            for sql in q["gold"]:
                result = run_read_only(con, sql, settings)
                assert result.rows and not result.truncated, (q["question"], sql)


@pytest.mark.parametrize(("draft", "gold", "same"), [
    ([[1, "SP", Decimal("10.50")], [2, "RJ", Decimal("3")]],
     [[Decimal("3.00")], [Decimal("10.5")]], True),      # extra columns, other order
    ([[5]], [[5]], True),
    ([[5]], [[6]], False),
    ([[1], [2]], [[1]], False),                          # row count differs
    ([], [], False),                                     # an empty gold decides nothing
    ([["A", 1]], [[1, "B"]], True),                      # one gold column suffices
])
def test_matches(draft: list[list[object]], gold: list[list[object]], same: bool) -> None:
    assert matches(draft, gold) is same
