"""answer: a schema question answered from the document. The facts (tables, columns,
descriptions, value mappings, row counts) are written deterministically from the
retrieved tables; the model only adds a sentence of wording, and a sentence that names
anything or any number the facts do not contain is dropped (`grounding.keep_grounded`).

Streaming: the grounded sentences and then the facts are sent to LangGraph's custom
stream as `{"text": ...}` pieces, so a chat shows the answer as it is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from schemachat.agent.answer import Citation
from schemachat.agent.context import AgentContext
from schemachat.agent.graph.state import AgentState
from schemachat.agent.prompts.facts import focus_columns, relation_citations, relation_facts
from schemachat.agent.prompts.messages import ANSWER_STOP, SMALLTALK_REPLY, answer_messages
from schemachat.agent.sql.grounding import keep_grounded, name_like

ANSWER_TABLES = 3  # tables a schema answer describes
WORDING_TOKENS = 80
_END = re.compile(r"[.!?](\s|$)|\n")
NOTHING = ("I found nothing about that in the schema document. Try other words (Portuguese "
           "or English), or a table name.")


def schema_facts(state: AgentState, ctx: AgentContext) -> tuple[str, list[Citation]]:
    """Markdown facts about the best retrieved tables, and what they cite."""
    doc = ctx.doc()
    blocks: list[str] = []
    cites: list[Citation] = []
    for hit in state.get("hits") or []:
        rel = doc.relation(hit["name"])
        if rel is None or hit["added_for_join"]:
            continue
        columns = focus_columns(rel, state["question"], ctx.analyzer)
        if blocks and not columns:
            continue  # beyond the best table, only tables with columns on the question
        blocks.append(relation_facts(rel, columns))
        cites += relation_citations(rel, columns)
        if len(blocks) == ANSWER_TABLES:
            break
    return "\n\n".join(blocks), cites


def grounded_sentences(pieces: Iterator[str], facts: str, names: set[str]) -> Iterator[str]:
    """Complete sentences of the streamed wording that pass `keep_grounded` and name at
    least one thing from the facts (rambling without a name says nothing checkable)."""
    buffer = ""
    for piece in pieces:
        buffer += piece
        while (m := _END.search(buffer)) is not None:
            sentence, buffer = buffer[: m.end()].strip(), buffer[m.end():]
            kept = _checked(sentence, facts, names)
            if kept:
                yield kept
    kept = _checked(buffer.strip(), facts, names)
    if kept:
        yield kept


def _checked(sentence: str, facts: str, names: set[str]) -> str:
    if not sentence:
        return ""
    kept = keep_grounded(sentence, facts, names)
    return kept if kept and any(n.upper() in names for n in name_like(kept)) else ""


def answer_schema(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Set `answer` (grounded wording, then the facts) and `citations`."""
    ctx = runtime.context
    write = get_stream_writer()
    facts, cites = schema_facts(state, ctx)
    if not facts:
        write({"text": NOTHING})
        return AgentState(answer=NOTHING, citations=[])
    names = {c.table for c in cites} | {c.column for c in cites if c.column}
    names |= {f"{c.table}.{c.column}" for c in cites if c.column}
    pieces = ctx.stream(answer_messages(facts, state["question"]), stop=ANSWER_STOP,
                        max_new_tokens=WORDING_TOKENS)
    wording: list[str] = []
    for sentence in grounded_sentences(pieces, facts, names):
        write({"text": (" " if wording else "") + sentence})
        wording.append(sentence)
    text = (" ".join(wording) + "\n\n" if wording else "") + facts
    write({"text": ("\n\n" if wording else "") + facts})
    return AgentState(answer=text, citations=[c.model_dump() for c in cites])


def smalltalk(state: AgentState) -> AgentState:
    """A fixed greeting that says what can be asked (no model, no facts)."""
    get_stream_writer()({"text": SMALLTALK_REPLY})
    return AgentState(answer=SMALLTALK_REPLY, citations=[])
