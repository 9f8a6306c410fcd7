"""LoRA adapters as plain data, below the model backends that load them:

- `store.py`: the adapters of a workspace (`<workspace>/adapters/NAME/`), added, listed,
  removed, checked against the configured base model;
- `active.py`: which adapters are active (`adapters/active.json`), watched by backends.

Nothing here loads a model; `schemachat.agent.models` reads these files.
"""
