"""`technical_schema_details.json`: the schema as Firebird's RDB$ tables describe it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from schemachat.ingest.models.base import FileModel, Part

FILENAME = "technical_schema_details.json"


class Column(Part):
    name: str
    position: int = Field(description="0-based position in the table (RDB$FIELD_POSITION).")
    type: str = Field(description="Type as Firebird spells it: VARCHAR(60), NUMERIC(15,2), ...")
    nullable: bool
    default: str | None = Field(None, description="Default value source, without DEFAULT.")
    domain: str | None = Field(None, description="User domain the column is based on.")
    computed: str | None = Field(None, description="COMPUTED BY source, for computed columns.")
    charset: str | None = None
    collation: str | None = None
    description: str | None = None


class PrimaryKey(Part):
    name: str
    columns: list[str]


class ForeignKey(Part):
    name: str
    columns: list[str]
    ref_table: str
    ref_columns: list[str]
    on_update: str = "RESTRICT"
    on_delete: str = "RESTRICT"


class UniqueConstraint(Part):
    name: str
    columns: list[str]


class CheckConstraint(Part):
    name: str
    source: str


class Index(Part):
    name: str
    columns: list[str] = Field(default_factory=list)
    expression: str | None = Field(None, description="Source of an expression index.")
    unique: bool = False
    descending: bool = False
    active: bool = True
    constraint: str | None = Field(None, description="Constraint the index enforces, if any.")


class Relation(Part):
    """A table or a view."""

    name: str
    kind: Literal["table", "view", "gtt", "external"]
    description: str | None = None
    columns: list[Column]
    primary_key: PrimaryKey | None = None
    foreign_keys: list[ForeignKey] = Field(default_factory=list)
    unique_constraints: list[UniqueConstraint] = Field(default_factory=list)
    check_constraints: list[CheckConstraint] = Field(default_factory=list)
    indices: list[Index] = Field(default_factory=list)
    view_source: str | None = None
    external_file: str | None = None
    on_commit: Literal["DELETE ROWS", "PRESERVE ROWS"] | None = Field(
        None, description="Global temporary tables only: what happens to rows at commit."
    )

    def column(self, name: str) -> Column | None:
        """The column called `name`, or None."""
        return next((c for c in self.columns if c.name == name), None)


class Trigger(Part):
    name: str
    table: str | None = Field(None, description="None for database-level triggers.")
    event: str = Field(description="e.g. BEFORE INSERT OR UPDATE, ON CONNECT.")
    position: int = 0
    active: bool = True
    source: str | None = None
    description: str | None = None


class Parameter(Part):
    name: str
    position: int
    type: str
    nullable: bool = True
    default: str | None = None
    description: str | None = None


class Procedure(Part):
    name: str
    kind: Literal["selectable", "executable", "unknown"]
    inputs: list[Parameter] = Field(default_factory=list)
    outputs: list[Parameter] = Field(default_factory=list)
    source: str | None = None
    description: str | None = None


class Generator(Part):
    name: str
    description: str | None = None


class Domain(Part):
    name: str
    type: str
    nullable: bool = True
    default: str | None = None
    check: str | None = None
    description: str | None = None


class DatabaseInfo(Part):
    name: str = Field(description="Database as given (file name or host:path), no secrets.")
    engine_version: str | None = None
    charset: str | None = Field(None, description="Default character set of the database.")
    ods: str | None = Field(None, description="On-disk structure version.")
    dialect: int | None = Field(
        None, description="SQL dialect of the database: 3, or 1 for a database of InterBase "
                          "heritage (double quotes delimit strings, DATE holds a timestamp, "
                          "no quoted names); every SQL schemachat writes for it follows it.")
    description: str | None = None


class TechnicalSchema(FileModel):
    """Everything extracted; sorted so an unchanged database re-extracts byte-identically
    except for `extracted_at`."""

    version: Literal[1] = 1
    kind: Literal["technical_schema"] = "technical_schema"
    extracted_at: datetime
    database: DatabaseInfo
    tables: list[Relation] = Field(description="Tables, GTTs and external tables, by name.")
    views: list[Relation] = Field(default_factory=list)
    triggers: list[Trigger] = Field(default_factory=list)
    procedures: list[Procedure] = Field(default_factory=list)
    generators: list[Generator] = Field(default_factory=list)
    domains: list[Domain] = Field(default_factory=list)
    fk_reference_counts: dict[str, int] = Field(
        default_factory=dict,
        description="'TABLE.COLUMN' -> how many foreign key columns reference it.",
    )

    def relations(self) -> list[Relation]:
        """Tables then views."""
        return [*self.tables, *self.views]

    def relation(self, name: str) -> Relation | None:
        """The table or view called `name`, or None."""
        return next((r for r in self.relations() if r.name == name), None)
