"""The nodes of the agent graph: plain functions of the state (and the runtime context)
that return the fields they change. `schemachat.agent.graph.graph` wires them together."""

from schemachat.agent.graph.nodes.answer import answer_schema, smalltalk
from schemachat.agent.graph.nodes.draft import draft_sql, repair_sql
from schemachat.agent.graph.nodes.respond import respond
from schemachat.agent.graph.nodes.retrieve import retrieve
from schemachat.agent.graph.nodes.route import route
from schemachat.agent.graph.nodes.validate import validate_sql

__all__ = ["answer_schema", "draft_sql", "repair_sql", "respond", "retrieve", "route",
           "smalltalk", "validate_sql"]
