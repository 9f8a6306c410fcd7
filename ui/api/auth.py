"""Bearer tokens and per-token rate limits.

Tokens are compared by their sha256: the plain tokens given in settings are hashed when
the app starts and only the hashes are kept; a token file holds hashes only
(`sha256:<hex> [name]` per line). A missing and a wrong token get the same 401 with no
detail, so a caller learns nothing about which tokens exist.

A token may be limited to some databases (`api_token_databases`, by token name); one not
named there may use every database the API serves.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import HTTPException, Request

from schemachat.configs import BadInput, Settings

PREFIX = "sha256:"
UNAUTHORIZED = HTTPException(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})


def hash_token(token: str) -> str:
    """`sha256:<hex>` of a token, as the token file stores it."""
    return PREFIX + hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenSet:
    """Accepted token hashes -> a name (who the token is, for annotation history), and
    the databases each limited name may use."""

    names: dict[str, str]
    databases: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenSet:
        """Hashes of `api_tokens` (named token1, token2, ...) and of `api_token_file`,
        limited by `api_token_databases`.

        BadInput naming the file and line when a line is not a sha256 hash, and naming
        the entry when `api_token_databases` names no token (a typo would otherwise leave
        that token able to use every database).
        """
        names = {hash_token(t.get_secret_value()): f"token{i}"
                 for i, t in enumerate(settings.api_tokens, 1)}
        if settings.api_token_file is not None:
            names.update(read_token_file(settings.api_token_file))
        known = set(names.values())
        for name in settings.api_token_databases:
            if name not in known:
                raise BadInput(f"api_token_databases names token '{name}', which is no "
                               f"token: use {', '.join(sorted(known)) or 'a token name'}")
        limits = {n: frozenset(dbs) for n, dbs in settings.api_token_databases.items()}
        return cls(names, limits)

    def allows(self, who: str, database: str) -> bool:
        """Whether the token named `who` may use `database`."""
        limit = self.databases.get(who)
        return limit is None or database in limit

    def check_databases(self, served: list[str]) -> None:
        """BadInput when a token is limited to a database that is not served."""
        for who, limit in self.databases.items():
            unknown = sorted(limit - set(served))
            if unknown:
                raise BadInput(f"api_token_databases: token '{who}' names "
                               f"{', '.join(unknown)}, not served (served: "
                               f"{', '.join(served)})")

    def who(self, token: str) -> str | None:
        """The name of `token`, or None when it is not accepted (constant-time compare)."""
        digest = hash_token(token)
        found = None
        for known, name in self.names.items():
            if hmac.compare_digest(known, digest):
                found = name
        return found


def read_token_file(path: Path) -> dict[str, str]:
    """`sha256:<hex> [name]` lines (blank lines and `#` comments skipped)."""
    if not path.is_file():
        raise BadInput(f"api_token_file not found: {path}")
    names: dict[str, str] = {}
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        digest, _, name = line.partition(" ")
        hexpart = digest.removeprefix(PREFIX)
        if not digest.startswith(PREFIX) or len(hexpart) != 64 or not _is_hex(hexpart):
            raise BadInput(f"{path}:{number}: expected `sha256:<64 hex digits> [name]` "
                           f"(the file holds hashes, never tokens)")
        names[digest.lower()] = name.strip() or f"{path.name}:{number}"
    return names


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return True


@dataclass
class RateLimiter:
    """A token bucket per caller: `per_minute` requests, refilled continuously."""

    per_minute: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else seconds until it may."""
        now = time.monotonic()
        rate = self.per_minute / 60.0
        with self._lock:
            tokens, then = self._buckets.get(key, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - then) * rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / rate


def bearer(request: Request) -> str:
    """The caller's name; 401 without a valid bearer token, 429 past its rate limit."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    tokens: TokenSet = request.app.state.tokens
    who = tokens.who(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if who is None:
        raise UNAUTHORIZED
    wait = request.app.state.limiter.take(hash_token(token.strip()))
    if wait > 0:
        raise HTTPException(429, "rate limit exceeded",
                            headers={"Retry-After": str(max(1, math.ceil(wait)))})
    request.state.who = who
    return who
