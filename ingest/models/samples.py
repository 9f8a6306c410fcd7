"""`samples.json`: a few rows per table and value distributions of low-cardinality columns."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from schemachat.ingest.models.base import FileModel, Part

FILENAME = "samples.json"

Scalar = str | int | float | bool | None


class ValueCount(Part):
    value: Scalar
    count: int


class TableSample(Part):
    columns: list[str] = Field(default_factory=list)
    rows: list[list[Scalar]] = Field(default_factory=list)
    distributions: dict[str, list[ValueCount]] = Field(
        default_factory=dict, description="Column -> its values with counts, most frequent first."
    )
    error: str | None = None
    undecodable: list[str] = Field(
        default_factory=list, description="Text columns whose bytes fit no encoding: their "
                                          "values are shown with those bytes escaped (\\xNN).")


class Samples(FileModel):
    version: Literal[1] = 1
    kind: Literal["samples"] = "samples"
    sampled_at: datetime
    sample_rows: int
    charset: str | None = Field(None, description="Connection charset the text was read with.")
    tables: dict[str, TableSample] = Field(default_factory=dict)
