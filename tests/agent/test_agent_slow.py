"""End-to-end with the real default model (Gemma 3 270M base, CPU): whatever it writes,
facts come from the document and only names that exist are cited. Slow: `make test-slow`."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemachat.agent.session import Agent
from schemachat.agent.sql.grounding import doc_names
from tests.support import agent_fixtures

pytestmark = pytest.mark.slow



def test_real_model_schema_answer_and_sql_are_grounded(agent_workspace: Path, agent_index,
                                                       demo_db: Path) -> None:
    settings = agent_fixtures.agent_settings(agent_workspace, demo_db, agent_max_repairs=1)
    agent = Agent.open(settings, index=agent_index)
    try:
        names = doc_names(agent.context.doc())
        answer = agent.ask("onde fica o limite de crédito do cliente?")
        assert "CAD_CLI" in answer.answer and "CLI_LIMCRED" in answer.answer
        sql = agent.ask("quantos clientes ativos temos?", mode="sql")
        for result in (answer, sql):
            assert all(c.table in names for c in result.citations)
            assert all(c.column is None or f"{c.table}.{c.column}" in names
                       for c in result.citations)
        assert sql.sql is None or sql.error or sql.citations
    finally:
        agent.close()
