"""Which database each Slack user chose for their direct messages (`/schemachat db NAME`),
kept in `slack_dm_databases.json` beside the registry of databases (the folder of
`databases_file`): the choice belongs to the install, not to one database's workspace,
and survives restarts. Written whole, atomically, under a lock file."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path

from filelock import FileLock
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemachat.configs import BadInput, Settings

FILENAME = "slack_dm_databases.json"


class DmChoicesFile(BaseModel):
    """The file: Slack user id -> database name."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    users: dict[str, str] = Field(default_factory=dict)


def choices_path(settings: Settings) -> Path:
    """Where the DM choices of the install of `settings` are kept."""
    return settings.databases_file.parent / FILENAME


class DmChoices:
    """The users' choices, read once and written on each change."""

    def __init__(self, path: Path) -> None:
        """BadInput naming the file when it exists and is not a choices file (it is
        never overwritten then)."""
        self.path = path
        self._lock = threading.Lock()
        self._users = self._read().users

    def _read(self) -> DmChoicesFile:
        if not self.path.exists():
            return DmChoicesFile()
        try:
            return DmChoicesFile.model_validate(json.loads(self.path.read_text("utf-8")))
        except (ValueError, ValidationError) as exc:
            raise BadInput(f"{self.path}: not a Slack DM choices file ({exc})") from None

    def get(self, user: str) -> str | None:
        """The database `user` chose for DMs, or None."""
        with self._lock:
            return self._users.get(user)

    def choose(self, user: str, database: str) -> None:
        """Keep `database` as the DM database of `user`."""
        with self._lock, FileLock(str(self.path.parent / f".{self.path.name}.lock")):
            users = {**self._read().users, user: database}  # another process may have written
            self._write(DmChoicesFile(users=users))
            self._users = users

    def _write(self, data: DmChoicesFile) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data.model_dump_json(indent=2) + "\n")
        os.replace(tmp, self.path)
