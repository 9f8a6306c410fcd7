"""Facts about the schema, written deterministically from the combined document.

An answer's factual part (table and column names, descriptions, value mappings, row
counts) is built here, never by a model: `relation_facts` for one table and the
columns a question is about, `sql_schema` for the compact table listing a SQL prompt
shows. Everything cited here exists in the document by construction.
"""

from __future__ import annotations

from schemachat.agent.answer import Citation
from schemachat.agent.retrieval.chunks import description_of
from schemachat.agent.retrieval.text import Analyzer
from schemachat.ingest.models.combined import CombinedColumn, CombinedRelation, CombinedSchema

MAX_COLUMNS = 6  # columns a schema answer lists per table
SQL_COLUMNS = 10  # columns a SQL prompt lists per table


def rows_text(rel: CombinedRelation) -> str:
    """'1,234 rows' (exact) or '~1,234 rows' (estimate); '' when unknown."""
    if rel.rows is None or rel.rows.rows is None:
        return ""
    approx = "" if rel.rows.method == "exact" else "~"
    return f"{approx}{rel.rows.rows:,} rows"


def focus_columns(rel: CombinedRelation, question: str, analyzer: Analyzer,
                  limit: int = MAX_COLUMNS) -> list[CombinedColumn]:
    """The columns of `rel` whose names and notes share the most terms with `question`
    (at least one), best first."""
    wanted = set(analyzer.terms(question, document=False))
    # Words that name the table itself ("cliente" for CAD_CLI) match most of its columns
    # (CLI_COD, CLI_NOMRAZ...): rank on the other words when there are any.
    own = set(analyzer.terms(f"{rel.name} {description_of(rel)}", document=False))
    wanted = (wanted - own) or wanted
    scored = []
    for col in rel.columns:
        overlap = len(wanted & set(analyzer.terms(f"{col.name} {column_text(col)}")))
        if overlap:
            scored.append((-overlap, col.position, col))
    return [c for _, _, c in sorted(scored, key=lambda t: (t[0], t[1]))[:limit]]


def relation_facts(rel: CombinedRelation, columns: list[CombinedColumn]) -> str:
    """Markdown: the relation, its description and row count, then `columns`."""
    head = f"**{rel.name}** ({rel.kind}"
    rows = rows_text(rel)
    head += f", {rows})" if rows else ")"
    desc = _sentences(rel.annotation.description if rel.annotation else None, rel.description)
    lines = [f"{head}: {desc}" if desc else head]
    lines += [f"- `{rel.name}.{c.name}` {column_text(c)}" for c in columns]
    return "\n".join(lines)


def _sentences(*texts: str | None) -> str:
    # The database comment and the annotation often say the same: keep one.
    seen: dict[str, str] = {}
    for text in texts:
        if text and text.strip():
            seen.setdefault(text.strip().rstrip(".").casefold(), text.strip().rstrip("."))
    return ". ".join(seen.values()) + "." if seen else ""


def column_text(col: CombinedColumn) -> str:
    """'NUMERIC(15,2): Limite de crédito. Unit: R$. Values: A = ativo, I = inativo.'"""
    note = col.annotation
    text = col.type
    described = _sentences(note.description if note else None, col.description)
    if described:
        text += ": " + described
    if note and note.values:
        text += " Values: " + ", ".join(f"{k} = {v}" for k, v in note.values.items()) + "."
    if note and note.unit:
        text += f" Unit: {note.unit}."
    if note and note.notes:
        text += " " + note.notes.strip()
    return text


def relation_citations(rel: CombinedRelation, columns: list[CombinedColumn]) -> list[Citation]:
    """The relation and the columns an answer mentions, as citations."""
    return [Citation(table=rel.name), *(Citation(table=rel.name, column=c.name)
                                        for c in columns)]


def sql_schema(doc: CombinedSchema, tables: list[str], question: str = "",
               analyzer: Analyzer | None = None) -> str:
    """Compact listing for a SQL prompt, one line per table: key columns, the columns
    the question is about (with their value mappings), then the first others, at most
    SQL_COLUMNS in all (a small model on a CPU reads every token of it)."""
    analyzer = analyzer or Analyzer()
    lines = []
    for name in tables:
        rel = doc.relation(name)
        if rel is None:
            continue
        keys = set(rel.primary_key.columns if rel.primary_key else [])
        keys |= {c for fk in rel.foreign_keys for c in fk.columns}
        focus = {c.name for c in focus_columns(rel, question, analyzer)} if question else set()
        chosen = [c for c in rel.columns if c.name in keys or c.name in focus]
        rest = [c for c in rel.columns if c not in chosen]
        chosen += rest[: max(0, SQL_COLUMNS - len(chosen))]
        chosen.sort(key=lambda c: c.position)
        parts = [_sql_column(c, c.name in keys, c.name in focus) for c in chosen]
        lines.append(f"{rel.name}({', '.join(parts)})")
    return "\n".join(lines)


def _sql_column(col: CombinedColumn, key: bool, focus: bool) -> str:
    text = f"{col.name} {col.type}"
    note = col.annotation
    if focus and note and note.values:
        text += " [" + ", ".join(f"'{k}'={v}" for k, v in list(note.values.items())[:6]) + "]"
    return text + (" key" if key else "")
