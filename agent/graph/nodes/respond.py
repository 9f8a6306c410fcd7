"""respond: the turn's result as the JSON contract (`AgentAnswer`, docs/architecture.md)
and a `Turn` in the conversation memory. For SQL turns the wording is fixed text around
what the engine said; citations (set by validate) are the tables and columns the SQL
uses that exist in the schema document (an invented name is never cited). When
validate fell back to the starting query, the answer says the drafts failed and that
the query only joins the retrieved tables (it does not answer the question), and
`error` keeps the last draft's rejection, so callers see the question unanswered; it
is not kept for follow-ups."""

from __future__ import annotations

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from schemachat.agent.answer import AgentAnswer, Citation
from schemachat.agent.context import AgentContext
from schemachat.agent.graph.state import AgentState, Turn
from schemachat.agent.plans.question import read_question

NO_DATABASE = ("not checked: no database configured (--database or "
               "SCHEMACHAT_FB_DATABASE)")


def sql_answer(state: AgentState, ctx: AgentContext) -> tuple[str, str | None]:
    """(answer text, error) for a SQL turn, from what plan, validate and run recorded."""
    error = state.get("sql_error")
    sql = state.get("sql")
    tries = state.get("attempts") or 0
    if state.get("plan") is not None:
        return plan_answer(state)
    if not sql and not ctx.has_model:
        return unmapped_answer(state)
    if state.get("fallback_error"):
        # An error all the same: the question is unanswered (exit 1, the UI says so).
        return fallback_text(state), f"no draft was accepted: {state['fallback_error']}"
    if error and not state.get("checked"):
        tables = ", ".join(state.get("tables") or []) or "none found"
        return (f"I could not write SQL that Firebird accepts for this ({tries} "
                f"{'try' if tries == 1 else 'tries'}); the last draft was rejected: {error}. "
                f"Tables that look relevant: {tables}."
                + (f" Their joins: {state['skeleton']}" if state.get("skeleton") else ""),
                error)
    if error:  # checked, but running it failed
        return f"Firebird accepts the query, but running it failed: {error}", error
    if not state.get("checked"):
        return f"Draft SQL ({NO_DATABASE}).", NO_DATABASE
    if not state.get("run"):
        return ("Firebird accepts this query (prepared as a read-only SELECT; not run)."
                + _repairs(tries)), None
    return _result_text(state) + _repairs(tries), None if sql else "no SQL"


def plan_answer(state: AgentState) -> tuple[str, str | None]:
    """The plan in words; a note when Firebird only prepared it (not run) or nothing
    checked it (no database)."""
    text = state.get("plan_text") or ""
    pt = read_question(state["question"]).lang == "pt"
    if not state.get("checked"):
        return text + " " + NO_DATABASE + ".", NO_DATABASE
    if not state.get("run"):
        text += (" O Firebird aceita a consulta (preparada como SELECT somente leitura; não "
                 "executada)." if pt else " Firebird accepts the query (prepared as a "
                 "read-only SELECT; not run).")
    return text, None


def unmapped_answer(state: AgentState) -> tuple[str, str]:
    """No plan fits and no model can draft: what could not be mapped, and no table."""
    words = state.get("unmapped") or []
    shown = ", ".join(f"'{w}'" for w in words) or "?"
    if read_question(state["question"]).lang == "pt":
        text = (f"Não encontrei no esquema a coluna ou o valor para {shown}, então não "
                "respondo com uma tabela que talvez responda outra pergunta. Reformule com "
                "os termos das tabelas (a busca de esquema ajuda a achá-los).")
    else:
        text = (f"I could not map {shown} to a column or value of the schema, so I give no "
                "table that might answer another question. Rephrase with the schema's terms "
                "(schema search helps to find them).")
    return text, f"no query plan fits the question (not mapped: {', '.join(words) or '?'})"


def fallback_text(state: AgentState) -> str:
    """What to say about the starting query: the drafts failed, and this only joins."""
    tries = state.get("attempts") or 0
    tables = ", ".join(state.get("tables") or [])
    return (f"The model could not draft a query Firebird accepts ({tries} "
            f"{'try' if tries == 1 else 'tries'}; the last draft was rejected: "
            f"{state.get('fallback_error')}). The SQL below does NOT answer the question: it "
            f"is a starting query that joins the retrieved tables ({tables}) on their keys "
            "and shows a few of their columns, checked by Firebird and not run. Add the "
            "columns, filters and grouping the question needs.")


def _repairs(tries: int) -> str:
    return f" It took {tries} drafts." if tries > 1 else ""


def _result_text(state: AgentState) -> str:
    rows, columns = state.get("rows") or [], state.get("columns") or []
    if len(rows) == 1 and len(columns) == 1:
        return f"Result: {columns[0]} = {rows[0][0]}."
    more = " (more rows exist; capped)" if state.get("truncated") else ""
    return f"The query returned {len(rows)} row{'s' if len(rows) != 1 else ''}{more}."


def respond(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Set `result` (the contract object as a dict), `error`, and append the turn."""
    ctx = runtime.context
    intent = state.get("intent", "schema")
    sql = state.get("sql")
    error = None
    cites = state.get("citations") or []
    if intent in ("sql", "run"):
        text, error = sql_answer(state, ctx)
        get_stream_writer()({"text": text})
    else:
        text = state.get("answer") or ""
    result = AgentAnswer(answer=text, sql=sql if intent in ("sql", "run") else None,
                         columns=state.get("columns") or [], rows=state.get("rows") or [],
                         citations=list(dict.fromkeys(Citation(**c) for c in cites)),
                         error=error, plan=state.get("plan") if intent in ("sql", "run")
                         else None,
                         chosen_by=state.get("chosen_by") if intent in ("sql", "run") and
                         state.get("plan") is not None else None)
    used = state.get("sql_tables") or []
    # what a follow-up may change (not the starting query: it answered nothing)
    kept = sql if sql and not state.get("sql_error") and not state.get("fallback_error") \
        else None
    turn = Turn(question=state["question"], intent=intent, sql=kept,
                tables=used or [h["name"] for h in state.get("hits") or []][:3],
                ok=error is None)
    return AgentState(answer=text, error=error, citations=cites,
                      result=result.model_dump(), turns=[turn])
