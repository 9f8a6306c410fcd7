"""`schemachat ask` / `schemachat sql` as a user runs them (subprocess, the fake model
backend from env): the --json contract on stdout, exit codes 0/1/2, sessions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import agent_fixtures

SCHEMACHAT = str(Path(sys.executable).parent / "schemachat")
KEYS = {"answer", "sql", "columns", "rows", "citations", "error", "plan",
        "chosen_by"}
COUNT_ACTIVE = "SELECT COUNT(*) FROM CAD_CLI c WHERE c.SITUACAO = 'A'"


@pytest.fixture(scope="module")
def workspace(agent_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli_agent") / "ws"
    shutil.copytree(agent_workspace, root)
    return root


def _run(*args: str, responses: list[str], database: Path | None = None,
         cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMACHAT_")}
    env["SCHEMACHAT_MODEL_BACKEND"] = "fake"
    env["SCHEMACHAT_AGENT_PLANS"] = "false"  # the fake model drafts (plans: test_plans_agent)
    env["SCHEMACHAT_FAKE_RESPONSES"] = json.dumps(responses)
    if database is not None:
        env["SCHEMACHAT_FB_DATABASE"] = str(database)
    return subprocess.run([SCHEMACHAT, *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False, cwd=cwd)


def _cited(data: dict) -> set[tuple[str, str | None]]:
    return {(c["table"], c["column"]) for c in data["citations"]}


def _json(proc: subprocess.CompletedProcess[str]) -> dict:
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, proc.stdout  # exactly one object, nothing else
    data = json.loads(lines[0])
    assert set(data) == KEYS
    return data


def test_ask_json_schema_question(workspace: Path) -> None:
    proc = _run("ask", "onde fica o limite de crédito do cliente?", "--json", "-w",
                str(workspace), responses=["Fica em CAD_CLI.CLI_LIMCRED. E em FOO_BAR."])
    assert proc.returncode == 0, proc.stderr
    data = _json(proc)
    assert "CLI_LIMCRED" in data["answer"] and "FOO_BAR" not in data["answer"]
    assert ("CAD_CLI", "CLI_LIMCRED") in _cited(data)
    assert data["sql"] is None and data["error"] is None


def test_sql_run_json_and_human_output(workspace: Path, demo_db: Path) -> None:
    proc = _run("sql", "quantos clientes ativos temos?", "--run", "--json", "-w",
                str(workspace), responses=[COUNT_ACTIVE], database=demo_db)
    assert proc.returncode == 0, proc.stderr
    data = _json(proc)
    assert data["sql"] == COUNT_ACTIVE and data["columns"] == ["COUNT"]
    assert data["plan"] is None  # drafted by the model, not compiled from a plan
    assert isinstance(data["rows"][0][0], int)
    assert ("CAD_CLI", "SITUACAO") in _cited(data)
    human = _run("sql", "quantos clientes ativos temos?", "--run", "-w", str(workspace),
                 responses=[COUNT_ACTIVE], database=demo_db)
    assert human.returncode == 0 and "COUNT" in human.stdout and "CAD_CLI" in human.stdout


def test_rejected_sql_exits_1_with_the_error_in_json(workspace: Path, demo_db: Path) -> None:
    # without a database nothing engine-checks a fallback: the rejection is the result
    proc = _run("sql", "quantos clientes?", "--json", "-w", str(workspace),
                responses=["SELECT COUNT(*) FROM CLIENTES_VIP"])
    assert proc.returncode == 1
    data = _json(proc)
    assert "CLIENTES_VIP" in data["error"]
    assert all(c["table"] != "CLIENTES_VIP" for c in data["citations"])
    # with one, the engine-checked starting query comes back, saying the drafts failed;
    # the question is still unanswered, so exit 1 and the error says why
    proc = _run("sql", "quantos clientes?", "--json", "-w", str(workspace),
                responses=["SELECT COUNT(*) FROM CLIENTES_VIP"], database=demo_db)
    assert proc.returncode == 1, proc.stderr
    data = _json(proc)
    assert "CLIENTES_VIP" in data["error"] and "could not draft" in data["answer"]
    assert "CLIENTES_VIP" not in data["sql"] and data["rows"] == []
    assert all(c["table"] != "CLIENTES_VIP" for c in data["citations"])


@pytest.mark.parametrize("args", [
    ["ask", "", "--json"],
    ["sql", "quantos clientes?", "--run", "--json"],  # --run without a database
    ["ask", "oi", "--json", "--backend", "nope"],
])
def test_bad_input_exits_2_with_nothing_on_stdout(workspace: Path, args: list[str]) -> None:
    proc = _run(*args, "-w", str(workspace), responses=["x"])
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == "" and proc.stderr.strip()


def test_missing_index_is_bad_input(tmp_path: Path, agent_workspace: Path) -> None:
    root = agent_fixtures.private_workspace(agent_workspace, tmp_path / "ws")
    proc = _run("ask", "onde fica o cliente?", "--json", "-w", str(root), responses=["x"])
    assert proc.returncode == 2 and "schemachat index" in proc.stderr


def test_session_follow_up_across_processes(workspace: Path, demo_db: Path) -> None:
    first = _run("ask", "quantos clientes ativos temos?", "--json", "--session", "cli-1",
                 "-w", str(workspace), responses=[COUNT_ACTIVE], database=demo_db)
    assert first.returncode == 0, first.stderr
    follow = (COUNT_ACTIVE.replace("FROM CAD_CLI c", "FROM CAD_CLI c JOIN CAD_CID cc ON "
                                   "cc.CID_COD = c.CID_COD") + " AND cc.UF_SIGLA = 'SP'")
    second = _run("ask", "e só para São Paulo?", "--json", "--session", "cli-1", "-w",
                  str(workspace), responses=[follow], database=demo_db)
    assert second.returncode == 0, second.stderr
    a, b = _json(first), _json(second)
    assert b["sql"] == follow and b["rows"][0][0] < a["rows"][0][0]
    assert (workspace / "chat_sessions.sqlite").exists()
