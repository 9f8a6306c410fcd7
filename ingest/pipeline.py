"""Workspace-level steps: read the inputs, run a stage, write its file.

The CLI, `schemachat up` and the Gradio app call these; each returns what it wrote.
"""

from __future__ import annotations

from collections.abc import Callable

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
from schemachat.ingest.samples import collect_samples
from schemachat.ingest.workspace import Workspace, read_model, read_optional, write_model

Progress = Callable[[str], None]


def workspace(settings: Settings) -> Workspace:
    """The workspace folder of `settings`, created if needed."""
    return Workspace(settings.workspace).ensure()


def run_extract(settings: Settings) -> TechnicalSchema:
    """Extract the technical schema and write `technical_schema_details.json`."""
    ws = workspace(settings)
    target = parse_target(settings.fb_database or "")
    name = target.path.rsplit("/", 1)[-1] if target.embedded else str(target)
    with opened(settings) as con:
        schema = extract_schema(con, database_name=name)
    write_model(ws.technical, schema)
    return schema


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
    return samples


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
