"""The Chat tab: ask the agent, see the answer stream in, the SQL in a code block with a
Run button, the query plan the SQL was compiled from (when a plan answered: its parts,
its JSON folded away), the result table, citations linking to their Annotate entry, a
backend and adapter selector, and thumbs up/down recorded in the workspace
(feedback.jsonl; a thumbs up on checked SQL becomes a golden example in golden_sql.jsonl,
with its plan when the SQL is the plan's, unedited).

Above it, the model's state (#chat-model) while the app prepares it in the background
(one warm-up for every database): "Loading the model…" until it is ready, refreshed by a
gr.Timer that stops once loading has ended; a question asked meanwhile waits, saying so.

It talks to the database the header's picker chose, with that database's agents. Each
database has its own conversation in a browser session (its own agent session id, its
own history shown): picking another database puts the current conversation aside and
shows that one's, and stops a question still being answered."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import gradio as gr
import pandas as pd

from schemachat.agent.answer import AgentAnswer, Citation
from schemachat.agent.feedback import Feedback, record_feedback
from schemachat.agent.models import BACKENDS
from schemachat.agent.models.warmup import ModelState
from schemachat.agent.sql.grounding import sql_relations
from schemachat.configs import SchemachatError
from schemachat.ui.app.database_picker import DatabaseChoice
from schemachat.ui.context import AppContext
from schemachat.ui.plan_view import plan_markdown

TITLE = "Chat"
ID = "chat"

NO_ROWS = ["no result rows yet: ask for data, or run the SQL"]  # the empty grid's header


def citations_markdown(citations: list[Citation], db: str | None = None) -> str:
    """Citations as links that open the Annotate tab on the table or column (of database
    `db`, when given: the link must not open another database's table)."""
    if not citations:
        return ""
    links = []
    for c in citations:
        label = c.table + (f".{c.column}" if c.column else "")
        query = (f"?db={db}&" if db else "?") + f"table={c.table}" + (
            f"&column={c.column}" if c.column else "")
        links.append(f"[{label}]({query})")
    return "**Sources:** " + " · ".join(links)


def session_id(browser_session: str, db: str | None) -> str:
    """The agent session of a browser session in database `db`: one per database, so
    follow-ups never see another database's turns (even with a shared sessions_url)."""
    return f"{db}:{browser_session}" if db else browser_session  # as the API and Slack keep them


def model_line(state: ModelState | None) -> str:
    """The model's state in one Markdown line for the top of the tab."""
    if state is None:
        return ""
    name = f"`{state.name}`" if state.name else "the model"
    if state.state == "loading":
        so_far = f", {state.seconds:.0f} s so far" if state.seconds is not None else ""
        step = f": {state.step}" if state.step else ""
        return (f"⏳ **Loading the model…** {name}{so_far}{step}. Questions wait until it is "
                "ready (the first start converts the default model once, about a minute "
                "and a half).")
    if state.state == "failed":
        return (f"**The model {name} failed to load:** {state.error}. Pick another backend "
                "below, or fix the model settings and restart.")
    if state.state == "none":
        return ("No chat model (model_backend none): query plans answer data questions, the "
                "schema document answers the rest.")
    return f"Model {name} is ready."


def _same_sql(a: str | None, b: str | None) -> bool:
    """Whether two SQL texts are the same statement, whitespace aside."""
    return " ".join((a or "").split()) == " ".join((b or "").split())


def _rows_frame(result: AgentAnswer) -> pd.DataFrame:
    return pd.DataFrame(result.rows, columns=result.columns) if result.columns \
        else pd.DataFrame(columns=NO_ROWS)


def _adapter_names(ctx: AppContext) -> list[str]:
    try:
        from schemachat.agent.models import adapter_store

        return [a.name for a in adapter_store(ctx.settings).list()]
    except (SchemachatError, OSError):
        return []


def build(choice: DatabaseChoice, app: gr.Blocks, tab: gr.Tab) -> None:
    """Lay out the tab and wire its events."""
    settings = choice.served.settings  # the model settings are the same for every database
    db = choice.state
    several = len(choice.served.names) > 1

    def link_db(name: str | None) -> str | None:
        # Links name their database only when there is a choice (single-database URLs stay).
        return name if several else None

    session = gr.State(lambda: uuid.uuid4().hex)
    last = gr.State(None)  # {"db", "question", "result", "backend", "adapters"}
    chats = gr.State({})  # database -> its conversation, while another one is shown
    shown_db = gr.State(None)  # the database whose conversation the chat log shows
    warmup = choice.served.warmup
    model_md = gr.Markdown(model_line(warmup.state() if warmup else None),
                           elem_id="chat-model")
    timer = gr.Timer(1.0, active=warmup is not None)

    def model_tick() -> tuple[str, gr.Timer]:
        # The timer runs only while the model loads: then nothing changes any more.
        state = warmup.state() if warmup else None
        return model_line(state), gr.Timer(active=state is not None
                                           and state.state == "loading")

    timer.tick(model_tick, outputs=[model_md, timer])
    app.load(model_tick, outputs=[model_md, timer])
    with gr.Row():
        backend = gr.Dropdown(list(BACKENDS), value=settings.model_backend,
                              label="Model backend", elem_id="chat-backend", scale=1)
        adapters = gr.Dropdown(_adapter_names(choice.context(None)),
                               value=list(settings.adapters or []),
                               multiselect=True, label="Adapters", elem_id="chat-adapters",
                               info="none picked: the setting, else the active schema "
                                    "adapter (Training tab)", scale=2)
    chatbot = gr.Chatbot(label="schemachat", elem_id="chat-log", height=360)
    with gr.Row():
        question = gr.Textbox(placeholder="onde fica o limite de crédito do cliente?",
                              show_label=False, elem_id="chat-question", scale=5)
        send = gr.Button("Ask", variant="primary", elem_id="chat-send", scale=1)
    sql = gr.Code(language="sql", label="SQL", interactive=True, elem_id="chat-sql")
    plan = gr.Markdown(elem_id="chat-plan")  # the query plan, when one wrote the SQL
    with gr.Row():
        run = gr.Button("Run (read-only)", elem_id="chat-run")
        up = gr.Button("✓ Right", elem_id="chat-up")  # text: emoji fonts are not everywhere
        down = gr.Button("✗ Wrong", elem_id="chat-down")
    status = gr.Markdown(elem_id="chat-status")
    rows = gr.Dataframe(label="Result", headers=NO_ROWS, interactive=False,
                        elem_id="chat-rows")
    cites = gr.Markdown(elem_id="chat-cites")

    def ask(name: str | None, text: str, history: list[dict[str, Any]], sid: str, be: str,
            ads: list[str]) -> Iterator[tuple[Any, ...]]:
        text = (text or "").strip()
        if not text:
            yield (history, gr.update(), gr.update(), gr.update(), "Type a question.", None, "",
                   gr.update())
            return
        history = [*history, {"role": "user", "content": text},
                   {"role": "assistant", "content": ""}]
        yield history, "", gr.update(), gr.update(), "", None, "", ""
        if warmup is not None and be == settings.model_backend:
            # The agent would wait for the model anyway; say so rather than look stuck.
            while (state := warmup.wait(timeout=1.0)).state == "loading":
                yield (history, "", gr.update(), gr.update(), model_line(state), None, "",
                       "")
        try:
            agent = choice.database(name).agents.get(be, ads or None)
            result: AgentAnswer | None = None
            for event in agent.stream(text, session=session_id(sid, name)):
                if event.kind == "text":
                    history[-1]["content"] += event.text
                    yield history, "", gr.update(), gr.update(), "", None, "", ""
                elif event.kind == "status":
                    yield (history, "", gr.update(), gr.update(), f"_{event.text}_", None, "",
                           "")
                else:
                    result = event.result
        except SchemachatError as exc:
            history[-1]["content"] = f"⚠️ {exc}"
            yield history, "", gr.update(), gr.update(), f"**Error:** {exc}", None, "", ""
            return
        assert result is not None
        history[-1]["content"] = result.answer
        state = {"db": name, "question": text, "result": result.model_dump(), "backend": be,
                 "adapters": ads or []}
        note = f"**SQL error:** {result.error}" if result.error else ""
        yield (history, "", result.sql or "", _rows_frame(result), note, state,
               citations_markdown(result.citations, link_db(name)), plan_markdown(result.plan))

    outputs = [chatbot, question, sql, rows, status, last, cites, plan]
    asking = [send.click(ask, [db, question, chatbot, session, backend, adapters], outputs),
              question.submit(ask, [db, question, chatbot, session, backend, adapters],
                              outputs)]

    def switch(name: str | None, history: list[dict[str, Any]], was: str | None,
               kept: dict[str, Any]) -> dict[Any, Any]:
        """Another database was picked (or the page loaded): its conversation, its
        adapters, and nothing left of the previous database's answer."""
        ads = gr.update(choices=_adapter_names(choice.context(name)))
        if was is None or was == name:  # the page's first database: nothing to put aside
            return {shown_db: name, adapters: ads}
        kept = dict(kept or {}) | {was: history}
        return {chatbot: kept.get(name or "", []), shown_db: name, chats: kept, question: "",
                sql: "", rows: pd.DataFrame(columns=NO_ROWS), status: "", last: None,
                cites: "", plan: "", adapters: ads}

    db.change(switch, [db, chatbot, shown_db, chats],
              [chatbot, shown_db, chats, question, sql, rows, status, last, cites, plan, adapters])
    # A question still being answered belongs to the previous database: a pick stops it.
    choice.picker.input(None, cancels=asking)

    def run_sql(name: str | None, text: str, state: dict[str, Any] | None, be: str,
                ads: list[str]) -> tuple[Any, ...]:
        ctx = choice.context(name)
        if not (text or "").strip():
            return gr.update(), "No SQL to run.", state, gr.update(), gr.update()
        if not ctx.settings.fb_database:
            return gr.update(), "**No database configured** (SCHEMACHAT_FB_DATABASE).", \
                state, gr.update(), gr.update()
        try:
            res = choice.database(name).agents.get(be, ads or None).run_sql(text)
        except SchemachatError as exc:  # the database went away: the next run reconnects
            return gr.update(), f"**Failed:** {exc}", state, gr.update(), gr.update()
        if res.error:
            return gr.update(), f"**Refused or failed:** {res.error}", state, gr.update(), \
                gr.update()
        shown = gr.update()
        if state is not None:  # what a thumbs up would now confirm
            before = state["result"]
            edited = not _same_sql(before.get("sql"), text)
            state = {**state, "result": {**before, "sql": res.sql, "error": None,
                                         "plan": None if edited else before.get("plan")}}
            shown = "" if edited else gr.update()  # edited SQL is no longer the plan's
        return (_rows_frame(res), res.answer, state,
                citations_markdown(res.citations, link_db(name)), shown)

    run.click(run_sql, [db, sql, last, backend, adapters], [rows, status, last, cites, plan])

    def rate(rating: str, state: dict[str, Any] | None, sid: str, edited: str) -> str:
        if state is None:
            return "Ask something first."
        result = state["result"]
        sql_text = (edited or "").strip() or result.get("sql")
        # The plan is confirmed with the SQL only when the SQL is still the plan's.
        confirmed = result.get("plan") if _same_sql(result.get("sql"), sql_text) else None
        feedback = Feedback(rating=rating, question=state["question"], answer=result["answer"],  # type: ignore[arg-type]
                            sql=sql_text, sql_error=result.get("error"),
                            session=session_id(sid, state["db"]),
                            backend=state["backend"], adapters=state["adapters"],
                            plan=confirmed)
        # The database that answered, whichever the picker shows now.
        golden = record_feedback(choice.context(state["db"]).workspace.root, feedback,
                                 tables=sql_relations(sql_text or ""))
        return "Thanks: recorded" + (" (saved as a golden example)." if golden else ".")

    up.click(lambda s, sid, e: rate("up", s, sid, e), [last, session, sql], status)
    down.click(lambda s, sid, e: rate("down", s, sid, e), [last, session, sql], status)
