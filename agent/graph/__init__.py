"""The LangGraph graphs of one turn: `graph.py` (any model: route, retrieve, draft,
validate and run, respond), `tool_graph.py` (models that call tools), their typed state
(`state.py`) and the nodes (`nodes/`)."""
