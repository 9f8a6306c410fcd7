"""Identifiers as the agent's SQL writes them, in the SQL dialect of the schema document's
database: the rules are `schemachat.ingest.identifiers` (bare when regular, quoted
otherwise; in dialect 1 an irregular name cannot be written and UnwritableName says so)."""

from __future__ import annotations

from schemachat.ingest.identifiers import UnwritableName, is_regular, reserved_words, sql_name
from schemachat.ingest.models.combined import CombinedSchema

__all__ = ["UnwritableName", "doc_dialect", "is_regular", "reserved_words", "sql_name"]


def doc_dialect(doc: CombinedSchema) -> int:
    """The SQL dialect of `doc`'s database: 1 when the extraction found a dialect 1
    database, else 3 (documents extracted before the dialect was recorded included)."""
    return doc.database.dialect or 3
