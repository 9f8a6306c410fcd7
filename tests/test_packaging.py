"""The stage folders install as schemachat.<stage>, never as bare top-level names."""

from __future__ import annotations

import importlib.util
import tomllib

from tests.support.paths import REPO_ROOT

ROOT = REPO_ROOT
STAGES = ["configs", "ingest", "agent", "training", "ui"]


def test_every_python_folder_is_a_listed_package() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"])
    found = set()
    for stage in STAGES:
        for init in (ROOT / stage).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT).parts
            found.add(".".join(("schemachat", *rel)))
    for stage in STAGES:
        for py in (ROOT / stage).rglob("*.py"):
            assert (py.parent / "__init__.py").exists(), f"{py.parent} has no __init__.py"
    assert found == listed


def test_stages_import_under_schemachat_only() -> None:
    for stage in STAGES:
        assert importlib.util.find_spec(f"schemachat.{stage}") is not None
        spec = importlib.util.find_spec(stage)
        # A bare `agent` or `ui` must not come from this project's install.
        assert spec is None or "site-packages/schemachat" not in str(spec.origin)


def test_json_schemas_committed_match_models() -> None:
    from schemachat.ingest.models import json_schemas
    from schemachat.ui.cli.pipeline import file_models

    schemas = json_schemas(file_models())
    assert {"active.schema.json", "text_values.schema.json", "plan.schema.json"} <= set(schemas)
    for name, text in schemas.items():
        committed = ROOT / "docs" / "schemas" / name
        assert committed.exists(), f"{committed} missing: run `make schemas`"
        assert committed.read_text(encoding="utf-8") == text, f"{name} stale: run `make schemas`"


def test_plan_schema_describes_the_query_plan() -> None:
    import json

    from schemachat.agent.plans.plan import QueryPlan

    schema = json.loads((ROOT / "docs" / "schemas" / "plan.schema.json").read_text("utf-8"))
    assert schema["title"] == "QueryPlan" and set(schema["required"]) == {"table", "select"}
    assert set(schema["properties"]) == set(QueryPlan.model_fields)
    assert {"Col", "Expr", "Item", "Filter", "Join", "Related", "Order"} <= set(schema["$defs"])
