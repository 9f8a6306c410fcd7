"""Foreign keys of a schema document: the declared ones, and the FK-like columns inferred
by name. One inference for everything that joins tables: the Analysis tab, retrieval's
join graph and the SQL skeletons.

A column is FK-like when no declared single-column foreign key covers it, it is not its
own table's whole primary key, its type is of the same kind, and either
- it has the same name as the single-column primary key of exactly one other table
  (`MOV_PED.FORN_COD` -> `CAD_FORN.FORN_COD`), or
- its name means the same, part by part, as exactly one such key (`CAD_CLI.COD_VEND`
  and `CAD_VEND.VEN_COD` are both "vendedor + código"; `EST_MOV.USR_ID` and
  `USERS.USER_ID` both "usuário + identificador"). Names of one word (`ID`, `CODIGO`)
  are too vague for this and never match by meaning, or
- its annotation names exactly one other table with a single-column primary key
  (`CAR_TIT.PORTADOR`: "Banco cobrador (código em TB_BANCO, sem FK)"): a person wrote
  down the reference the schema never declared.

Columns holding the whole composite primary key of another table by name
(`EST_MOV.FIL_COD, ALMOX` -> `EST_ALMOX`) join it too, unless that key is made of
references only (`EST_SALDO`'s warehouse and product: a pairing, not a parent).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from schemachat.ingest.models.combined import CombinedRelation, CombinedSchema
from schemachat.ingest.vocabulary import signature

DECLARED_COST, INFERRED_COST = 1.0, 1.5


@dataclass(frozen=True)
class Edge:
    """table.columns = ref_table.ref_columns; `declared` False for FK-like columns, whose
    `reason` says why; `name` is the declared constraint's."""

    table: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    declared: bool = True
    name: str = ""
    reason: str = ""

    @property
    def cost(self) -> float:
        """What joining along this edge costs a path search (inferred ones cost more)."""
        return DECLARED_COST if self.declared else INFERRED_COST

    def condition(self) -> str:
        """The join condition: 'MOV_PED.CLI_COD = CAD_CLI.CLI_COD AND ...'."""
        return " AND ".join(f"{self.table}.{a} = {self.ref_table}.{b}"
                            for a, b in zip(self.columns, self.ref_columns, strict=True))


def declared_edges(doc: CombinedSchema) -> list[Edge]:
    """Every declared foreign key as an edge."""
    return [Edge(r.name, tuple(fk.columns), fk.ref_table, tuple(fk.ref_columns), name=fk.name)
            for r in doc.relations() for fk in r.foreign_keys]


def inferred_edges(doc: CombinedSchema,
                   learned: Mapping[str, tuple[str, ...]] | None = None) -> list[Edge]:
    """FK-like columns (see the module docstring); `learned`: abbreviations read from
    annotations, for matching by meaning."""
    by_name: dict[str, list[tuple[str, str]]] = {}
    by_meaning: dict[frozenset[str], list[tuple[str, str]]] = {}
    keyed: dict[str, str] = {}  # table -> its one-column primary key
    for rel in _tables(doc):
        if rel.primary_key and len(rel.primary_key.columns) == 1:
            key = rel.primary_key.columns[0]
            keyed[rel.name] = key
            by_name.setdefault(key, []).append((rel.name, key))
            sig = signature(key, learned)
            if len(sig) >= 2:
                by_meaning.setdefault(sig, []).append((rel.name, key))
    edges = _composite(doc)
    for rel in _tables(doc):
        # a column of a composite key (NF_CAB.FIL_COD of FK (FIL_COD, PED_NUM) to
        # MOV_PED) may still name its own parent (CAD_FIL)
        declared = {fk.columns[0] for fk in rel.foreign_keys if len(fk.columns) == 1}
        own_key = rel.primary_key.columns if rel.primary_key else []
        for col in rel.columns:
            if col.name in declared or list(own_key) == [col.name]:
                continue
            edge = _inferred(doc, rel, col.name, by_name, by_meaning, keyed, learned)
            if edge is not None:
                edges.append(edge)
    return edges


def _inferred(doc: CombinedSchema, rel: CombinedRelation, column: str,
              by_name: dict[str, list[tuple[str, str]]],
              by_meaning: dict[frozenset[str], list[tuple[str, str]]],
              keyed: dict[str, str],
              learned: Mapping[str, tuple[str, ...]] | None) -> Edge | None:
    same = [o for o in by_name.get(column, []) if o[0] != rel.name]
    like = [o for o in by_meaning.get(signature(column, learned), []) if o[0] != rel.name]
    if len(same) == 1:
        (ref, key), why = same[0], f"same name and type as the primary key of {same[0][0]}"
    elif len(like) == 1:
        (ref, key), why = like[0], f"named like the primary key {like[0][0]}.{like[0][1]}"
    elif len(noted := _noted(rel, column, keyed)) == 1:
        (ref, key), why = noted[0], f"its annotation names {noted[0][0]}"
    else:
        return None
    edge = Edge(rel.name, (column,), ref, (key,), declared=False, reason=why)
    return edge if types_match(doc, edge) else None


def _composite(doc: CombinedSchema) -> list[Edge]:
    """Columns holding, by name and type, the whole composite primary key of another
    table that has a column of its own in it (`EST_MOV.FIL_COD, ALMOX` -> `EST_ALMOX`),
    when no declared key covers them. A key made only of references (`EST_SALDO`'s:
    warehouse and product) names a pairing, not a parent."""
    declared = {(r.name, frozenset(fk.columns)) for r in doc.relations()
                for fk in r.foreign_keys}
    parents = []
    for ref in _tables(doc):
        key = ref.primary_key.columns if ref.primary_key else []
        refers = {c for fk in ref.foreign_keys for c in fk.columns}
        if len(key) > 1 and not set(key) <= refers:
            parents.append((ref.name, tuple(key)))
    edges = []
    for rel in _tables(doc):
        names = {c.name for c in rel.columns}
        own = set(rel.primary_key.columns) if rel.primary_key else set()
        for ref, key in parents:
            if ref == rel.name or not set(key) <= names or set(key) == own or \
                    (rel.name, frozenset(key)) in declared:
                continue
            edge = Edge(rel.name, key, ref, key, declared=False,
                        reason=f"holds the whole primary key of {ref} by name")
            if types_match(doc, edge):
                edges.append(edge)
    return edges


_NAME = re.compile(r"\b[A-Z][A-Z0-9_$]{2,}\b")


def _noted(rel: CombinedRelation, column: str, keyed: dict[str, str]) -> list[tuple[str, str]]:
    """The other tables of `keyed` (one-column primary keys) that the column's annotation
    names ("código em TB_BANCO", "USERS.USER_ID"), with that key."""
    col = rel.column(column)
    text = col.annotation.description if col and col.annotation else None
    return [(name, keyed[name]) for name in dict.fromkeys(_NAME.findall(text or ""))
            if name in keyed and name != rel.name]


def join_edges(doc: CombinedSchema, learned: Mapping[str, tuple[str, ...]] | None = None,
               *, inferred: bool = True) -> list[Edge]:
    """Declared foreign keys, then (with `inferred`) FK-like columns."""
    return declared_edges(doc) + (inferred_edges(doc, learned) if inferred else [])


def types_match(doc: CombinedSchema, edge: Edge) -> bool:
    """Whether every column pair of `edge` has types of the same kind (`type_kind`)."""
    left, right = doc.relation(edge.table), doc.relation(edge.ref_table)
    if left is None or right is None:
        return False
    for a, b in zip(edge.columns, edge.ref_columns, strict=True):
        ca, cb = left.column(a), right.column(b)
        if ca is None or cb is None or type_kind(ca.type) != type_kind(cb.type):
            return False
    return True


def type_kind(spelling: str) -> str:
    """INTEGER/SMALLINT/BIGINT -> int, CHAR(2)/VARCHAR(20) -> text, NUMERIC(15,2) ->
    NUMERIC, others as spelled without size."""
    base = spelling.upper().split("(")[0].split(" CHARACTER SET")[0].strip()
    if base in ("SMALLINT", "INTEGER", "BIGINT", "INT128"):
        return "int"
    if base in ("CHAR", "VARCHAR", "CHARACTER", "CHARACTER VARYING"):
        return "text"
    return base


def _tables(doc: CombinedSchema) -> list[CombinedRelation]:
    return [r for r in doc.relations() if r.kind != "view"]
