"""Where a turn is run: `Agent` (agent.py) opens the context, runs one question through
the graph and returns the answer; `memory.py` keeps conversations per session."""

from schemachat.agent.session.agent import MAX_QUESTION, Agent, AgentEvent

__all__ = ["MAX_QUESTION", "Agent", "AgentEvent"]
