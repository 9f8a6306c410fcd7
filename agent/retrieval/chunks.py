"""Chunks: the pieces of `combined_schema_details.json` that are indexed.

One chunk per table or view (name, description from the database and the annotation,
tags, columns with types, descriptions, value mappings and the codes the samples found
(with counts and, when known, meanings), primary and foreign keys and
the columns joining by name, the role a key column's name suggests (`FUN_GESTOR -> CAD_FUNC`,
role gestor), what references it and in which roles, rows); wide tables also get one
chunk per group of columns, and each procedure one chunk. A chunk's id is stable across
merges (`table:CAD_CLI`, `columns:CAD_CLI:1`, `procedure:SP_KARDEX`) and its hash changes
iff its text does, so an index can re-embed only what changed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from schemachat.agent.retrieval.roles import Role, roles
from schemachat.agent.retrieval.text import Analyzer, gloss
from schemachat.agent.retrieval.values import code_line
from schemachat.ingest.joins import Edge, join_edges
from schemachat.ingest.models.combined import (
    CombinedColumn,
    CombinedProcedure,
    CombinedRelation,
    CombinedSchema,
)

ChunkKind = Literal["table", "columns", "procedure"]
# Bump when the chunk text changes shape, so indexes built by an older version rebuild.
CHUNKER_VERSION = 4
WIDE_TABLE = 16  # a table with more columns than this also gets column-group chunks
GROUP_SIZE = 10
_NAME = re.compile(r"\b[A-Z][A-Z0-9_$]{2,}\b")


@dataclass(frozen=True)
class Chunk:
    """One indexed piece of text about one schema object."""

    id: str
    object: str  # the table, view or procedure it describes
    kind: ChunkKind
    object_kind: str  # table, view, gtt, external or procedure
    text: str
    rows: int | None = None
    gloss: str = ""  # the text's words said otherwise (English), for the embedding model

    @property
    def embed_text(self) -> str:
        """What the embedding model reads: the first line, the gloss, the rest."""
        if not self.gloss:
            return self.text
        head, _, rest = self.text.partition("\n")
        return f"{head}\n({self.gloss})\n{rest}".rstrip("\n")

    def to_json(self) -> dict:
        """The fields, as `chunks.jsonl` stores them."""
        return {"id": self.id, "object": self.object, "kind": self.kind,
                "object_kind": self.object_kind, "text": self.text, "rows": self.rows,
                "gloss": self.gloss}

    @property
    def hash(self) -> str:
        """sha256 of what is embedded and the chunker version: equal hashes, same vector."""
        return hashlib.sha256(f"{CHUNKER_VERSION}\n{self.embed_text}".encode()).hexdigest()


def build_chunks(doc: CombinedSchema, analyzer: Analyzer | None = None,
                 known_glosses: Mapping[str, str] | None = None,
                 edges: list[Edge] | None = None) -> list[Chunk]:
    """All chunks of `doc`, tables and views first, in document order, each with the
    gloss of its text (read with `analyzer`, which may know learned abbreviations;
    `known_glosses` maps texts to glosses already computed with the same analyzer;
    `edges`: the join edges of `doc`, when already computed)."""
    analyzer = analyzer or Analyzer()
    known = known_glosses or {}
    referenced_by = _referenced_by(doc)
    edges = edges if edges is not None else join_edges(doc, analyzer.learned)
    links = _Links.of(edges, roles(edges, analyzer))
    chunks: list[Chunk] = []
    for rel in doc.relations():
        chunks.append(_relation_chunk(rel, referenced_by.get(rel.name, []), doc, links))
        if len(rel.columns) > WIDE_TABLE:
            chunks += _column_group_chunks(rel)
    chunks += [_procedure_chunk(p, doc) for p in doc.procedures]
    return [replace(c, gloss=known[c.text] if c.text in known else gloss(c.text, analyzer=analyzer))
            for c in chunks]


def titles(doc: CombinedSchema) -> list[tuple[str, str]]:
    """(object, its name and description) for every table, view and procedure: the
    short text a separate title index ranks on, so the table *named* after a word of
    the question is not drowned by the many tables that merely mention it."""
    objects: list[CombinedRelation | CombinedProcedure] = [*doc.relations(), *doc.procedures]
    return [(o.name, f"{o.name}: {description_of(o)}".rstrip(": ")) for o in objects]


def description_of(rel: CombinedRelation | CombinedProcedure) -> str:
    """The annotation's description and the database's, without repeating one."""
    parts = [rel.annotation.description if rel.annotation else None, rel.description]
    return " ".join(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def column_line(col: CombinedColumn) -> str:
    """'CLI_NOMRAZ VARCHAR(60): Razão social. Values: A = ativo, I = inativo.', then the
    codes the samples found, with counts ('Codes: A 3,120; I 410.')."""
    note = col.annotation
    text = [p.strip() for p in (note.description if note else None, col.description) if p]
    line = f"{col.name} {col.type}"
    if text:
        line += ": " + " ".join(dict.fromkeys(text))
    if note and note.values:
        line += " Values: " + ", ".join(f"{k} = {v}" for k, v in note.values.items()) + "."
    if note and note.unit:
        line += f" Unit: {note.unit}."
    if note and note.notes:
        line += f" {note.notes.strip()}"
    return line + code_line(col)


@dataclass(frozen=True)
class _Links:
    """Per table: its inferred joins, the roles of its key columns, the roles it is
    referenced in."""

    inferred: dict[str, list[Edge]]
    roles_out: dict[tuple[str, tuple[str, ...]], Role]
    roles_in: dict[str, list[Role]]

    @classmethod
    def of(cls, edges: list[Edge], found: list[Role]) -> _Links:
        inferred: dict[str, list[Edge]] = {}
        for edge in edges:
            if not edge.declared:
                inferred.setdefault(edge.table, []).append(edge)
        roles_in: dict[str, list[Role]] = {}
        for role in found:
            if role.ref_table != role.table:
                roles_in.setdefault(role.ref_table, []).append(role)
        return cls(inferred, {(r.table, r.columns): r for r in found}, roles_in)

    def role(self, table: str, columns: tuple[str, ...]) -> str:
        """', role gestor' or ''."""
        found = self.roles_out.get((table, columns))
        return f", role {found.label}" if found else ""


def _relation_chunk(rel: CombinedRelation, referenced_by: list[str],
                    doc: CombinedSchema, links: _Links) -> Chunk:
    lines = [f"{_kind_word(rel.kind)} {rel.name}: {description_of(rel)}".rstrip(": ")]
    if rel.annotation and rel.annotation.tags:
        lines.append("Tags: " + ", ".join(rel.annotation.tags) + ".")
    if rel.annotation and rel.annotation.notes:
        lines.append(rel.annotation.notes.strip())
    lines.append("Columns: " + "; ".join(column_line(c) for c in rel.columns) + ".")
    if rel.primary_key:
        lines.append("Primary key: " + ", ".join(rel.primary_key.columns) + ".")
    for fk in rel.foreign_keys:
        lines.append(f"Foreign key {', '.join(fk.columns)} -> {fk.ref_table}"
                     f"({', '.join(fk.ref_columns)}){links.role(rel.name, tuple(fk.columns))}.")
    for edge in links.inferred.get(rel.name, []):
        lines.append(f"Joins by name: {', '.join(edge.columns)} -> {edge.ref_table}"
                     f"({', '.join(edge.ref_columns)}){links.role(rel.name, edge.columns)}.")
    if referenced_by:
        lines.append("Referenced by: " + ", ".join(referenced_by) + ".")
    if rel.name in links.roles_in:
        lines.append("Referenced as: " + ", ".join(
            f"{r.label} ({r.table}.{r.column})" for r in links.roles_in[rel.name]) + ".")
    if rel.view_source:
        reads = _names_in(rel.view_source, doc)
        if reads:
            lines.append("Reads: " + ", ".join(reads) + ".")
    rows = rel.rows.rows if rel.rows else None
    return Chunk(id=f"table:{rel.name}", object=rel.name, kind="table", object_kind=rel.kind,
                 text="\n".join(lines), rows=rows)


def _column_group_chunks(rel: CombinedRelation) -> list[Chunk]:
    # The table's name only, not its description: editing the description then
    # re-embeds one chunk, not every column group too.
    head = f"{_kind_word(rel.kind)} {rel.name}"
    out = []
    for n in range(0, len(rel.columns), GROUP_SIZE):
        group = rel.columns[n:n + GROUP_SIZE]
        text = f"{head}, columns: " + "; ".join(column_line(c) for c in group) + "."
        out.append(Chunk(id=f"columns:{rel.name}:{n // GROUP_SIZE}", object=rel.name,
                         kind="columns", object_kind=rel.kind, text=text,
                         rows=rel.rows.rows if rel.rows else None))
    return out


def _procedure_chunk(proc: CombinedProcedure, doc: CombinedSchema) -> Chunk:
    lines = [f"Procedure {proc.name} ({proc.kind}): {description_of(proc)}".rstrip(": ")]
    if proc.annotation and proc.annotation.tags:
        lines.append("Tags: " + ", ".join(proc.annotation.tags) + ".")
    if proc.inputs:
        lines.append("Inputs: " + ", ".join(f"{p.name} {p.type}" for p in proc.inputs) + ".")
    if proc.outputs:
        lines.append("Outputs: " + ", ".join(f"{p.name} {p.type}" for p in proc.outputs) + ".")
    reads = _names_in(proc.source or "", doc)
    if reads:
        lines.append("Uses: " + ", ".join(reads) + ".")
    return Chunk(id=f"procedure:{proc.name}", object=proc.name, kind="procedure",
                 object_kind="procedure", text="\n".join(lines))


def _referenced_by(doc: CombinedSchema) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rel in doc.relations():
        for fk in rel.foreign_keys:
            if fk.ref_table != rel.name and rel.name not in out.get(fk.ref_table, []):
                out.setdefault(fk.ref_table, []).append(rel.name)
    return out


def _names_in(source: str, doc: CombinedSchema) -> list[str]:
    """Tables and views named in SQL source, in order of first mention."""
    names = {r.name for r in doc.relations()}
    return list(dict.fromkeys(n for n in _NAME.findall(source.upper()) if n in names))


def _kind_word(kind: str) -> str:
    return {"table": "Table", "view": "View", "gtt": "Temporary table",
            "external": "External table"}.get(kind, "Table")
