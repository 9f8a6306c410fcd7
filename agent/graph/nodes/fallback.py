"""fallback: when every model draft failed validation, a deterministic starting query.

`SELECT FIRST <agent_rows_shown> <a few columns of the requested tables> FROM <the
skeleton's joins>` over the tables retrieval chose, built from the schema's keys only.
The validate node checks it with the engine like any draft and keeps it only when the
engine prepares it; the respond node says plainly that it is a starting query, not an
answer to the question. It is never run (it answers nothing) and never becomes the
previous SQL a follow-up changes.
"""

from __future__ import annotations

from schemachat.agent.context import AgentContext
from schemachat.agent.graph.nodes.retrieve import draft_tables
from schemachat.agent.graph.state import AgentState
from schemachat.agent.prompts.facts import focus_columns
from schemachat.agent.sql.names import doc_dialect, is_regular, sql_name
from schemachat.agent.sql.skeleton import build_skeleton
from schemachat.ingest.models.combined import CombinedColumn, CombinedRelation

FALLBACK_TABLES = 3  # requested tables whose columns the starting query shows
TABLE_COLUMNS = 3  # columns per table



def meaningful_columns(rel: CombinedRelation, question: str, ctx: AgentContext,
                       limit: int = TABLE_COLUMNS) -> list[CombinedColumn]:
    """The primary key's first column, the columns the question is about, then the
    first text column (a name or a description), at most `limit`, no BLOBs."""
    def usable(col: CombinedColumn | None) -> bool:
        return col is not None and "BLOB" not in col.type.upper()

    key = rel.column(rel.primary_key.columns[0]) if rel.primary_key else None
    picked: list[CombinedColumn] = [key] if key is not None and usable(key) else []
    picked += [c for c in focus_columns(rel, question, ctx.analyzer) if usable(c)]
    picked += [c for c in rel.columns if usable(c) and "CHAR" in c.type.upper()][:1]
    picked += [c for c in rel.columns if usable(c)]  # a table of keys only
    return list({c.name: c for c in reversed(picked)}.values())[::-1][:limit]


def starting_query(state: AgentState, ctx: AgentContext) -> str:
    """The starting query for this turn's retrieved tables; '' when there are none."""
    doc = ctx.doc()
    wanted = draft_tables(state, state.get("hits") or [], ctx)
    if not wanted:
        return ""
    skeleton = build_skeleton(doc, wanted)
    chosen: list[str] = []
    names: set[str] = set()
    for join in [j for j in skeleton.joins if not j.via][:FALLBACK_TABLES]:
        rel = doc.relation(join.table)
        if rel is None:
            continue
        for col in meaningful_columns(rel, state["question"], ctx):
            if doc_dialect(doc) < 3 and not is_regular(col.name):
                continue  # dialect 1 cannot write a name that needs quotes
            if col.name not in names:  # a join key repeated in the next table
                names.add(col.name)
                chosen.append(f"{join.alias}.{sql_name(col.name)}")
    if not chosen:
        return ""
    return (f"SELECT FIRST {ctx.settings.agent_rows_shown} {', '.join(chosen)}\n"
            f"{skeleton.from_clause()}")
