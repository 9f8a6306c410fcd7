"""`text_values.json`: the distinct short text values of the database's text columns,
so a question naming a stored value ("clientes de Campinas", "o fornecedor Aço Forte")
finds its column. Built read-only and capped by `schemachat samples` and `schemachat index`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from schemachat.ingest.models.base import FileModel, Part

FILENAME = "text_values.json"


class ColumnValues(Part):
    values: list[str] = Field(default_factory=list, description="Most frequent first.")
    complete: bool = Field(True, description="False when the cap cut the list.")


class TextValues(FileModel):
    version: Literal[1] = 1
    kind: Literal["text_values"] = "text_values"
    collected_at: datetime
    max_values: int = Field(description="Values kept per column at most.")
    columns: dict[str, ColumnValues] = Field(
        default_factory=dict, description="'TABLE.COLUMN' -> its distinct values.")
    errors: dict[str, str] = Field(default_factory=dict,
                                   description="'TABLE.COLUMN' -> why it was not read.")
