"""What the model is shown: prompt text (`messages.py`), the schema facts of the
retrieved tables (`facts.py`) and worked examples built from the schema and from
golden pairs (`examples.py`)."""
