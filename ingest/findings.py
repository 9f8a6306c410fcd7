"""What `schemachat doctor` reports: one finding per thing checked, each ok, a warning or
an error, with what to do about it. The checks live where the things they check do
(`ingest/database_checks.py`, `agent/readiness.py`); the command only shows them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

Status = Literal["ok", "warning", "error"]


@dataclass(frozen=True)
class Finding:
    """One line of the report: `topic` ("engine", "index", ...), its status, what was
    found (`text`) and, when something should be done, what (`fix`)."""

    topic: str
    status: Status
    text: str
    fix: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The finding as a JSON object (`--json`)."""
        return asdict(self)


def usable(findings: Sequence[Finding]) -> bool:
    """True when nothing found is an error (warnings leave schemachat usable)."""
    return all(f.status != "error" for f in findings)
