"""The Slack bot: answers app mentions and direct messages in their thread with the
agent's answer (blocks.py), runs the drafted SQL read-only when its button is pressed,
and records 👍/👎 feedback in the workspace (as the API's POST /feedback does).

HTTP mode: Slack POSTs signed events to /slack/events (bolt checks the signature and
refuses timestamps older than five minutes). Socket Mode: the bot connects out with the
app token. Each conversation thread is one agent session. Slack retries an event it
thinks went unanswered; an event id already seen is acknowledged and not answered again.

Several databases: a channel asks the database `slack_channel_databases` gives it, a
direct message the one its user chose with `/schemachat db NAME`, anything else the
default (database_choice.py).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from schemachat.agent.answer import AgentAnswer
from schemachat.configs import BadInput, SchemachatError, Settings
from schemachat.ui.api.databases import ServedDatabase, ServedDatabases
from schemachat.ui.api.feedback import record_feedback
from schemachat.ui.served import Agents
from schemachat.ui.slack.blocks import (
    DOWN,
    RUN,
    UP,
    answer_blocks,
    button_database,
    fallback_text,
    needs_file,
    rows_csv,
)
from schemachat.ui.slack.database_choice import COMMAND, DatabaseChoice

log = logging.getLogger("schemachat.slack")
MENTION = re.compile(r"<@[A-Z0-9]+>")


class SeenEvents:
    """Event ids answered lately (bounded, with an age limit): Slack retries for up to
    about an hour, so an hour's ids are kept, at most `size` of them."""

    def __init__(self, size: int = 10_000, ttl_s: float = 3_600.0) -> None:
        self._ids: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()
        self.size, self.ttl_s = size, ttl_s

    def first(self, event_id: str) -> bool:
        """True the first time `event_id` is seen."""
        now = time.monotonic()
        with self._lock:
            while self._ids and (len(self._ids) >= self.size or
                                 now - next(iter(self._ids.values())) > self.ttl_s):
                self._ids.popitem(last=False)
            if event_id in self._ids:
                return False
            self._ids[event_id] = now
            return True


def run_sql(agents: Agents, sql: str) -> AgentAnswer:
    """Run `sql` read-only through the agent's one validate step (the button's action)."""
    agent = agents.get()
    if not agent.context.has_database:
        reason = "no database configured (SCHEMACHAT_FB_DATABASE)"
        return AgentAnswer(answer=f"Not run: {reason}.", sql=sql, error=reason)
    return agent.run_sql(sql)


class Bot:
    """The handlers, with the databases and the seen-event ids they share."""

    def __init__(self, settings: Settings, databases: ServedDatabases) -> None:
        """BadInput when slack_channel_databases names a database that is not served."""
        self.settings = settings
        self.databases = databases
        self.choice = DatabaseChoice(settings, databases)
        self.seen = SeenEvents()

    def answer(self, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        """Answer one mention or DM in its thread (once per event id), from the database
        of its channel (or, in a DM, its user's choice)."""
        event_id = str(body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}")
        if not self.seen.first(event_id):
            log.info("event %s already answered (a retry)", event_id)
            return
        channel = event["channel"]
        thread = event.get("thread_ts") or event["ts"]
        question = MENTION.sub("", event.get("text") or "").strip()
        direct = event.get("channel_type") == "im"
        user = event.get("user")
        if direct and question.startswith(f"{COMMAND} "):  # the command typed as a message
            reply = self.choice.command(question.removeprefix(COMMAND), str(user), channel,
                                        direct=True)
            client.chat_postMessage(channel=channel, thread_ts=thread, text=reply)
            return
        database = self.choice.for_conversation(channel, user, direct=direct)
        try:
            agent = database.agents.get()
            result = agent.ask(question, session=database.session(f"slack:{channel}:{thread}"))
        except SchemachatError as exc:  # bad input, or the database went away
            result = AgentAnswer(answer=f"Sorry: {exc}", error=str(exc))
        except Exception:
            log.exception("agent turn failed")
            result = AgentAnswer(answer="Sorry, something went wrong answering that.",
                                 error="internal error (see the bot's log)")
        self.post(client, channel, thread, result, question, database)

    def post(self, client: WebClient, channel: str, thread: str, result: AgentAnswer,
             question: str, database: ServedDatabase | None = None) -> None:
        """The answer in the thread (its rows as a CSV file when there are many); the
        database is named when several are served."""
        named = database.name if database is not None and self.choice.several else None
        client.chat_postMessage(channel=channel, thread_ts=thread, text=fallback_text(result),
                                blocks=answer_blocks(result, question, named))
        if needs_file(result):
            client.files_upload_v2(channel=channel, thread_ts=thread, content=rows_csv(result),
                                   filename="rows.csv", title=f"{len(result.rows)} rows")

    def _pressed(self, body: dict[str, Any], channel: str) -> ServedDatabase:
        """The database of the answer whose button was pressed: the one its block names,
        else the conversation's."""
        named = button_database(body["actions"][0])
        found = self.choice.named(named) if named else None
        if found is not None:
            return found
        user = (body.get("user") or {}).get("id")
        return self.choice.for_conversation(channel, user, direct=channel.startswith("D"))

    def command(self, body: dict[str, Any]) -> str:
        """The reply to the `/schemachat` slash command (shown to its user only)."""
        channel = str(body.get("channel_id") or "")
        direct = body.get("channel_name") == "directmessage" or channel.startswith("D")
        return self.choice.command(str(body.get("text") or ""), str(body.get("user_id")),
                                   channel, direct=direct)

    def run_button(self, body: dict[str, Any], client: WebClient) -> None:
        channel, thread = _where(body)
        sql = str(body["actions"][0].get("value") or "")
        database = self._pressed(body, channel)
        try:
            result = run_sql(database.agents, sql)
        except SchemachatError as exc:  # e.g. the database went away: the next try reconnects
            result = AgentAnswer(answer=f"Sorry: {exc}", sql=sql, error=str(exc))
        except Exception:
            log.exception("running the SQL failed")
            result = AgentAnswer(answer="Sorry, running that failed.", sql=sql,
                                 error="internal error (see the bot's log)")
        self.post(client, channel, thread, result, sql, database)

    def feedback(self, body: dict[str, Any], client: WebClient, rating: str) -> None:
        import json

        channel, thread = _where(body)
        user = str(body.get("user", {}).get("id") or "unknown")
        try:
            rated = json.loads(body["actions"][0].get("value") or "{}")
        except ValueError:
            rated = {}
        entry = {"rating": rating, "question": rated.get("q") or "", "source": "slack",
                 "channel": channel, "thread": thread}
        if rated.get("sql"):
            entry["sql"] = rated["sql"]
        workspace = self._pressed(body, channel).settings.workspace
        record_feedback(workspace, entry, who=f"slack:{user}")
        client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread,
                                  text="Thanks for the feedback.")


def _where(body: dict[str, Any]) -> tuple[str, str]:
    """Channel and thread of the message whose button was pressed."""
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or body["container"]["channel_id"]
    return str(channel), str(message.get("thread_ts") or message.get("ts") or
                             body["container"].get("message_ts"))


def build_app(settings: Settings, *, databases: ServedDatabases | None = None,
              client: WebClient | None = None) -> App:
    """The bolt App with the bot's handlers, over every database `settings` serves.
    BadInput when the bot token (or, in HTTP mode, the signing secret) is missing, or a
    channel is mapped to a database that is not served."""
    if settings.slack_bot_token is None:
        raise BadInput("no Slack bot token: set SCHEMACHAT_SLACK_BOT_TOKEN (xoxb-...)")
    if settings.slack_signing_secret is None and not settings.slack_socket_mode:
        raise BadInput("no Slack signing secret: set SCHEMACHAT_SLACK_SIGNING_SECRET "
                       "(or use Socket Mode: SCHEMACHAT_SLACK_SOCKET_MODE=1)")
    token = settings.slack_bot_token.get_secret_value()
    if client is None:
        client = WebClient(token=token, base_url=settings.slack_api_url or
                           "https://slack.com/api/")
    secret = settings.slack_signing_secret
    try:  # bolt checks the token with auth.test at once
        app = App(client=client,
                  signing_secret=secret.get_secret_value() if secret else "",
                  request_verification_enabled=not settings.slack_socket_mode)
    except (BoltError, SlackClientError, OSError) as exc:
        raise SchemachatError(f"Slack did not accept the bot token or could not be reached "
                              f"at {client.base_url}: {exc}") from None
    bot = Bot(settings, databases or ServedDatabases(settings))
    app.bot = bot  # type: ignore[attr-defined]  # for serve() and tests

    @app.event("app_mention")
    def on_mention(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        bot.answer(body, event, client)

    @app.event("message")
    def on_message(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if event.get("channel_type") == "im" and not event.get("bot_id") \
                and not event.get("subtype"):
            bot.answer(body, event, client)

    @app.command(COMMAND)
    def on_command(ack: Any, body: dict[str, Any]) -> None:
        ack(bot.command(body))  # an ephemeral reply to whoever typed it

    @app.action(RUN)
    def on_run(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        bot.run_button(body, client)

    @app.action(UP)
    def on_up(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        bot.feedback(body, client, "up")

    @app.action(DOWN)
    def on_down(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        bot.feedback(body, client, "down")

    return app


def http_app(bolt: App) -> FastAPI:
    """An ASGI app for HTTP mode: POST /slack/events (and interactivity), GET /health."""
    web = FastAPI(title="schemachat slack bot", openapi_url=None, docs_url=None,
                  redoc_url=None)

    @web.post("/slack/events")
    async def events(request: Request) -> Response:
        bolt_request = to_bolt_request(request, await request.body())
        return to_starlette_response(await run_in_threadpool(bolt.dispatch, bolt_request))

    @web.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return web


def serve(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    """Run the bot until stopped: Socket Mode when slack_socket_mode is set (needs the
    app token), else HTTP mode on host:port (api_host/api_port by default)."""
    bolt = build_app(settings)
    if settings.slack_socket_mode:
        if settings.slack_app_token is None:
            raise BadInput("Socket Mode needs the app token: set SCHEMACHAT_SLACK_APP_TOKEN "
                           "(xapp-...)")
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        SocketModeHandler(bolt, settings.slack_app_token.get_secret_value()).start()
        return
    import uvicorn

    uvicorn.run(http_app(bolt), host=host or settings.api_host, port=port or settings.api_port,
                timeout_graceful_shutdown=10, log_level="info")
