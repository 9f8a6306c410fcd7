"""The registry of databases one install serves: a name, a Firebird database and a
workspace each, kept in one JSON file (`databases_file`, default ./databases.json).

One workspace per database: its document, annotations, index, adapters and chat
sessions never mix with another's. With nothing registered the install serves one
database, the settings' own (`workspace`, `fb_database`), under the name `default`.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from filelock import FileLock
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from schemachat.configs.errors import BadInput
from schemachat.configs.settings import Settings

FILENAME = "databases.json"
DEFAULT_NAME = "default"  # the name of the settings' own database when none is registered
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def check_name(name: str) -> str:
    """A database name as URLs, model ids (`schemachat/NAME`) and folders can carry it."""
    if not _NAME.match(name):
        raise BadInput(f"database name '{name}': use 1-40 lowercase letters, digits, '-' or "
                       "'_', starting with a letter or digit")
    return name


class DatabaseEntry(BaseModel):
    """One registered database."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Name used by --db, URLs and model ids.")
    database: str = Field(description="Database file (embedded) or host[/port]:path.")
    workspace: Path = Field(description="Workspace folder of this database (never shared).")
    added_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("1-40 lowercase letters, digits, '-' or '_'")
        return value


class Registry(BaseModel):
    """The databases file: every registered database and which one is the default."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    default: str | None = Field(None, description="Database the unscoped routes and commands "
                                                  "use (unset: the first registered).")
    databases: list[DatabaseEntry] = Field(default_factory=list)

    def names(self) -> list[str]:
        """Registered names, the default first."""
        first = self.default_name()
        return sorted((e.name for e in self.databases), key=lambda n: (n != first, n))

    def default_name(self) -> str | None:
        """The default database's name, or None when nothing is registered."""
        if self.default and any(e.name == self.default for e in self.databases):
            return self.default
        return self.databases[0].name if self.databases else None

    def find(self, name: str) -> DatabaseEntry | None:
        """The entry named `name`, or None."""
        return next((e for e in self.databases if e.name == name), None)

    def get(self, name: str) -> DatabaseEntry:
        """The entry named `name`; BadInput listing the registered names otherwise."""
        entry = self.find(name)
        if entry is None:
            known = ", ".join(self.names()) or "none (schemachat databases add NAME ...)"
            raise BadInput(f"no database named '{name}'; registered: {known}")
        return entry


def registry_path(settings: Settings) -> Path:
    """Where the registry of `settings` lives."""
    return settings.databases_file


def read_registry(path: Path) -> Registry:
    """The registry at `path` (empty when the file does not exist)."""
    if not path.exists():
        return Registry()
    try:
        return Registry.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(root)"
        raise BadInput(f"{path}: field '{field}': {err['msg']}") from None


def _write(path: Path, registry: Registry) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(registry.model_dump_json(indent=2) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _lock(path: Path) -> FileLock:
    # Beside the file, hidden: two `databases add` at once must not lose one.
    return FileLock(str(path.parent / f".{path.name}.lock"))


def add_database(path: Path, name: str, database: str, workspace: Path, *,
                 default: bool = False) -> DatabaseEntry:
    """Register `name`; BadInput when the name or the workspace is already taken."""
    check_name(name)
    with _lock(path):
        registry = read_registry(path)
        if registry.find(name) is not None:
            raise BadInput(f"a database named '{name}' is already registered in {path} "
                           f"(schemachat databases remove {name} first)")
        here = workspace.resolve()
        for other in registry.databases:
            if other.workspace.resolve() == here:
                raise BadInput(f"workspace {workspace} already belongs to database "
                               f"'{other.name}': every database needs its own")
        entry = DatabaseEntry(name=name, database=database, workspace=workspace)
        registry.databases.append(entry)
        if default or registry.default is None:
            registry.default = name
        _write(path, registry)
        return entry


def remove_database(path: Path, name: str) -> DatabaseEntry:
    """Unregister `name` (its workspace stays on disk); BadInput when unknown."""
    with _lock(path):
        registry = read_registry(path)
        entry = registry.get(name)
        registry.databases = [e for e in registry.databases if e.name != name]
        if registry.default == name:
            registry.default = registry.databases[0].name if registry.databases else None
        _write(path, registry)
        return entry


def settings_for(settings: Settings, name: str) -> Settings:
    """`settings` pointed at database `name`: its workspace and its database.

    The name `default` with nothing registered is the settings' own database.
    """
    registry = read_registry(registry_path(settings))
    if name == DEFAULT_NAME and registry.find(name) is None:
        own = registry.default_name()
        if own is None:
            return settings
        name = own
    entry = registry.get(name)
    return settings.model_copy(update={"workspace": entry.workspace,
                                       "fb_database": entry.database, "db": entry.name})


def served(settings: Settings) -> dict[str, Settings]:
    """Every database the install serves, name → settings, the default first.

    Nothing registered: `{"default": settings}`.
    """
    registry = read_registry(registry_path(settings))
    if not registry.databases:
        return {DEFAULT_NAME: settings}
    return {name: settings_for(settings, name) for name in registry.names()}
