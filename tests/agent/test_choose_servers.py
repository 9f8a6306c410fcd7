"""The same choice schema on the server backends, against the fake servers: TGI gets it
as `parameters.grammar` ({"type": "json", "value": schema}), an OpenAI-compatible
server as `response_format` (json_schema, strict); their structured replies read back
as plans that compile. A server that refuses structured output (4xx on that request)
is asked again without it, once noted in the log, and its free-text reply is parsed;
later requests carry no schema."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from langchain_core.language_models import BaseChatModel

from schemachat.agent.models.openai import openai_chat_model
from schemachat.agent.models.tgi import TGIChatModel
from schemachat.agent.plans.choose import Choice, fill_choice, pick_choice
from schemachat.agent.plans.choose_pieces import Pieces
from schemachat.agent.plans.compile import compile_plan
from schemachat.agent.plans.propose import Linker
from schemachat.agent.plans.question import read_question
from schemachat.agent.retrieval import SchemaIndex
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.values import TextValues
from schemachat.ingest.workspace import Workspace, read_model, read_optional
from tests.support.fake_llm_servers import FakeServer, fake_server

QUESTION = "quantos clientes ativos de Campinas temos?"


@pytest.fixture(scope="module")
def doc(agent_workspace: Path) -> CombinedSchema:
    return read_model(Workspace(agent_workspace).combined, CombinedSchema)


@pytest.fixture(scope="module")
def choices(agent_workspace: Path, agent_index: SchemaIndex,
            doc: CombinedSchema) -> dict[str, Choice]:
    """A pick among the question's first three plans, and a fill of the best one."""
    linker = Linker.of(doc, read_optional(Workspace(agent_workspace).values, TextValues))
    q = read_question(QUESTION)
    cands = linker.propose(q, list(agent_index.search(QUESTION).tables))
    assert len(cands) >= 3
    return {"pick": pick_choice(cands[:3], q, doc),
            "fill": fill_choice(cands[0], Pieces.of([c.plan for c in cands]), q)}


def tgi(url: str) -> BaseChatModel:
    return TGIChatModel(base_url=url, prompt_format="plain", max_tries=1)


def openai(url: str) -> BaseChatModel:
    return openai_chat_model(base_url=url + "/v1", model="llama3", api_key=None,
                             temperature=0.0, max_tokens=64, timeout_s=10, max_retries=0)


def schema_sent(server: FakeServer, n: int = -1) -> dict | None:
    """The JSON Schema request `n` carried, in whichever field its server takes."""
    body = server.requests[n]
    if body["path"].startswith("/generate"):
        grammar = body["parameters"].get("grammar")
        if grammar is None:
            return None
        assert grammar["type"] == "json"
        return grammar["value"]
    fmt = body.get("response_format")
    if fmt is None:
        return None
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    return fmt["json_schema"]["schema"]


@pytest.mark.parametrize("backend", [tgi, openai])
def test_servers_get_the_schema_and_their_structured_replies_compile(
        backend, choices: dict[str, Choice], doc: CombinedSchema) -> None:
    pick = choices["pick"]
    with fake_server(FakeServer(choice=2)) as server:
        reply = backend(server.url).invoke(pick.messages, json_schema=pick.schema)
    assert schema_sent(server) == pick.schema
    assert json.loads(reply.text) == {"pick": 2}  # the server followed the schema
    assert reply.response_metadata["structured"] in ("grammar", "response_format")
    cand = pick.read(reply.text)
    assert cand is pick.options[2]
    assert compile_plan(cand.plan, doc).startswith("SELECT")

    fill = choices["fill"]
    best = fill.base
    assert best is not None
    for server_state in (FakeServer(choice=0), FakeServer(structured_reply=fill.answer_for(best))):
        with fake_server(server_state) as server:
            reply = backend(server.url).invoke(fill.messages, json_schema=fill.schema)
        assert schema_sent(server) == fill.schema
        cand = fill.read(reply.text)
        assert cand is not None, reply.text
        assert compile_plan(cand.plan, doc).startswith("SELECT")
    assert cand.plan == best.plan  # the answer naming the best plan reads back as it


@pytest.mark.parametrize("backend", [tgi, openai])
def test_a_server_refusing_structured_output_is_asked_again_and_parsed(
        backend, choices: dict[str, Choice], caplog: pytest.LogCaptureFixture) -> None:
    pick = choices["pick"]
    state = FakeServer(refuse_structured=True, reply='I choose {"pick": 1} because ...')
    with fake_server(state) as server, caplog.at_level(logging.WARNING):
        model = backend(server.url)
        first = model.invoke(pick.messages, json_schema=pick.schema)
        second = model.invoke(pick.messages, json_schema=pick.schema)
    assert [schema_sent(server, n) is not None for n in range(3)] == [True, False, False]
    assert "refused structured output" in caplog.text
    assert caplog.text.count("refused structured output") == 1  # noted once
    assert first.response_metadata["structured"] == "parsed"
    assert pick.read(first.text) is pick.options[1] and second.text == first.text
