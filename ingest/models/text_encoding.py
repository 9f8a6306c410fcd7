"""`text_encoding.json`: how the text in charset NONE of the workspace's database is read
(chosen by `schemachat.ingest.legacy_text` from sampled bytes)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from schemachat.ingest.models.base import FileModel

FILENAME = "text_encoding.json"


class TextEncoding(FileModel):
    version: Literal[1] = 1
    kind: Literal["text_encoding"] = "text_encoding"
    database: str = Field(description="The database this choice is for (--database).")
    charset: str = Field(description="Firebird charset its NONE text is read with.")
    values_seen: int = Field(description="Non-ASCII values the choice was made from.")
    chosen_at: datetime
