"""Role columns: what a foreign-key column's name says beyond the table it references.

`CAD_FUNC.FUN_GESTOR -> CAD_FUNC` is the *gestor* (manager) of an employee,
`PURCHASE_ORDERS.APPROVED_BY -> EMPLOYEES` the employee who *approved* an order,
`SALES_ORDERS.SALES_REP_ID -> EMPLOYEES` its *sales rep*. The words of the column name
that neither name the referenced table nor its key nor a generic key word (id, code,
number ...) are the role. Chunks carry the role on both sides, so "quem aprova cada pedido
de compra" finds the orders *and* the people table through that column.

    roles(join_edges(doc), analyzer)
    # [Role('PURCHASE_ORDERS', ('APPROVED_BY',), 'EMPLOYEES', ('approved',)), ...]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from schemachat.agent.retrieval.text import Analyzer
from schemachat.ingest.joins import Edge
from schemachat.ingest.vocabulary import split_identifier, stems

# Words of key column names that say "this is a key", not what the row is for.
GENERIC = frozenset({"id", "cod", "codigo", "code", "num", "numero", "number", "nr", "no",
                     "key", "chave", "fk", "ref", "seq", "sequencia", "identificador",
                     "identifier", "mat", "matricula", "sk", "pk", "nro"})


@dataclass(frozen=True)
class Role:
    """`table.columns` references `ref_table` as `words` (the role its name suggests)."""

    table: str
    columns: tuple[str, ...]
    ref_table: str
    words: tuple[str, ...]

    @property
    def label(self) -> str:
        """'sales rep', 'gestor', 'approved'."""
        return " ".join(self.words)

    @property
    def column(self) -> str:
        """The columns, as written in a chunk: 'FUN_GESTOR' or 'A, B'."""
        return ", ".join(self.columns)


def roles(edges: Iterable[Edge], analyzer: Analyzer) -> list[Role]:
    """The edges whose column names say a role, in the order given."""
    out = []
    for edge in edges:
        words = role_words(edge.columns, edge.ref_table, edge.ref_columns, analyzer)
        if words:
            out.append(Role(edge.table, edge.columns, edge.ref_table, words))
    return out


def role_words(columns: Iterable[str], ref_table: str, ref_columns: Iterable[str],
               analyzer: Analyzer) -> tuple[str, ...]:
    """The parts of `columns`' names that name neither `ref_table`, nor its key columns,
    nor a generic key word: () when the column just names what it references."""
    referenced = set()
    for name in (ref_table, *ref_columns):
        for part in split_identifier(name):
            referenced |= _concepts(part, analyzer)
    out: list[str] = []
    for column in columns:
        for part in split_identifier(column):
            if (len(part) < 2 or part in analyzer.stopwords or part in out
                    or _is_generic(part, analyzer) or _concepts(part, analyzer) & referenced):
                continue
            out.append(part)
    return tuple(out)


def _is_generic(part: str, analyzer: Analyzer) -> bool:
    return part in GENERIC or any(w in GENERIC for w in analyzer.expand_part(part))


def _concepts(part: str, analyzer: Analyzer) -> set[str]:
    # A part's stems, and those of what it stands for and of its canonical word, so
    # 'usr' meets 'users' and 'supplier' meets 'suppliers'.
    words = {part, analyzer.canonical(part), *analyzer.expand_part(part)}
    return {s for w in words for s in stems(w)}
