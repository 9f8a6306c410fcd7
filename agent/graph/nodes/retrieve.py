"""retrieve: the tables that answer the question (hybrid index, expanded along foreign
keys), and for SQL turns the tables to draft from with their FROM/JOIN skeleton built
from the schema's keys. A follow-up keeps the previous query's tables."""

from __future__ import annotations

from langgraph.runtime import Runtime

from schemachat.agent.context import AgentContext
from schemachat.agent.graph.state import AgentState, Hit, last_sql_turn
from schemachat.agent.retrieval import TableHit
from schemachat.agent.sql.grounding import sql_relations
from schemachat.agent.sql.skeleton import build_skeleton

FOLLOW_UP_NEW = 1  # tables a follow-up may add to the previous query's


def _hit(h: TableHit) -> Hit:
    return Hit(name=h.name, kind=h.kind, text=h.text, added_for_join=h.added_for_join,
               joins=list(h.joins))


def draft_tables(state: AgentState, hits: list[Hit], ctx: AgentContext) -> list[str]:
    """The tables a SQL draft starts from: the best hits (tables and views), or the
    previous query's tables plus the best new one for a follow-up."""
    doc = ctx.doc()
    ranked = [h["name"] for h in hits if not h["added_for_join"] and h["kind"] != "procedure"
              and doc.relation(h["name"]) is not None]
    previous = last_sql_turn(state)
    if state.get("follow_up") and previous is not None:
        before = [t for t in (sql_relations(previous["sql"] or "") or previous["tables"])
                  if doc.relation(t) is not None]
        new = [t for t in ranked if t not in before][:FOLLOW_UP_NEW]
        return before + new
    return ranked[: ctx.settings.agent_sql_tables]


def retrieve(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Set `hits`; for SQL turns also `tables` and `skeleton`."""
    ctx = runtime.context
    result = ctx.index().search(state["question"], ctx.settings.retrieval_k)
    hits = [_hit(h) for h in result.hits]
    if state.get("intent") not in ("sql", "run"):
        return AgentState(hits=hits)
    wanted = draft_tables(state, hits, ctx)
    skeleton = build_skeleton(ctx.doc(), wanted) if wanted else None
    tables = [j.table for j in skeleton.joins] if skeleton else []
    tables += [t for t in (skeleton.unjoined if skeleton else []) if t not in tables]
    text = " ".join(skeleton.from_clause().split()) if skeleton else ""
    return AgentState(hits=hits, tables=tables, skeleton=text)
