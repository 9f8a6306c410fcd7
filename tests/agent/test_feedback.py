"""Feedback and golden examples in the workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemachat.agent.feedback import Feedback, read_feedback, read_golden, record_feedback
from schemachat.configs import BadInput


def _fb(rating: str, sql: str | None = "SELECT 1 FROM RDB$DATABASE",
        error: str | None = None) -> Feedback:
    return Feedback(rating=rating, question="q?", answer="a", sql=sql, sql_error=error)  # type: ignore[arg-type]


def test_thumbs_up_on_checked_sql_becomes_golden_once(tmp_path: Path) -> None:
    assert record_feedback(tmp_path, _fb("up"), tables=["RDB$DATABASE"]) is not None
    assert record_feedback(tmp_path, _fb("up")) is None  # same pair: not twice
    assert record_feedback(tmp_path, _fb("down")) is None
    assert record_feedback(tmp_path, _fb("up", error="Table unknown")) is None
    assert record_feedback(tmp_path, _fb("up", sql=None)) is None
    assert [f.rating for f in read_feedback(tmp_path)] == ["up", "up", "down", "up", "up"]
    golden = read_golden(tmp_path)
    assert len(golden) == 1 and golden[0].tables == ["RDB$DATABASE"]


def test_broken_file_names_the_line(tmp_path: Path) -> None:
    record_feedback(tmp_path, _fb("down"))
    with (tmp_path / "feedback.jsonl").open("a") as fh:
        fh.write('{"rating": "maybe"}\n')
    with pytest.raises(BadInput, match="line 2"):
        read_feedback(tmp_path)


def test_app_and_api_appends_share_one_lock_out_of_sight(tmp_path: Path) -> None:
    """The app's ratings (agent.feedback) and the API's (ui.api.feedback) append to the same
    feedback.jsonl under the same lock file, kept in the workspace's .locks/ folder."""
    from schemachat.ui.api.feedback import read_feedback as read_api_feedback
    from schemachat.ui.api.feedback import record_feedback as record_api_feedback

    record_feedback(tmp_path, _fb("up"), tables=["RDB$DATABASE"])
    record_api_feedback(tmp_path, {"rating": "down", "question": "q?"}, who="ana")
    assert [f["rating"] for f in read_api_feedback(tmp_path)] == ["up", "down"]
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".lock")]
    assert sorted(p.name for p in (tmp_path / ".locks").iterdir()) == [
        "feedback.jsonl.lock", "golden_sql.jsonl.lock"]
