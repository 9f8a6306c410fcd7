"""Workspace-level steps: read the inputs, run a stage, write its file.

The CLI, `schemachat up` and the Gradio app call these; each returns what it wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from schemachat.configs import Settings
from schemachat.ingest.counts import estimate_counts, exact_counts
from schemachat.ingest.extract import extract_schema
from schemachat.ingest.firebird import opened, parse_target
from schemachat.ingest.merge import merge
from schemachat.ingest.models.annotations import SchemaMetadata
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.counts import OverviewCounts
from schemachat.ingest.models.samples import Samples
from schemachat.ingest.models.technical import TechnicalSchema
from schemachat.ingest.models.values import TextValues
from schemachat.ingest.samples import collect_samples
from schemachat.ingest.values import collect_values
from schemachat.ingest.workspace import Workspace, read_model, read_optional, write_model

Progress = Callable[[str], None]


def workspace(settings: Settings) -> Workspace:
    """The workspace folder of `settings`, created if needed."""
    return Workspace(settings.workspace).ensure()


def run_extract(settings: Settings) -> TechnicalSchema:
    """Extract the technical schema and write `technical_schema_details.json`."""
    with opened(settings) as con:
        schema = extract_schema(con, database_name=_database_name(settings))
    write_model(workspace(settings).technical, schema)
    return schema


def _database_name(settings: Settings) -> str:
    """What the documents call the database: its file name, or host:path (no secrets)."""
    target = parse_target(settings.fb_database or "")
    return Path(target.path).name if target.embedded else str(target)


def _tables(ws: Workspace) -> list[str]:
    return [t.name for t in read_model(ws.technical, TechnicalSchema).tables]


def run_counts(settings: Settings, *, exact: bool = False,
               progress: Progress | None = None) -> OverviewCounts:
    """Count rows (estimate, or exact with `exact`) and write `overview_counts.json`."""
    ws = workspace(settings)
    tables = _tables(ws)
    with opened(settings) as con:
        if exact:
            counts = exact_counts(con, tables, timeout_s=settings.count_timeout_s,
                                  progress=progress)
        else:
            counts = estimate_counts(con, tables)
    write_model(ws.counts, counts)
    return counts


def run_samples(settings: Settings, *, progress: Progress | None = None) -> Samples:
    """Sample rows and code-column distributions into `samples.json`."""
    ws = workspace(settings)
    schema = read_model(ws.technical, TechnicalSchema)
    with opened(settings) as con:
        samples = collect_samples(
            con, schema, rows=settings.sample_rows, distinct_max=settings.distinct_max,
            timeout_ms=settings.statement_timeout_ms, progress=progress,
        )
    write_model(ws.samples, samples)
    run_values(settings, schema)
    return samples


def run_values(settings: Settings, schema: TechnicalSchema | None = None) -> TextValues | None:
    """The value index into `text_values.json` (None when value_index_max is 0)."""
    if not settings.value_index_max:
        return None
    ws = workspace(settings)
    schema = schema or read_model(ws.technical, TechnicalSchema)
    with opened(settings) as con:
        found = collect_values(con, schema, max_values=settings.value_index_max,
                               timeout_ms=settings.statement_timeout_ms)
    write_model(ws.values, found)
    return found


def run_merge(settings: Settings) -> CombinedSchema:
    """Merge the workspace files into `combined_schema_details.json`.

    Only the technical schema is required; annotations, counts and samples are used
    when present.
    """
    ws = workspace(settings)
    combined = merge(
        read_model(ws.technical, TechnicalSchema),
        read_optional(ws.annotations, SchemaMetadata),
        read_optional(ws.counts, OverviewCounts),
        read_optional(ws.samples, Samples),
    )
    write_model(ws.combined, combined)
    return combined


def refresh_extract(settings: Settings) -> bool:
    """Extract again and rewrite `technical_schema_details.json` only if the schema
    changed (the extraction is a dozen queries; comparing is cheaper than guessing from
    file dates, which every attachment to an embedded database moves). True if changed."""
    ws = workspace(settings)
    old = read_optional(ws.technical, TechnicalSchema)
    with opened(settings) as con:
        new = extract_schema(con, database_name=_database_name(settings))
    if old is not None and _same_schema(old, new):
        return False
    write_model(ws.technical, new)
    return True


def _same_schema(a: TechnicalSchema, b: TechnicalSchema) -> bool:
    return a.model_dump(exclude={"extracted_at"}) == b.model_dump(exclude={"extracted_at"})


def stale_stages(settings: Settings) -> list[str]:
    """The stages after extraction whose file is missing or older than its inputs."""
    ws = Workspace(settings.workspace)

    def older(path: Path, *sources: Path) -> bool:
        if not path.exists():
            return True
        mtime = path.stat().st_mtime
        return any(s.exists() and s.stat().st_mtime > mtime for s in sources)

    stale = [stage for stage, path in (("counts", ws.counts), ("samples", ws.samples))
             if older(path, ws.technical)]
    if stale or older(ws.combined, ws.technical, ws.annotations, ws.counts, ws.samples):
        stale.append("merge")
    return stale


def run_stage(settings: Settings, stage: str, progress: Progress | None = None) -> None:
    """Run one of the stages after extraction by name."""
    if stage == "counts":
        run_counts(settings)
    elif stage == "samples":
        run_samples(settings, progress=progress)
    elif stage == "merge":
        run_merge(settings)
    else:
        raise ValueError(f"unknown stage {stage!r}")
