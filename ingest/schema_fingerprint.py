"""A stable fingerprint of a database's shape: its tables and views, their columns and
types. What an adapter learned is tied to that shape, so an adapter records the
fingerprint it was trained on (agent/adapters/schema.py) and is never applied to a
database of another shape.

Left out on purpose: descriptions, annotations, row counts, indices, procedures and the
order of columns, none of which changes the SQL a question needs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.technical import TechnicalSchema
from schemachat.ingest.workspace import Workspace, read_model

SHORT = 12  # hex digits shown to people


def schema_fingerprint(schema: TechnicalSchema | CombinedSchema) -> str:
    """sha256 (hex) of every table and view with its columns' names and types, sorted; the
    technical schema and the combined document built from it give the same value."""
    shape = sorted([rel.kind, rel.name, sorted([col.name, col.type] for col in rel.columns)]
                   for rel in [*schema.tables, *schema.views])
    text = json.dumps(shape, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SchemaShape:
    """A schema's fingerprint with what people recognise it by."""

    fingerprint: str
    database: str  # as the schema names it: file name or host:path
    tables: int

    @property
    def short(self) -> str:
        """The first SHORT hex digits, for messages."""
        return self.fingerprint[:SHORT]


def shape_of(schema: TechnicalSchema | CombinedSchema) -> SchemaShape:
    """The fingerprint, database name and table count of `schema`."""
    return SchemaShape(schema_fingerprint(schema), schema.database.name, len(schema.tables))


def workspace_shape(root: Path) -> SchemaShape | None:
    """The shape of the database of workspace `root`: from its technical schema (what the
    database is now), else its combined document; None when it has neither."""
    ws = Workspace(Path(root))
    if ws.technical.is_file():
        return shape_of(read_model(ws.technical, TechnicalSchema))
    if ws.combined.is_file():
        return shape_of(read_model(ws.combined, CombinedSchema))
    return None
