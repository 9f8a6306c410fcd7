"""Model suggestions for annotations through an OpenAI-compatible endpoint (Ollama, vLLM,
llama.cpp server), as a LangChain chat model: the interface the agent's backends share.

Configured by `suggest_base_url` and `suggest_model` (env SCHEMACHAT_SUGGEST_*). With no
model configured there are only heuristic suggestions, and `model_status` says so.
Like every suggestion, a model's is never saved until a person accepts it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from schemachat.configs import SchemachatError, Settings
from schemachat.ingest.models.annotations import SchemaMetadata
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.suggestions import Suggestion

NO_MODEL = ("No suggestion model configured: the suggestions here are heuristics only. "
            "Set SCHEMACHAT_SUGGEST_BASE_URL and SCHEMACHAT_SUGGEST_MODEL (e.g. a local "
            "Ollama at http://localhost:11434/v1) to ask a model too.")

SYSTEM = (
    "You document a legacy Firebird database whose names are often abbreviated Portuguese. "
    "Answer with one JSON object only: {\"description\": str, \"values\": {value: meaning}}. "
    "Write descriptions in the language of the existing descriptions (Portuguese if none). "
    "Give value meanings only for values listed as seen; leave out what you cannot tell."
)


def suggestion_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model, or None when none is configured."""
    if not (settings.suggest_base_url and settings.suggest_model):
        return None
    from langchain_openai import ChatOpenAI

    key = settings.suggest_api_key.get_secret_value() if settings.suggest_api_key else "none"
    return ChatOpenAI(base_url=settings.suggest_base_url, model=settings.suggest_model,
                      api_key=key, timeout=settings.suggest_timeout_s, temperature=0,
                      max_retries=1)  # type: ignore[call-arg]


def model_status(settings: Settings) -> str:
    """One sentence for the UI: which model suggests, or that none does."""
    if suggestion_model(settings) is None:
        return NO_MODEL
    return f"Model suggestions from `{settings.suggest_model}` at {settings.suggest_base_url}."


def context_for(doc: CombinedSchema, metadata: SchemaMetadata, table: str,
                column: str | None) -> str:
    """What the model is told about `table` (and `column`): types, keys, FKs, values seen,
    and what people already wrote."""
    rel = doc.relation(table)
    if rel is None:
        raise SchemachatError(f"unknown table or view '{table}'")
    note = metadata.objects.get(table)
    lines = [f"{rel.kind} {rel.name}" + (f": {note.description}" if note and note.description
                                         else "")]
    if rel.primary_key:
        lines.append(f"primary key: {', '.join(rel.primary_key.columns)}")
    lines += [f"FK {', '.join(fk.columns)} -> {fk.ref_table}({', '.join(fk.ref_columns)})"
              for fk in rel.foreign_keys]
    for col in rel.columns:
        col_note = note.columns.get(col.name) if note else None
        said = f" -- {col_note.description}" if col_note and col_note.description else ""
        seen = ""
        if col.distribution:
            seen = " values seen: " + ", ".join(f"{v.value!r}" for v in col.distribution[:15])
        mark = "  <== this column" if col.name == column else ""
        lines.append(f"  {col.name} {col.type}{said}{seen}{mark}")
    what = f"the column {table}.{column}" if column else f"the {rel.kind} {table}"
    ask = "a description and value meanings" if column else "a description"
    return "\n".join(lines) + f"\n\nSuggest {ask} for {what}."


def ask_model(model: BaseChatModel, doc: CombinedSchema, metadata: SchemaMetadata, table: str,
              column: str | None = None) -> list[Suggestion]:
    """Ask `model` for a description (and value meanings) of `table` or `table.column`.

    SchemachatError when the endpoint fails or answers something that is not the JSON
    asked for.
    """
    prompt = context_for(doc, metadata, table, column)
    try:
        reply = model.invoke([SystemMessage(SYSTEM), HumanMessage(prompt)])
    except Exception as exc:  # network, auth, timeout: say so in the UI
        raise SchemachatError(f"the suggestion model failed: {exc}") from None
    data = parse_reply(str(reply.content))
    target = f"{table}.{column}" if column else table
    out = []
    if isinstance(data.get("description"), str) and data["description"].strip():
        out.append(Suggestion(target, "description", data["description"].strip(), "model",
                              "asked the model"))
    values = data.get("values")
    if column and isinstance(values, dict) and values:
        clean = {str(k): str(v) for k, v in values.items() if str(v).strip()}
        if clean:
            out.append(Suggestion(target, "values", clean, "model", "asked the model"))
    return out


def parse_reply(text: str) -> dict[str, Any]:
    """The first JSON object in `text` (models like to wrap it in prose or fences)."""
    match = re.search(r"\{.*\}", text, re.DOTALL)
    try:
        data = json.loads(match.group(0)) if match else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise SchemachatError(f"the suggestion model did not answer with JSON: {text[:200]!r}")
    return data
