"""The schema an adapter was trained on: `schema_fingerprint.json` in its folder.

Training writes it (the dataset carries it from `train dataset` to the adapter folder);
before an adapter is added, made active or loaded for a workspace, `check_schema`
compares it with the fingerprint of the workspace's schema
(schemachat.ingest.schema_fingerprint): an adapter trained on database A is never
applied to database B, nor to A after its tables or columns changed (retrain then).
Adapters from before this file existed carry none: they are used, with a warning.

    write_schema_fingerprint(folder, SchemaFingerprint.of(shape, db="erp"))
    check_schema("schema-20261125", folder, workspace, db="old")   # BadInput naming both
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from schemachat.configs import BadInput
from schemachat.ingest.schema_fingerprint import SHORT, SchemaShape, workspace_shape
from schemachat.ingest.workspace import read_optional, write_model

FILENAME = "schema_fingerprint.json"
log = logging.getLogger(__name__)


class SchemaFingerprint(BaseModel):
    """`<adapter>/schema_fingerprint.json` (and `<dataset>/schema_fingerprint.json`, which
    training copies into the adapter): the schema the data came from."""

    version: Literal[1] = 1
    fingerprint: str = Field(description="sha256 of the tables and views with their columns' "
                                         "names and types (ingest/schema_fingerprint.py).")
    database: str = Field(description="The database as its schema names it (file or "
                                      "host:path).")
    db: str | None = Field(None, description="Its registered name (--db), when it had one.")
    tables: int = Field(0, description="How many tables the schema had.")
    at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @classmethod
    def of(cls, shape: SchemaShape, db: str | None = None) -> SchemaFingerprint:
        """The record of `shape`, registered as `db` when it is."""
        return cls(fingerprint=shape.fingerprint, database=shape.database, db=db,
                   tables=shape.tables)

    def describe(self) -> str:
        """'erp' (erp.fdb, schema 1a2b3c4d5e6f) or erp.fdb (schema ...), for messages."""
        where = f"'{self.db}' ({self.database}" if self.db else f"{self.database} ("
        return f"{where}, schema {self.fingerprint[:SHORT]})"


def read_schema_fingerprint(folder: Path) -> SchemaFingerprint | None:
    """The record in `folder`, or None (an adapter trained before it existed)."""
    return read_optional(Path(folder) / FILENAME, SchemaFingerprint)


def write_schema_fingerprint(folder: Path, record: SchemaFingerprint) -> Path:
    """Write the record into `folder` (an adapter or a dataset folder)."""
    return write_model(Path(folder) / FILENAME, record)


def check_schema(name: str, folder: Path, workspace: Path, *, db: str | None = None) -> None:
    """Refuse adapter `name` (in `folder`) for `workspace` (registered as `db`) when it
    was trained on another schema: BadInput naming the adapter and both databases with
    their fingerprints. An adapter without a record, or a workspace with no schema yet,
    passes with a warning in the log (nothing to compare)."""
    trained = read_schema_fingerprint(folder)
    if trained is None:
        log.warning("adapter %s records no schema fingerprint (trained before adapters "
                    "recorded one): used without checking which database it was trained on",
                    name)
        return
    here = workspace_shape(workspace)
    if here is None:
        log.warning("adapter %s: workspace %s has no schema yet (schemachat extract), so "
                    "its database cannot be compared with %s", name, workspace,
                    trained.describe())
        return
    if trained.fingerprint == here.fingerprint:
        return
    current = SchemaFingerprint.of(here, db).describe()
    same = (trained.db == db) if trained.db and db else trained.database == here.database
    retrain = "schemachat retrain" + (f" --db {db}" if db else "")
    why = (f"its tables or columns changed since: retrain it ({retrain})" if same else
           "an adapter is only used on the database it was trained on: train one for this "
           f"database ({retrain}) or pick another")
    raise BadInput(f"adapter '{name}' was trained on database {trained.describe()}, but "
                   f"workspace {workspace} holds {current}; {why}")
