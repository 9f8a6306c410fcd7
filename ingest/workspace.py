"""The workspace folder: where each file lives, and reading/writing them safely.

Reading a file of the wrong shape is a BadInput that names the file and the field;
writing is atomic (temp file, fsync, rename), so a crash never leaves half a file.

Writers that must not overlap (annotation saves, merges, index refreshes, feedback
appends) take a lock file from `Workspace.lock`, all of them in one hidden `.locks/`
folder: filelock never deletes its file on Unix (deleting it while another process
waits on it would let two holders in), so they stay, and there they stay out of sight
instead of looking like crash leftovers among the workspace's files. They stay inside
the workspace rather than in /tmp because processes on different machines or containers
may share it (docker-compose.yml: the API and the Slack bot on one volume).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from filelock import FileLock
from pydantic import BaseModel, ValidationError

from schemachat.configs import BadInput
from schemachat.ingest.models import annotations, combined, counts, samples, technical, values

M = TypeVar("M", bound=BaseModel)
LOCKS = ".locks"  # the folder of the workspace's lock files (see the module docstring)

# Which command writes each file, for "run X first" messages.
_WRITTEN_BY = {
    technical.FILENAME: "schemachat extract",
    counts.FILENAME: "schemachat counts",
    samples.FILENAME: "schemachat samples",
    values.FILENAME: "schemachat samples",
    combined.FILENAME: "schemachat merge",
    annotations.FILENAME: "schemachat annotate",
}


@dataclass(frozen=True)
class Workspace:
    """Paths of the files in one workspace folder."""

    root: Path

    @property
    def technical(self) -> Path:
        return self.root / technical.FILENAME

    @property
    def annotations(self) -> Path:
        return self.root / annotations.FILENAME

    @property
    def history(self) -> Path:
        return self.root / "schema_metadata.history.jsonl"

    @property
    def counts(self) -> Path:
        return self.root / counts.FILENAME

    @property
    def samples(self) -> Path:
        return self.root / samples.FILENAME

    @property
    def values(self) -> Path:
        return self.root / values.FILENAME

    @property
    def combined(self) -> Path:
        return self.root / combined.FILENAME

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    def lock_path(self, name: str) -> Path:
        """The lock file that serialises writers of `name` (a file or a part of the
        workspace, such as "index")."""
        return self.root / LOCKS / f"{name}.lock"

    def lock(self, name: str, *, timeout: float = -1) -> FileLock:
        """The inter-process lock of `name` (filelock; `timeout` in seconds, -1 waits
        for ever), its folder created if needed."""
        path = self.lock_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(str(path), timeout=timeout)

    def ensure(self) -> Workspace:
        """Create the folder if needed; BadInput if a file stands in the way."""
        if self.root.exists() and not self.root.is_dir():
            raise BadInput(f"workspace is not a folder: {self.root}")
        self.root.mkdir(parents=True, exist_ok=True)
        return self


def read_model(path: Path, model: type[M]) -> M:
    """Read and validate a workspace file.

    Raises BadInput naming the file (and the command that writes it) when missing,
    and naming the file, line or field when it is not valid.
    """
    if not path.is_file():
        hint = _WRITTEN_BY.get(path.name)
        run = f": run `{hint}` first" if hint else ""
        raise BadInput(f"{path} not found{run}")
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: "
                       f"{exc.msg}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadInput(describe_validation(path, exc)) from None


def read_optional(path: Path, model: type[M]) -> M | None:
    """Like read_model, but None when the file does not exist."""
    return read_model(path, model) if path.exists() else None


def describe_validation(path: Path, exc: ValidationError) -> str:
    """One line: the file, the first bad field (dotted path) and what is wrong with it."""
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "(root)"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{path}: field '{field}': {err['msg']}{more}"


def dump_model(model: BaseModel) -> str:
    """The JSON text a model is stored as: indented, UTF-8, stable field order."""
    return model.model_dump_json(indent=2, exclude_none=False) + "\n"


def write_model(path: Path, model: BaseModel) -> Path:
    """Write a model to `path` atomically."""
    write_text_atomic(path, dump_model(model))
    return path


def write_text_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` so readers see the old or the new file, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
