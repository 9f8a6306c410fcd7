"""Fuzzing the running API from its own OpenAPI document with schemathesis (CLI, against
uvicorn on loopback): generated valid and invalid requests for every operation; no 5xx,
no undocumented status, responses that match their schema.

`positive_data_acceptance` is left out: a schema-valid request can still name a column or
an adapter that does not exist, and 400 is the right answer to that. Every backend name
gets the fake model here (the factory), so `"backend": "default"` does not load Gemma.

The agent operations once rejected nearly every generated body (schemathesis' "schema
validation mismatch"): the chat request's schema said less than the route checked. It
now states the model-name pattern, that a user message must be there and not blank, and
the question's length; what the schema cannot say (a question of text parts longer than
4,000 characters, an adapter that does not exist) is a documented 400.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from schemachat.agent.retrieval.embeddings import SentenceEmbeddings
from schemachat.agent.retrieval.index import build_index
from schemachat.configs import Settings, load_settings
from schemachat.ui.api import create_app
from tests.support import retrieval_fixtures
from tests.support.api import TOKEN, running

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
AGENT_PATHS = r"^(/databases/\{db\})?/(ask|sql|v1/chat/completions)$"


@pytest.fixture(scope="module")
def fuzz_base(tmp_path_factory: pytest.TempPathFactory, embeddings: SentenceEmbeddings):
    from schemachat.agent.session import Agent

    root = tmp_path_factory.mktemp("fuzz_ws")
    build_index(retrieval_fixtures.tiny_workspace(root), embeddings=embeddings)
    settings = load_settings(workspace=root, model_backend="fake", api_tokens=[TOKEN],
                             api_rate_limit_per_minute=100_000_000)

    def fake_only(s: Settings, backend: str | None, adapters: list[str] | None) -> Agent:
        return Agent.open(s, backend="fake", adapters=adapters)

    with running(create_app(settings, agent_factory=fake_only)) as base:
        yield base


def schemathesis(base: str, tmp_path: Path, *selection: str) -> str:
    # A real table for the annotation writes: with names drawn at random nearly every
    # PUT is a 404 and the body's validation is never reached (schemathesis warns, and
    # which names it draws shifts with any change of the OpenAPI document). Likewise the
    # served database for the /databases/{db}/... routes (any other name is 403).
    table = retrieval_fixtures.tiny_doc().relations()[0].name
    puts = "".join(f'[[operations]]\ninclude-name = "PUT {prefix}/annotations/{{name}}"\n'
                   f'parameters = {{ "path.name" = "{table}" }}\n'
                   for prefix in ("", "/databases/{db}"))
    (tmp_path / "schemathesis.toml").write_text(
        'parameters = { "path.db" = "default" }\n' + puts, encoding="utf-8")
    result = subprocess.run(
        [SCHEMATHESIS, "run", f"{base}/openapi.json", "-H", f"Authorization: Bearer {TOKEN}",
         "--checks", "all", "--exclude-checks", "positive_data_acceptance",
         "--max-examples", "25", "--seed", "1", "--request-timeout", "30",
         "--max-response-time", "20", "--report-dir", str(tmp_path / "report"), *selection],
        capture_output=True, text=True, timeout=540, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:]
    return result.stdout


def test_schema_and_service_operations(fuzz_base: str, tmp_path: Path) -> None:
    out = schemathesis(fuzz_base, tmp_path, "--exclude-path-regex", AGENT_PATHS)
    # 11 routes (the default database's and GET /databases), 9 under /databases/{db}
    assert "Tested: 20" in out and "No issues found" in out, out[-3000:]


def test_agent_operations(fuzz_base: str, tmp_path: Path) -> None:
    out = schemathesis(fuzz_base, tmp_path, "--include-path-regex", AGENT_PATHS)
    assert "Tested: 6" in out and "No issues found" in out, out[-3000:]
