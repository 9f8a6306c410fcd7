"""The Slack bot over two real embedded databases registered in one install (the demo
ERP, the default, and a small clinic), run for real in HTTP mode against the local fake
Slack: a channel asks the database settings map it to, `/schemachat db NAME` in a direct
message chooses the database of that user's DMs (kept beside the databases file), the
answer names its database and its buttons act on it. No chat model: query plans
answer."""

from __future__ import annotations

import json
import shutil
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from schemachat.configs import BadInput, load_settings
from schemachat.ui.slack import build_app
from schemachat.ui.slack.bot import http_app
from tests.support.api import running
from tests.support.clinic_database import CLINIC_TABLES
from tests.support.served_databases import TwoDatabases
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

Bot = Callable[..., tuple[str, FakeSlack]]


@pytest.fixture
def bot(two_databases: TwoDatabases, tmp_path: Path) -> Iterator[Bot]:
    """`bot(**settings)` -> (the bot's base URL, its fake Slack), over both databases,
    channel CCLINIC mapped to the clinic. The databases file is copied into the test's
    folder, so the DM choices written beside it are this test's own."""
    registry = tmp_path / "databases.json"
    shutil.copy(two_databases.registry, registry)
    stack: list[Any] = []

    def start(**overrides: Any) -> tuple[str, FakeSlack]:
        slack = FakeSlack()
        overrides.setdefault("slack_channel_databases", "CCLINIC=clinic")
        settings = load_settings(databases_file=registry, model_backend="none",
                                 slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET,
                                 slack_api_url=f"{slack.base}/api/", **overrides)
        try:
            ctx = running(http_app(build_app(settings)))
        except Exception:
            slack.close()
            raise
        stack.append((ctx, slack))
        return ctx.__enter__(), slack

    yield start
    for ctx, slack in reversed(stack):
        ctx.__exit__(None, None, None)
        slack.close()


def _blocks(posted: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = posted["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else blocks  # type: ignore[no-any-return]


def _context(posted: dict[str, Any]) -> list[str]:
    return [e["text"] for b in _blocks(posted) if b["type"] == "context" for e in b["elements"]]


def _sources(posted: dict[str, Any]) -> set[str]:
    """The tables the answer cites."""
    line = next((x for x in _context(posted) if x.startswith("Sources: ")), "Sources: ")
    return {s.split(".")[0] for s in line.removeprefix("Sources: ").split(", ") if s}


def _dm(text: str, user: str, ts: str) -> dict[str, Any]:
    return {"type": "message", "channel_type": "im", "channel": f"D{user}", "user": user,
            "text": text, "ts": ts}


def _command(base: str, text: str, user: str, channel: str) -> httpx.Response:
    """The /schemachat slash command as Slack sends it (form-encoded, signed)."""
    body = urllib.parse.urlencode({
        "token": "legacy", "team_id": "T1", "api_app_id": "A1", "command": "/schemachat",
        "text": text, "user_id": user, "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else "general",
        "response_url": "https://hooks.slack.invalid/x", "trigger_id": "1.2"}).encode()
    return httpx.post(f"{base}/slack/events", content=body, timeout=30,
                      headers={"content-type": "application/x-www-form-urlencoded",
                               **sign(body)})


def _ask(base: str, slack: FakeSlack, event: dict[str, Any], n: int) -> dict[str, Any]:
    """Post `event` and return the bot's n-th message."""
    body = event_body(event, event_id=f"Ev{n}-{event['ts']}")
    assert post_event(base, body, sign(body)).status_code == 200
    return slack.wait_for("chat.postMessage", count=n)[n - 1]


def test_a_channel_asks_the_database_it_is_mapped_to(bot: Bot) -> None:
    base, slack = bot()
    event = {**mention("quantos pacientes temos?", ts="1700000010.000100"),
             "channel": "CCLINIC"}
    clinic = _ask(base, slack, event, 1)
    assert clinic["channel"] == "CCLINIC" and "Database: clinic" in _context(clinic)
    assert _sources(clinic) and _sources(clinic) <= set(CLINIC_TABLES)
    assert "3" in clinic["text"]  # counted by the clinic's engine
    other = _ask(base, slack, mention("quantos pacientes temos?", ts="1700000011.000100"), 2)
    assert "Database: erp" in _context(other)  # an unmapped channel: the default
    assert not _sources(other) & set(CLINIC_TABLES)


def test_db_in_a_direct_message_chooses_that_users_database(bot: Bot, tmp_path: Path) -> None:
    base, slack = bot()
    said = _command(base, "db", "U7", "DU7")
    assert said.status_code == 200 and "Your direct messages ask `erp`" in said.text
    assert "`clinic`" in said.text  # the served names
    chosen = _command(base, "db clinic", "U7", "DU7")
    assert chosen.status_code == 200
    assert "Your direct messages now ask `clinic`." in chosen.text
    stored = json.loads((tmp_path / "slack_dm_databases.json").read_text("utf-8"))
    assert stored["users"] == {"U7": "clinic"}

    mine = _ask(base, slack, _dm("quantos pacientes temos?", "U7", "1700000020.000100"), 1)
    assert mine["channel"] == "DU7" and "Database: clinic" in _context(mine)
    assert _sources(mine) and _sources(mine) <= set(CLINIC_TABLES)
    theirs = _ask(base, slack, _dm("quantos pacientes temos?", "U8", "1700000021.000100"), 2)
    assert "Database: erp" in _context(theirs)  # another user's DMs: the default
    assert not _sources(theirs) & set(CLINIC_TABLES)

    assert "No database named `nope`" in _command(base, "db nope", "U7", "DU7").text
    in_channel = _command(base, "db erp", "U7", "C1").text
    assert "This channel asks `erp`" in in_channel and "direct message" in in_channel
    assert "`/schemachat db NAME`" in _command(base, "help", "U7", "DU7").text
    assert json.loads((tmp_path / "slack_dm_databases.json").read_text("utf-8"))[
        "users"] == {"U7": "clinic"}  # neither changed it


def test_the_choice_outlives_the_bot_and_can_be_typed_as_a_message(bot: Bot) -> None:
    base, slack = bot()
    reply = _ask(base, slack, _dm("/schemachat db clinic", "U9", "1700000030.000100"), 1)
    assert reply["text"] == "Your direct messages now ask `clinic`."
    base, slack = bot()  # a restarted bot reads the choice back
    answer = _ask(base, slack, _dm("quantos pacientes temos?", "U9", "1700000031.000100"), 1)
    assert _sources(answer) and _sources(answer) <= set(CLINIC_TABLES)


def test_buttons_act_on_the_database_that_answered(bot: Bot,
                                                   two_databases: TwoDatabases) -> None:
    base, slack = bot()
    event = {**mention("quantos pacientes temos?", ts="1700000040.000100"),
             "channel": "CCLINIC"}
    answer = _ask(base, slack, event, 1)
    actions = next(b for b in _blocks(answer) if b["type"] == "actions")
    assert actions["block_id"] == "schemachat_db:clinic"
    # Pressed in an unmapped channel (a forwarded message): still the clinic's.
    sql = "SELECT COUNT(*) FROM MEDICO"
    assert press(base, "schemachat_run_sql", sql, block_id=actions["block_id"]
                 ).status_code == 200
    ran = slack.wait_for("chat.postMessage", count=2)[1]
    assert ran["text"] == "1 row." and "Database: clinic" in _context(ran)
    rated = json.dumps({"q": "quantos medicos?", "sql": sql})
    before = (two_databases.erp / "feedback.jsonl").read_text("utf-8") \
        if (two_databases.erp / "feedback.jsonl").exists() else ""
    assert press(base, "schemachat_feedback_up", rated, block_id=actions["block_id"]
                 ).status_code == 200
    slack.wait_for("chat.postEphemeral")
    time.sleep(0.2)
    lines = (two_databases.clinic / "feedback.jsonl").read_text("utf-8").splitlines()
    assert json.loads(lines[-1])["question"] == "quantos medicos?"
    after = (two_databases.erp / "feedback.jsonl").read_text("utf-8") \
        if (two_databases.erp / "feedback.jsonl").exists() else ""
    assert after == before


def test_a_channel_mapped_to_no_database_is_refused(bot: Bot) -> None:
    with pytest.raises(BadInput, match="channel C9 names 'nope', which is not served"):
        bot(slack_channel_databases="C9=nope")
