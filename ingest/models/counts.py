"""`overview_counts.json`: rows per table, and how each number was obtained."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from schemachat.ingest.models.base import FileModel, Part

FILENAME = "overview_counts.json"

Method = Literal["exact", "estimate", "unknown"]


class TableCount(Part):
    rows: int | None = Field(description="None when unknown.")
    method: Method
    counted_at: datetime
    basis: str | None = Field(
        None, description="What an estimate rests on, e.g. 'statistics of index PK_CAD_CLI'."
    )
    error: str | None = Field(None, description="Why an exact count failed (timeout, ...).")


class OverviewCounts(FileModel):
    version: Literal[1] = 1
    kind: Literal["overview_counts"] = "overview_counts"
    counted_at: datetime
    tables: dict[str, TableCount] = Field(default_factory=dict)
