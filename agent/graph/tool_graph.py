"""The graph for models that can call tools (`agent_tools`), built here and nothing else.

    model ─┬─ tools (ToolNode: the schema tools) ─ model   (at most agent_max_tool_rounds)
           └─ respond

Nodes are in `schemachat.agent.graph.nodes.tool_use`; the state is `ToolState`, whose
messages the checkpointer keeps per session (follow-ups see the earlier turns).
"""

from __future__ import annotations

from langchain_core.tools import BaseTool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode

from schemachat.agent.context import AgentContext
from schemachat.agent.graph.nodes.tool_use import after_model, call_model, respond_tools
from schemachat.agent.graph.state import ToolState


def build_tool_graph(tools: list[BaseTool],
                     checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    """The compiled tool-calling graph over `tools`; with `checkpointer`, per thread_id."""
    graph = StateGraph(ToolState, context_schema=AgentContext)
    graph.add_node("model", call_model)
    graph.add_node("tools", ToolNode(tools))
    graph.add_node("respond", respond_tools)
    graph.add_edge(START, "model")
    graph.add_conditional_edges("model", after_model, ["tools", "respond"])
    graph.add_edge("tools", "model")
    graph.add_edge("respond", END)
    return graph.compile(checkpointer=checkpointer)
