"""Workspace file models: one versioned pydantic model per file, with its JSON Schema."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from schemachat.ingest.models import annotations, combined, counts, samples, technical, values

FILE_MODELS: dict[str, type[BaseModel]] = {
    technical.FILENAME: technical.TechnicalSchema,
    annotations.FILENAME: annotations.SchemaMetadata,
    counts.FILENAME: counts.OverviewCounts,
    samples.FILENAME: samples.Samples,
    combined.FILENAME: combined.CombinedSchema,
    values.FILENAME: values.TextValues,
}


def json_schemas(models: Mapping[str, type[BaseModel]] | None = None) -> dict[str, str]:
    """`NAME.schema.json` -> JSON Schema text, for every workspace file (of `models`:
    file name -> model, default FILE_MODELS; higher stages add theirs)."""
    result = {}
    for filename, model in (FILE_MODELS if models is None else models).items():
        name = filename.removesuffix(".json") + ".schema.json"
        schema = model.model_json_schema()
        schema["$id"] = f"https://schemachat.invalid/schemas/{name}"
        result[name] = json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    return result


def write_json_schemas(folder: Path,
                       models: Mapping[str, type[BaseModel]] | None = None) -> list[Path]:
    """Write every JSON Schema (see json_schemas) into `folder`; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in json_schemas(models).items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
