"""What the front ends that serve a workspace share (the Gradio app's tabs and the HTTP
API alike): settings, the workspace, the annotation store, and the combined document and
samples, re-read when their files change. A save re-merges the document and refreshes
the retrieval index (`saved`). The Gradio app also keeps its chat model's warm-up here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemachat.configs import BadInput, Settings
from schemachat.ingest.annotations import AnnotationStore
from schemachat.ingest.models.annotations import SchemaMetadata
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.samples import Samples
from schemachat.ingest.remerge import refresh_combined
from schemachat.ingest.suggestions import Suggester
from schemachat.ingest.workspace import Workspace, read_model

if TYPE_CHECKING:
    from schemachat.agent.models.warmup import ModelWarmup


@dataclass
class AppContext:
    """Shared state of one running app (one per server, used by every session)."""

    settings: Settings
    workspace: Workspace
    store: AnnotationStore
    warmup: ModelWarmup | None = None  # the chat model being prepared (the Gradio app)
    _cache: dict[str, tuple[float, Any]] = field(default_factory=dict, repr=False)
    _listeners: list[Callable[[bool], None]] = field(default_factory=list, repr=False)

    @classmethod
    def open(cls, settings: Settings) -> AppContext:
        """Check the workspace can be served: BadInput when the schema is missing or the
        annotations file is broken (naming the line; it is never overwritten)."""
        ws = Workspace(settings.workspace)
        if not ws.combined.exists() and not ws.technical.exists():
            raise BadInput(f"no schema in {ws.root}: run `schemachat extract` and "
                           f"`schemachat merge` first")
        store = AnnotationStore(ws)
        ctx = cls(settings, ws, store)
        metadata = store.read()  # raises on a broken file before anything is served
        if not ws.combined.exists():
            refresh_combined(ws, metadata)
        return ctx

    def _cached(self, path: Path, load: Any) -> Any:
        mtime = path.stat().st_mtime if path.exists() else 0.0
        hit = self._cache.get(str(path))
        if hit is None or hit[0] != mtime:
            hit = (mtime, load() if path.exists() else None)
            self._cache[str(path)] = hit
        return hit[1]

    def doc(self) -> CombinedSchema:
        """The combined document as last merged."""
        doc: CombinedSchema = self._cached(self.workspace.combined,
                                           lambda: read_model(self.workspace.combined,
                                                              CombinedSchema))
        return doc

    def samples(self) -> Samples | None:
        """Sample rows and distributions, if `schemachat samples` ran."""
        samples: Samples | None = self._cached(self.workspace.samples,
                                               lambda: read_model(self.workspace.samples,
                                                                  Samples))
        return samples

    def metadata(self) -> SchemaMetadata:
        """The annotations as stored now."""
        return self.store.read()

    def suggester(self) -> Suggester:
        """Heuristic suggestions over the current document and annotations."""
        return Suggester(self.doc(), self.metadata(), self.samples())

    def on_refresh(self, listener: Callable[[bool], None]) -> None:
        """Call `listener(index_refreshed)` after each save has re-merged the document (and
        refreshed the index, when True): running agents reload what they cached. Adding
        the same listener twice adds it once."""
        if listener not in self._listeners:
            self._listeners.append(listener)

    def saved(self, objects: list[str]) -> None:
        """After a save: re-merge the objects that changed into the combined document,
        update the retrieval index for them (when there is a usable one; only changed
        chunks are embedded), then tell the listeners."""
        doc = refresh_combined(self.workspace, self.metadata(), objects)
        if doc is None:
            return
        from schemachat.agent.retrieval.index import refresh_index

        refreshed = refresh_index(self.settings, doc) is not None
        for listener in list(self._listeners):
            listener(refreshed)

    def refresh_all(self) -> None:
        """After counts or samples change: merge everything again."""
        refresh_combined(self.workspace, self.metadata(), None)
