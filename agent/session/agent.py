"""Run agent turns: `Agent.open(settings).ask("onde fica ...?", session="s1")`.

`ask` returns the turn's `AgentAnswer`; `stream` yields `AgentEvent`s as the answer is
written (text pieces, status lines), then the result. With `session`, the turn is
checkpointed in the workspace's sessions file and later turns of the same session see it
(follow-ups); without, the turn stands alone and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph

from schemachat.agent.answer import AgentAnswer, json_rows
from schemachat.agent.context import AgentContext
from schemachat.agent.graph.graph import build_graph
from schemachat.agent.graph.state import Mode, ToolState, Turn, new_turn
from schemachat.agent.graph.tool_graph import build_tool_graph
from schemachat.agent.prompts.messages import TOOLS_CHECK_HINT, TOOLS_RUN_HINT
from schemachat.agent.retrieval import SchemaIndex
from schemachat.agent.session.memory import Checkpointer, open_checkpointer
from schemachat.agent.sql.check import validate
from schemachat.agent.sql.grounding import sql_citations
from schemachat.agent.tools import SchemaToolbox
from schemachat.configs import BadInput, Settings

MAX_QUESTION = 4_000  # characters


@dataclass(frozen=True)
class AgentEvent:
    """A piece of a streamed turn: `text` to append, a `status` line, or the `result`."""

    kind: Literal["text", "status", "result"]
    text: str = ""
    result: AgentAnswer | None = None


class Agent:
    """The graph with its context and (lazily) its checkpointer."""

    def __init__(self, context: AgentContext) -> None:
        self.context = context
        self._tools: list[BaseTool] = []
        if context.settings.agent_tools:
            self._tools = SchemaToolbox(context).tools()
            context.tool_model = _bind_tools(context, self._tools)  # BadInput now, not mid-turn
        self._plain = self._build()
        self._remembering: CompiledStateGraph | None = None
        self._checkpointer: Checkpointer | None = None

    @classmethod
    def open(cls, settings: Settings, *, backend: str | None = None,
             adapters: Sequence[str] | None = None, model: BaseChatModel | None = None,
             index: SchemaIndex | None = None) -> Agent:
        """An agent over the workspace of `settings` (see AgentContext.open)."""
        return cls(AgentContext.open(settings, backend=backend, adapters=adapters,
                                     model=model, index=index))

    def _graph(self, session: str | None) -> CompiledStateGraph:
        if session is None:
            return self._plain
        if self._remembering is None:
            self._checkpointer = open_checkpointer(self.context.settings)
            self._remembering = self._build(self._checkpointer.saver)
        return self._remembering

    def _build(self, saver: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
        if self._tools:
            return build_tool_graph(self._tools, saver)
        return build_graph(saver)

    def _input(self, question: str, mode: Mode, run: bool) -> dict[str, Any]:
        if not self._tools:
            return dict(new_turn(question, mode=mode, run=run))
        hint = "" if mode == "ask" else TOOLS_RUN_HINT if run else TOOLS_CHECK_HINT
        return dict(ToolState(messages=[HumanMessage(hint + question)], rounds=0, result={}))

    def _start(self, question: str, session: str | None, mode: Mode,
               run: bool) -> tuple[CompiledStateGraph, dict[str, Any], dict[str, Any]]:
        question = question.strip()
        if not question:
            raise BadInput("empty question: ask about the schema or for the SQL of a question")
        if len(question) > MAX_QUESTION:
            raise BadInput(f"question too long ({len(question)} characters; at most "
                           f"{MAX_QUESTION})")
        if session is not None and not session.strip():
            raise BadInput("empty session id")
        # One meaning of run everywhere: `sql` without --run executes nothing; `ask` runs
        # what a data question needs (the plain graph's run intent, a tool call).
        configurable: dict[str, Any] = {"run_sql": run or mode == "ask"}
        if session:
            configurable["thread_id"] = session
        config: dict[str, Any] = {"configurable": configurable}
        return self._graph(session), self._input(question, mode, run), config

    def ask(self, question: str, *, session: str | None = None, mode: Mode = "ask",
            run: bool = False) -> AgentAnswer:
        """One turn; BadInput for an empty question or a missing index."""
        graph, state, config = self._start(question, session, mode, run)
        final = graph.invoke(state, config, context=self.context)
        return AgentAnswer.model_validate(final["result"])

    def stream(self, question: str, *, session: str | None = None, mode: Mode = "ask",
               run: bool = False) -> Iterator[AgentEvent]:
        """One turn as events: text pieces and status lines as they come, then the result."""
        graph, state, config = self._start(question, session, mode, run)
        final: dict[str, Any] = {}
        for kind, chunk in graph.stream(state, config, context=self.context,
                                        stream_mode=["custom", "values"]):
            if kind == "values":
                final = chunk
            elif "text" in chunk:
                yield AgentEvent("text", text=chunk["text"])
            elif "status" in chunk:
                yield AgentEvent("status", text=chunk["status"])
        yield AgentEvent("result", result=AgentAnswer.model_validate(final["result"]))

    def run_sql(self, sql: str) -> AgentAnswer:
        """Run SQL a person wrote or edited (the Chat tab's Run, Slack's button) through
        the same validate step as every draft; the answer says how many rows came back
        and cites what the statement reads. BadInput without a database."""
        ctx = self.context
        if not ctx.has_database:
            raise BadInput("no database configured (--database or SCHEMACHAT_FB_DATABASE)")
        verdict = validate(sql, ctx.doc(), ctx.settings, ctx.database, run=True,
                           names=ctx.names())
        cites = sql_citations(verdict.parsed, ctx.doc())
        if verdict.error or verdict.result is None:
            return AgentAnswer(answer=f"Not run: {verdict.error}", sql=verdict.sql,
                               citations=cites, error=verdict.error)
        rows, capped = verdict.result.shown(ctx.settings.agent_rows_shown)
        more = " (more rows exist; capped)" if capped else ""
        shown = len(rows)
        return AgentAnswer(answer=f"{shown} row{'' if shown == 1 else 's'}{more}.",
                           sql=verdict.sql, columns=verdict.result.columns,
                           rows=json_rows(rows), citations=cites)

    def history(self, session: str) -> list[Turn]:
        """The turns of `session` so far (empty for an unknown session). With
        `agent_tools` the session is its chat messages, and this is empty."""
        snapshot = self._graph(session).get_state({"configurable": {"thread_id": session}})
        return list(snapshot.values.get("turns") or [])

    def close(self) -> None:
        """Release the database connection and the sessions store."""
        self.context.close()
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer, self._remembering = None, None


def _bind_tools(context: AgentContext, tools: list[BaseTool]) -> Runnable:
    """The context's model bound to `tools`; BadInput when it cannot call tools."""
    try:
        return context.chat_model().bind_tools(tools)
    except NotImplementedError:
        raise BadInput(f"agent_tools needs a model that can call tools; the "
                       f"{context.settings.model_backend} backend's cannot (use the openai "
                       "backend with a tool-calling model, or turn agent_tools off)") from None
