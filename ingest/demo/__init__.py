"""Build the Portuguese demo ERP database (a legacy Firebird schema with realistic data).

`build_demo` creates it; `demo_annotations` is what its team would have written about it.
"""

from __future__ import annotations

from importlib import resources

from schemachat.ingest.demo.build import DemoReport, build_demo
from schemachat.ingest.models.annotations import SchemaMetadata

__all__ = ["DemoReport", "build_demo", "demo_annotations"]


def demo_annotations() -> SchemaMetadata:
    """The team's annotations of the demo ERP (descriptions, value mappings, tags).

    Read from `annotations.json` shipped in this package; every object and column named
    there exists in the database `build_demo` makes.
    """
    text = resources.files(__name__).joinpath("annotations.json").read_text(encoding="utf-8")
    return SchemaMetadata.model_validate_json(text)
