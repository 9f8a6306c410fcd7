"""The tool-calling turn (agent/graph/tool_graph.py), for models that can call tools: the
model, bound to the schema tools (agent/tools.py), calls them until it answers, at
most `agent_max_tool_rounds` times; `respond_tools` turns the turn into the JSON
contract.

Facts stay bounded by the documents and the engine: the answer loses every sentence
that names a schema-like name the document lacks or a number no tool returned
(agent/sql/grounding.py); the SQL, columns and rows are those of the turn's last
run_readonly_sql call that succeeded (checked by `sql.check.validate`, and run read-only
when the turn runs SQL); citations are the
tables that query reads and the tables described, as the document has them.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from schemachat.agent.answer import AgentAnswer, Citation
from schemachat.agent.context import AgentContext
from schemachat.agent.graph.state import ToolState
from schemachat.agent.prompts.messages import TOOLS_SYSTEM
from schemachat.agent.sql.grounding import doc_names, keep_grounded, sql_citations
from schemachat.configs import BadInput

NOT_RUN = "not run: the turn's model calls were used up (agent_max_tool_rounds)"


def call_model(state: ToolState, runtime: Runtime[AgentContext]) -> ToolState:
    """Append the model's next message (an answer, or tool calls)."""
    ctx = runtime.context
    rounds = (state.get("rounds") or 0) + 1
    get_stream_writer()({"status": "asking the model" if rounds == 1
                         else f"asking the model with the tools' results (call {rounds})"})
    kwargs: dict[str, Any] = {} if ctx.adapters is None else {"adapters": ctx.adapters}
    if ctx.tool_model is None:
        raise BadInput("the tool graph needs a model bound to the schema tools")
    reply = ctx.tool_model.invoke([SystemMessage(TOOLS_SYSTEM), *state["messages"]],
                                    **kwargs)
    for call in getattr(reply, "tool_calls", None) or []:
        get_stream_writer()({"status": f"calling {call['name']}"})
    return ToolState(messages=[reply], rounds=rounds)


def after_model(state: ToolState, runtime: Runtime[AgentContext]) -> str:
    """`tools` while the model asks for them and calls are left, else `respond`."""
    last = state["messages"][-1]
    wants = isinstance(last, AIMessage) and bool(last.tool_calls)
    left = (state.get("rounds") or 0) < runtime.context.settings.agent_max_tool_rounds
    return "tools" if wants and left else "respond"


def _last_run(turn: list[AnyMessage]) -> dict[str, Any] | None:
    names = {c["id"]: c["name"] for m in turn if isinstance(m, AIMessage)
             for c in m.tool_calls}
    runs = [m for m in turn if isinstance(m, ToolMessage) and m.status != "error"
            and names.get(m.tool_call_id) == "run_readonly_sql"]
    return json.loads(str(runs[-1].content)) if runs else None


def _described(turn: list[AnyMessage]) -> list[str]:
    return [str(c["args"].get("name", "")).upper() for m in turn if isinstance(m, AIMessage)
            for c in m.tool_calls if c["name"] == "describe_table"]


def respond_tools(state: ToolState, runtime: Runtime[AgentContext]) -> ToolState:
    """The turn's result from its messages (see the module docstring)."""
    doc = runtime.context.doc()
    messages = state["messages"]
    start = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
    turn = messages[start:]
    last = turn[-1]
    # Calls left unanswered when the budget ran out still get a reply: the next turn's
    # request must pair every tool call with a tool message.
    pending = [ToolMessage(NOT_RUN, tool_call_id=c["id"], status="error")
               for c in (last.tool_calls if isinstance(last, AIMessage) else [])]
    facts = "\n".join(str(m.content) for m in turn if isinstance(m, ToolMessage))
    text = "" if pending else keep_grounded(str(last.content), facts, doc_names(doc))
    run = _last_run(turn)
    sql = run["sql"] if run else None
    cites = sql_citations(sql, doc) if sql else []
    cites += [Citation(table=t) for t in _described(turn) if doc.relation(t) is not None]
    error = None
    if pending:
        error = f"no answer after {state.get('rounds')} model calls (agent_max_tool_rounds)"
    if not text:
        text = ("I could not answer this from what the tools returned." if run is None else
                "The query ran; its rows are below." if run.get("run", True) else
                "Firebird accepts this query (prepared as a read-only SELECT; not run).")
    answer = AgentAnswer(answer=text, sql=sql, columns=run["columns"] if run else [],
                         rows=run["rows"] if run else [],
                         citations=list(dict.fromkeys(cites)), error=error)
    get_stream_writer()({"text": answer.answer})
    return ToolState(messages=pending, result=answer.model_dump())
