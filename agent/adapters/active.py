"""The active schema adapter: `<workspace>/training/active.json`.

Retrain (and the Training tab) record which adapter of `<workspace>/adapters/` is the
active schema adapter; the chat model uses it when neither the settings (`adapters`)
nor the request name adapters:

    write_active(workspace, ActiveAdapter(adapter="schema-20261125-0300", base=...))
    watch = ActiveAdapterWatch(workspace=ws, base_names=configured_base_names(settings))
    watch.current()   # ("schema-20261125-0300", "/.../adapters/schema-...") or None

The watch re-reads the file only when it changed (mtime, size, inode), so a long-running
app picks up a retrain's switch on its next request at the cost of one `stat`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

from schemachat.configs import BadInput
from schemachat.ingest.workspace import read_optional, write_model

FILENAME = "active.json"
log = logging.getLogger(__name__)


class ActiveAdapter(BaseModel):
    """`<workspace>/training/active.json`: the active schema adapter."""

    version: Literal[1] = 1
    adapter: str = Field(description="Name of the adapter folder in <workspace>/adapters.")
    fingerprint: str = Field("", description="Fingerprint of the dataset it was trained on.")
    score: float | None = Field(None, description="Its eval headline (adapter, with context).")
    base: str = Field("", description="The base model it was trained on, as training named it.")
    at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC),
                            description="When it became active.")


def active_file(workspace: Path) -> Path:
    """Where the active record of `workspace` lives."""
    return Path(workspace) / "training" / FILENAME


def read_active(workspace: Path) -> ActiveAdapter | None:
    """The active record, or None; BadInput naming the file and field when it is broken."""
    return read_optional(active_file(workspace), ActiveAdapter)


def write_active(workspace: Path, record: ActiveAdapter) -> Path:
    """Make `record` the active one (atomic: readers see the old or the new file)."""
    return write_model(active_file(workspace), record)


class ActiveAdapterWatch(BaseModel):
    """Follows active.json of `workspace`: `current()` is the active adapter's (name,
    folder) when its folder is there, its base matches `base_names` and it was trained on
    the workspace's schema, else None (with a warning in the log)."""

    workspace: Path
    base_names: list[str] = Field(description="What the serving base model may be called.")
    db: str | None = Field(None, description="The workspace's registered database name, "
                                             "for messages.")
    _key: tuple[int, int, int] | None = PrivateAttr(None)
    _seen: bool = PrivateAttr(False)
    _current: tuple[str, str] | None = PrivateAttr(None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def current(self) -> tuple[str, str] | None:
        """(name, folder) of the adapter to use, re-resolved when active.json changed."""
        try:
            st = active_file(self.workspace).stat()
            key: tuple[int, int, int] | None = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            key = None
        with self._lock:
            if not self._seen or key != self._key:
                self._current = self._resolve() if key is not None else None
                self._key, self._seen = key, True
            return self._current

    def _resolve(self) -> tuple[str, str] | None:
        from schemachat.agent.adapters.store import AdapterStore, base_matches

        try:
            record = read_active(self.workspace)
            if record is None:
                return None
            store = AdapterStore(self.workspace, db=self.db)
            info = store.get(record.adapter)
            store.check_schema(info.name)  # never another database's adapter
        except BadInput as exc:
            log.warning("active adapter not used: %s", exc)
            return None
        if not base_matches(info.base_model, self.base_names):
            log.warning("active adapter %s not used: trained on %r, the model is %r",
                        info.name, info.base_model, self.base_names[:1])
            return None
        log.info("active adapter: %s", info.name)
        return info.name, str(info.path)
