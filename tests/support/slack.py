"""A local fake of Slack's Web API and signed Slack payloads, for the Slack bot tests
(tests/ui/test_slack*.py): the bot runs for real in HTTP mode and its Web API calls go to
FakeSlack on loopback (no network)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

SECRET = "signing-secret-for-tests"
BOT_TOKEN = "xoxb-test"


class FakeSlack:
    """A local Slack Web API: records every call, answers like Slack does."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                method = self.path.rsplit("/", 1)[-1]
                if self.path.startswith("/upload/"):
                    params: dict[str, Any] = {"content": raw.decode("utf-8", "replace")}
                    method = "upload"
                elif "json" in (self.headers.get("content-type") or ""):
                    params = json.loads(raw or b"{}")
                else:
                    params = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
                with fake.lock:
                    fake.calls.append((method, params))
                reply = fake.reply(method, params)
                data = json.dumps(reply).encode() if isinstance(reply, dict) else b"OK"
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reply(self, method: str, params: dict[str, Any]) -> dict[str, Any] | None:
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1",
                    "user": "schemachat", "team": "test", "url": "https://test.slack.com/"}
        if method == "chat.postMessage":
            return {"ok": True, "channel": params.get("channel"), "ts": "1700000099.000100",
                    "message": {"text": params.get("text")}}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.base}/upload/F1", "file_id": "F1"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F1", "title": "rows"}]}
        if method == "upload":
            return None
        return {"ok": True}

    def wait_for(self, method: str, count: int = 1, timeout: float = 60.0
                 ) -> list[dict[str, Any]]:
        """Calls of `method` once there are `count` of them (the bot answers after acking)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                found = [p for m, p in self.calls if m == method]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def sign(body: bytes, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    """The headers Slack signs a request body with."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest.hexdigest()}"}


def event_body(event: dict[str, Any], event_id: str = "Ev1") -> bytes:
    """An Events API callback carrying `event`."""
    return json.dumps({"token": "legacy", "team_id": "T1", "api_app_id": "A1",
                       "type": "event_callback", "event_id": event_id,
                       "event_time": int(time.time()), "event": event,
                       "authorizations": [{"team_id": "T1", "user_id": "UBOT",
                                           "is_bot": True}]}).encode()


def mention(text: str, ts: str = "1700000000.000100", thread_ts: str | None = None
            ) -> dict[str, Any]:
    """An app_mention of the bot in channel C1."""
    event = {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {text}", "ts": ts,
             "channel": "C1", "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def post_event(base: str, body: bytes, headers: dict[str, str] | None = None
               ) -> httpx.Response:
    """POST an event body to the bot."""
    return httpx.post(f"{base}/slack/events", content=body, timeout=30,
                      headers={"content-type": "application/json", **(headers or {})})


def press(base: str, action_id: str, value: str, *, channel: str = "C1",
          block_id: str = "b", user: str = "U1") -> httpx.Response:
    """Press a button of the bot's answer in `channel` (an interactivity payload)."""
    payload = {"type": "block_actions", "user": {"id": user}, "team": {"id": "T1"},
               "api_app_id": "A1", "token": "legacy", "trigger_id": "1.2",
               "channel": {"id": channel},
               "container": {"type": "message", "channel_id": channel,
                             "message_ts": "1700000099.000100"},
               "message": {"ts": "1700000099.000100", "thread_ts": "1700000000.000100",
                           "text": "x"},
               "actions": [{"action_id": action_id, "block_id": block_id, "value": value,
                            "type": "button", "action_ts": "1.3"}]}
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    return httpx.post(f"{base}/slack/events", content=body, timeout=30,
                      headers={"content-type": "application/x-www-form-urlencoded",
                               **sign(body)})
