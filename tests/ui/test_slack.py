"""The Slack bot in HTTP mode, run for real on loopback and driven with signed Slack
payloads; its Web API calls go to a local fake Slack (no network). Checks: a bad signature
and a stale timestamp are refused, a retried event is answered once, the reply lands in
the thread, DMs are answered, the buttons run SQL and record feedback, an answer a
query plan wrote carries the plan in one short context line."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from schemachat.agent.answer import AgentAnswer
from schemachat.agent.plans.plan import Col, Expr, Filter, Item, Join, QueryPlan
from schemachat.agent.retrieval.embeddings import SentenceEmbeddings
from schemachat.agent.retrieval.index import build_index
from schemachat.configs import load_settings
from schemachat.ui.slack import build_app
from schemachat.ui.slack.blocks import PLAN, answer_blocks
from schemachat.ui.slack.bot import http_app
from tests.support import retrieval_fixtures
from tests.support.api import ANSWER, SQL, running
from tests.support.slack import (
    BOT_TOKEN,
    SECRET,
    FakeSlack,
    event_body,
    mention,
    post_event,
    press,
    sign,
)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, embeddings: SentenceEmbeddings) -> Path:
    root = tmp_path_factory.mktemp("slack_ws")
    build_index(retrieval_fixtures.tiny_workspace(root), embeddings=embeddings)
    return root


@pytest.fixture
def bot(indexed: Path, tmp_path: Path) -> Iterator[Callable[..., tuple[str, FakeSlack]]]:
    """`bot(fake_responses=[...])` -> (the bot's base URL, its fake Slack)."""
    stack: list[Any] = []

    def start(**overrides: Any) -> tuple[str, FakeSlack]:
        root = tmp_path / f"ws{len(stack)}"
        shutil.copytree(indexed, root)
        slack = FakeSlack()
        overrides.setdefault("fake_responses", [ANSWER])
        overrides.setdefault("model_backend", "fake")
        settings = load_settings(workspace=root, slack_bot_token=BOT_TOKEN,
                                 slack_signing_secret=SECRET,
                                 slack_api_url=f"{slack.base}/api/", **overrides)
        ctx = running(http_app(build_app(settings)))
        stack.append((ctx, slack))
        return ctx.__enter__(), slack

    yield start
    for ctx, slack in reversed(stack):
        ctx.__exit__(None, None, None)
        slack.close()


def test_mention_is_answered_in_its_thread(bot: Callable[..., tuple[str, FakeSlack]]) -> None:
    base, slack = bot()
    body = event_body(mention("onde ficam os clientes?", thread_ts="1699999999.000001"))
    assert post_event(base, body, sign(body)).status_code == 200
    (posted,) = slack.wait_for("chat.postMessage")
    assert posted["channel"] == "C1" and posted["thread_ts"] == "1699999999.000001"
    assert posted["text"].startswith(ANSWER)
    blocks = json.loads(posted["blocks"]) if isinstance(posted["blocks"], str) \
        else posted["blocks"]
    assert any("Sources: CAD_CLI" in e["text"] for b in blocks if b["type"] == "context"
               for e in b["elements"])
    actions = next(b for b in blocks if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        "schemachat_feedback_up", "schemachat_feedback_down"]


def test_top_level_mention_starts_a_thread(bot: Callable[..., tuple[str, FakeSlack]]) -> None:
    base, slack = bot()
    body = event_body(mention("onde ficam os clientes?", ts="1700000001.000200"))
    post_event(base, body, sign(body))
    (posted,) = slack.wait_for("chat.postMessage")
    assert posted["thread_ts"] == "1700000001.000200"


@pytest.mark.parametrize("headers", [
    {},
    sign(b"something else"),
    {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"},
    "wrong secret",
    "stale",
])
def test_bad_signature_or_stale_timestamp_is_refused(
        bot: Callable[..., tuple[str, FakeSlack]], headers: Any) -> None:
    base, slack = bot()
    body = event_body(mention("onde ficam os clientes?"))
    if headers == "wrong secret":
        headers = sign(body, secret="not-the-secret")
    elif headers == "stale":
        headers = sign(body, timestamp=int(time.time()) - 600)  # correctly signed, 10 min old
    reply = post_event(base, body, headers)
    assert reply.status_code == 401
    time.sleep(0.5)
    assert slack.wait_for("chat.postMessage", timeout=0) == []


def test_retries_are_not_answered_twice(bot: Callable[..., tuple[str, FakeSlack]]) -> None:
    base, slack = bot()
    body = event_body(mention("onde ficam os clientes?"), event_id="EvRetry")
    assert post_event(base, body, sign(body)).status_code == 200
    for n in (1, 2):
        headers = {**sign(body), "X-Slack-Retry-Num": str(n),
                   "X-Slack-Retry-Reason": "http_timeout"}
        assert post_event(base, body, headers).status_code == 200
    slack.wait_for("chat.postMessage")
    time.sleep(1.0)
    assert len(slack.wait_for("chat.postMessage", timeout=0)) == 1
    other = event_body(mention("e os pedidos?", ts="1700000002.000300"), event_id="Ev2")
    post_event(base, other, sign(other))
    assert len(slack.wait_for("chat.postMessage", count=2)) == 2


def test_direct_message_answered_and_bot_messages_ignored(
        bot: Callable[..., tuple[str, FakeSlack]]) -> None:
    base, slack = bot()
    own = event_body({"type": "message", "channel_type": "im", "channel": "D1",
                      "user": "UBOT", "bot_id": "BBOT", "text": "eco", "ts": "1.1"}, "EvB")
    post_event(base, own, sign(own))
    dm = event_body({"type": "message", "channel_type": "im", "channel": "D1", "user": "U1",
                     "text": "onde ficam os clientes?", "ts": "1700000003.000400"}, "EvDM")
    post_event(base, dm, sign(dm))
    posted = slack.wait_for("chat.postMessage")
    time.sleep(0.5)
    assert len(slack.wait_for("chat.postMessage", timeout=0)) == 1
    assert posted[0]["channel"] == "D1" and posted[0]["thread_ts"] == "1700000003.000400"


def test_sql_answer_has_a_run_button_that_runs_read_only(
        bot: Callable[..., tuple[str, FakeSlack]]) -> None:
    base, slack = bot(fake_responses=[SQL])
    body = event_body(mention("me dê o SQL do código e nome dos clientes"))
    post_event(base, body, sign(body))
    (posted,) = slack.wait_for("chat.postMessage")
    blocks = json.loads(posted["blocks"]) if isinstance(posted["blocks"], str) \
        else posted["blocks"]
    if not any(f"```{SQL}```" in (b.get("text") or {}).get("text", "") for b in blocks):
        pytest.skip("the agent answered this question without SQL")
    run = next(e for b in blocks if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == "schemachat_run_sql")
    assert run["value"] == SQL
    assert press(base, "schemachat_run_sql", run["value"]).status_code == 200
    second = slack.wait_for("chat.postMessage", count=2)[1]
    assert second["thread_ts"] == "1700000000.000100"
    assert "no database configured" in second["text"]


def test_feedback_buttons_record_and_thank(bot: Callable[..., tuple[str, FakeSlack]],
                                           tmp_path: Path) -> None:
    base, slack = bot()
    value = json.dumps({"q": "onde ficam os clientes?", "sql": ""})
    assert press(base, "schemachat_feedback_down", value).status_code == 200
    (thanks,) = slack.wait_for("chat.postEphemeral")
    assert thanks["user"] == "U1" and thanks["thread_ts"] == "1700000000.000100"
    stored = json.loads((tmp_path / "ws0" / "feedback.jsonl").read_text().splitlines()[0])
    assert stored["rating"] == "down" and stored["who"] == "slack:U1"
    assert stored["question"] == "onde ficam os clientes?" and stored["source"] == "slack"


def test_many_rows_go_in_a_file(bot: Callable[..., tuple[str, FakeSlack]]) -> None:
    from slack_sdk import WebClient

    _, slack = bot()
    app = build_app(load_settings(workspace=Path("."), slack_bot_token=BOT_TOKEN,
                                  slack_signing_secret=SECRET,
                                  slack_api_url=f"{slack.base}/api/"))
    rows = [[i, f"cliente {i}"] for i in range(40)]
    result = AgentAnswer(answer="40 rows.", sql=SQL, columns=["CLI_COD", "CLI_NOMRAZ"],
                         rows=rows)
    client = WebClient(token=BOT_TOKEN, base_url=f"{slack.base}/api/")
    app.bot.post(client, "C1", "1700000000.000100", result, "q")  # type: ignore[attr-defined]
    (posted,) = slack.wait_for("chat.postMessage")
    shown = json.dumps(posted["blocks"], ensure_ascii=False)
    assert "cliente 14" in shown and "cliente 15" not in shown
    (upload,) = slack.wait_for("upload")
    assert upload["content"].splitlines()[0] == "CLI_COD,CLI_NOMRAZ"
    assert len(upload["content"].splitlines()) == 41
    (done,) = slack.wait_for("files.completeUploadExternal")
    assert done["thread_ts"] == "1700000000.000100" and done["channel_id"] == "C1"


def test_missing_tokens_are_bad_input(tmp_path: Path) -> None:
    from schemachat.configs import BadInput

    with pytest.raises(BadInput, match="SLACK_BOT_TOKEN"):
        build_app(load_settings(workspace=tmp_path))
    with pytest.raises(BadInput, match="SIGNING_SECRET"):
        build_app(load_settings(workspace=tmp_path, slack_bot_token=BOT_TOKEN))


def test_rejected_bot_token_is_a_clear_error(tmp_path: Path) -> None:
    from schemachat.configs import SchemachatError

    class Refusing(FakeSlack):
        def reply(self, method: str, params: dict[str, Any]) -> dict[str, Any] | None:
            return {"ok": False, "error": "invalid_auth"}

    slack = Refusing()
    try:
        with pytest.raises(SchemachatError, match="invalid_auth"):
            build_app(load_settings(workspace=tmp_path, slack_bot_token=BOT_TOKEN,
                                    slack_signing_secret=SECRET,
                                    slack_api_url=f"{slack.base}/api/"))
    finally:
        slack.close()


def _context_lines(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]


CAMPINAS = QueryPlan(
    table="CAD_CLI", select=[Item(agg="COUNT")],
    joins=[Join(table="CAD_CID", alias="CAD_CID", on=[(Col(table="CAD_CLI", column="CID_COD"),
                                                       Col(table="CAD_CID", column="CID_COD"))])],
    filters=[Filter(expr=Expr(column=Col(table="CAD_CID", column="CID_NOME")), op="=",
                    value="Campinas"),
             Filter(expr=Expr(column=Col(table="CAD_CLI", column="SITUACAO")), op="=",
                    value="A", meaning="ativo")])


def test_a_plan_answer_has_one_plan_line() -> None:
    result = AgentAnswer(answer="Contei as linhas de CAD_CLI: 120.", sql="SELECT ...",
                         columns=["COUNT"], rows=[[120]], plan=CAMPINAS.model_dump())
    lines = _context_lines(answer_blocks(result, "quantos clientes ativos de Campinas?"))
    plan = [line for line in lines if line.startswith("Plan: ")]
    assert plan == ["Plan: CAD_CLI + CAD_CID · CAD_CID.CID_NOME = 'Campinas'; "
                    "CAD_CLI.SITUACAO = 'A' (ativo)"]
    drafted = AgentAnswer(answer="x", sql="SELECT 1 FROM RDB$DATABASE")
    assert not any(line.startswith("Plan:") for line in _context_lines(
        answer_blocks(drafted, "q")))


def test_a_long_plan_line_is_cut() -> None:
    many = CAMPINAS.model_copy(update={"filters": [Filter(
        expr=Expr(column=Col(table="CAD_CLI", column="CLI_NOMRAZ")), op="IN",
        value=[f"Cliente número {i}" for i in range(60)])]})
    result = AgentAnswer(answer="x", sql="SELECT ...", plan=many.model_dump())
    (line,) = [x for x in _context_lines(answer_blocks(result, "q")) if x.startswith("Plan:")]
    assert len(line) == PLAN and line.endswith("…")


def test_a_plan_answer_over_slack_carries_the_plan(
        bot: Callable[..., tuple[str, FakeSlack]]) -> None:
    base, slack = bot(model_backend="none")  # no model: a query plan answers
    body = event_body(mention("quantos clientes ativos temos?"))
    post_event(base, body, sign(body))
    (posted,) = slack.wait_for("chat.postMessage")
    blocks = json.loads(posted["blocks"]) if isinstance(posted["blocks"], str) \
        else posted["blocks"]
    plan = [line for line in _context_lines(blocks) if line.startswith("Plan: ")]
    assert len(plan) == 1 and "CAD_CLI" in plan[0] and "SITUACAO = 'A'" in plan[0], plan
