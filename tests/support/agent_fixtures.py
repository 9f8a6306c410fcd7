"""Shared pieces of the agent tests: the demo workspace copied and indexed once per
session (the embedding model shared with the retrieval tests), scripted fake chat
models, and agents over them.

The fixtures (`agent_workspace` and `agent_index`, session scoped; `make_agent`) are
registered by `pytest_plugins` in tests/conftest.py: a test requests them by name. The
plain helpers are imported: `from tests.support.agent_fixtures import scripted`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import FakeListChatModel
from langchain_core.messages import BaseMessage
from pydantic import Field

from schemachat.agent.retrieval import SchemaIndex, index_document
from schemachat.agent.retrieval.embeddings import SentenceEmbeddings
from schemachat.agent.retrieval.index import read_manifest
from schemachat.agent.session import Agent
from schemachat.configs import Settings, load_settings
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.workspace import Workspace, read_model


@pytest.fixture(scope="session")
def agent_workspace(demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory,
                    embeddings: SentenceEmbeddings) -> Path:
    """A copy of the demo workspace with its retrieval index built (read-only use)."""
    root = tmp_path_factory.mktemp("agent") / "ws"
    shutil.copytree(demo_workspace, root)
    doc = read_model(Workspace(root).combined, CombinedSchema)
    index_document(doc, root / "index", load_settings(workspace=root), embeddings=embeddings)
    return root


@pytest.fixture(scope="session")
def agent_index(agent_workspace: Path, embeddings: SentenceEmbeddings) -> SchemaIndex:
    """The index of `agent_workspace`, opened once."""
    manifest = read_manifest(agent_workspace / "index")
    assert manifest is not None
    return SchemaIndex.load(agent_workspace / "index", manifest,
                            load_settings(workspace=agent_workspace), embeddings)


class ScriptedModel(FakeListChatModel):
    """A fake chat model that answers from a list and records every prompt it got;
    it fails when asked more often than it has answers (so loops are bounded)."""

    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    kwargs: list[dict[str, Any]] = Field(default_factory=list)

    def _call(self, messages: list[BaseMessage], stop: list[str] | None = None,
              run_manager: Any = None, **kwargs: Any) -> str:
        if self.i >= len(self.responses):
            raise AssertionError(f"model asked {self.i + 1} times; script has "
                                 f"{len(self.responses)} answers")
        self.prompts.append(messages)
        self.kwargs.append(kwargs)
        return super()._call(messages, stop, run_manager, **kwargs)

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: Any = None, **kwargs: Any) -> Iterator[Any]:
        text = self._call(messages, stop, run_manager, **kwargs)
        from langchain_core.messages import AIMessageChunk
        from langchain_core.outputs import ChatGenerationChunk

        for word in text.split(" "):  # word by word, like a model streaming tokens
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))

    @property
    def calls(self) -> int:
        return len(self.prompts)

    def prompt_text(self, n: int = -1) -> str:
        return "\n".join(str(m.content) for m in self.prompts[n])


def scripted(*responses: str) -> ScriptedModel:
    """A ScriptedModel answering `responses` in turn (fresh records)."""
    return ScriptedModel(responses=list(responses), prompts=[], kwargs=[])


@pytest.fixture
def make_agent(agent_workspace: Path, agent_index: SchemaIndex, demo_db: Path,
               tmp_path: Path) -> Iterator[Callable[..., tuple[Agent, ScriptedModel]]]:
    """agent, model = make_agent("SELECT ...", database=True, **settings)."""
    opened: list[Agent] = []

    def make(*responses: str, database: bool = True, workspace: Path | None = None,
             **overrides: Any) -> tuple[Agent, ScriptedModel]:
        settings = agent_settings(workspace or agent_workspace,
                                  demo_db if database else None, **overrides)
        model = scripted(*responses)
        agent = Agent.open(settings, model=model, index=agent_index)
        opened.append(agent)
        return agent, model

    yield make
    for agent in opened:
        agent.close()


def private_workspace(agent_workspace: Path, root: Path) -> Path:
    """A workspace at `root` holding only a copy of the combined document (no index, no
    sessions): for tests that write to their workspace or need the index missing."""
    root.mkdir(parents=True)
    shutil.copy(agent_workspace / "combined_schema_details.json", root)
    return root


def agent_settings(workspace: Path, database: Path | None, **overrides: Any) -> Settings:
    """Settings for an agent test: the workspace, the demo DB (or none), overrides.
    Query plans are off unless a test turns them on (`agent_plans=True`): the scripted
    models of these tests draft the SQL, and a plan would answer first. The model's
    choice among plans is off too unless asked for (`agent_choose=True`): it would take
    one of the script's answers."""
    overrides.setdefault("agent_plans", False)
    overrides.setdefault("agent_choose", False)
    return load_settings(workspace=workspace,
                         fb_database=str(database) if database else None, **overrides)
