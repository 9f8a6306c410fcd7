"""The agent: from a question to an answer grounded in the schema document and the engine.

    session/    where a turn is run (Agent), conversation memory
    graph/      the LangGraph graphs, their state and nodes
    tools.py    the schema tools offered to models that call tools
    context.py  what a turn uses: settings, model, document, index, database
    prompts/    what the model is shown
    plans/      query plans: data questions answered without a model
    sql/        SQL made, checked and made safe
    retrieval/  the hybrid schema index
    models/     chat model backends
    adapters/   LoRA adapters as plain data
    answer.py   the answer contract (JSON of `ask --json`, the HTTP API)
    feedback.py ratings and golden question -> SQL pairs

Imports go down this list only (import-linter contracts in pyproject.toml).
"""
