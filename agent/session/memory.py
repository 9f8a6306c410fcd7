"""Conversation memory: a LangGraph checkpointer, one thread per session id.

Where it lives is the `sessions_url` setting: unset, the workspace's SQLite file
`chat_sessions.sqlite`; `sqlite:///PATH`, another SQLite file; `postgresql://...`, a
Postgres database (langgraph-checkpoint-postgres) that app replicas behind a load
balancer share, so a follow-up may land on any replica.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver

from schemachat.configs import BadInput, Settings

FILENAME = "chat_sessions.sqlite"
POSTGRES_POOL = 4  # connections per process; the API runs at most 8 turns at once
POSTGRES_WAIT_S = 10.0
_SQLITE, _POSTGRES = "sqlite:///", ("postgresql://", "postgres://")


@dataclass
class Checkpointer:
    """An open checkpointer and how to release what it holds."""

    saver: BaseCheckpointSaver
    close: Callable[[], None]


def sessions_path(workspace: Path) -> Path:
    """Where the sessions of `workspace` are kept by default."""
    return Path(workspace) / FILENAME


def open_checkpointer(settings: Settings) -> Checkpointer:
    """The checkpointer `settings.sessions_url` names (tables created when missing).
    BadInput for an unknown URL scheme, a missing Postgres package or an unreachable
    Postgres server, naming the setting or the server, never the password."""
    url = settings.sessions_url.get_secret_value() if settings.sessions_url else None
    if url is None:
        return _sqlite(sessions_path(settings.workspace))
    if url.startswith(_SQLITE):
        return _sqlite(Path(url.removeprefix(_SQLITE)))
    if url.startswith(_POSTGRES):
        return _postgres(url)
    raise BadInput(f"sessions_url must start with {_SQLITE} or postgresql://, not "
                   f"{url.split(':', 1)[0]!r} (SCHEMACHAT_SESSIONS_URL)")


def _sqlite(path: Path) -> Checkpointer:
    # check_same_thread=False: the Gradio app and the API use it from several threads,
    # which SqliteSaver serialises with its lock.
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(path), check_same_thread=False)
    saver = SqliteSaver(con)
    saver.setup()
    return Checkpointer(saver, con.close)


def _postgres(url: str) -> Checkpointer:
    try:
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.conninfo import conninfo_to_dict
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool, PoolTimeout
    except ImportError as exc:
        raise BadInput(f"sessions_url is a Postgres URL but {exc.name} is not installed: "
                       "pip install 'schemachat[postgres]'") from exc
    info = conninfo_to_dict(url)
    where = f"{info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"
    # autocommit and dict rows are what PostgresSaver expects of its connections.
    pool = ConnectionPool(url, min_size=1, max_size=POSTGRES_POOL, open=False,
                          check=ConnectionPool.check_connection,
                          kwargs={"autocommit": True, "prepare_threshold": 0,
                                  "row_factory": dict_row})
    try:
        pool.open(wait=True, timeout=POSTGRES_WAIT_S)
        saver = PostgresSaver(pool)  # type: ignore[arg-type]
        saver.setup()
    except PoolTimeout as exc:
        pool.close()
        raise BadInput(f"the sessions database at {where} is unreachable (no connection in "
                       f"{POSTGRES_WAIT_S:.0f} s); check sessions_url") from exc
    except Exception:
        pool.close()
        raise
    return Checkpointer(saver, pool.close)
