"""Conversation memory: LangGraph's SQLite checkpointer in the workspace
(`chat_sessions.sqlite`), one thread per session id."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from langgraph.checkpoint.sqlite import SqliteSaver

FILENAME = "chat_sessions.sqlite"


def sessions_path(workspace: Path) -> Path:
    """Where the sessions of `workspace` are kept."""
    return Path(workspace) / FILENAME


def open_checkpointer(workspace: Path) -> SqliteSaver:
    """A checkpointer over the workspace's sessions file (created when missing); usable
    from several threads (the Gradio app), which SqliteSaver serialises with its lock."""
    path = sessions_path(workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(path), check_same_thread=False)
    saver = SqliteSaver(con)
    saver.setup()
    return saver
