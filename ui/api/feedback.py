"""Feedback on answers (from the API and the Slack bot's buttons): one JSON line per
rating in `<workspace>/feedback.jsonl`, appended under a lock file."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from schemachat.ingest.workspace import Workspace

FILENAME = "feedback.jsonl"


def record_feedback(workspace: Path, entry: dict[str, Any], *, who: str) -> str:
    """Append `entry` (stamped with an id, who and when) and return its id."""
    workspace.mkdir(parents=True, exist_ok=True)
    path = workspace / FILENAME
    line = {"id": uuid.uuid4().hex, "at": datetime.now(UTC).isoformat(), "who": who, **entry}
    # The same lock as the app's feedback appends (agent.feedback): one writer at a time.
    with Workspace(workspace).lock(FILENAME, timeout=30), \
            path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
    return str(line["id"])


def read_feedback(workspace: Path) -> list[dict[str, Any]]:
    """Every feedback line, oldest first."""
    path = workspace / FILENAME
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
