"""How far a workspace folder is built, for listings (`schemachat databases list`): a
glance at which files exist, without reading them."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from schemachat.ingest.workspace import Workspace

State = Literal["missing", "empty", "extracted", "merged", "indexed"]

def workspace_state(root: Path) -> State:
    """The furthest stage whose file is in `root`: missing (no folder), empty, extracted
    (technical schema), merged (combined document) or indexed (retrieval index too)."""
    ws = Workspace(Path(root))
    if not ws.root.is_dir():
        return "missing"
    if not ws.combined.is_file():
        return "extracted" if ws.technical.is_file() else "empty"
    # The index writes its manifest last, so a manifest means a complete index.
    return "indexed" if (ws.index_dir / "manifest.json").is_file() else "merged"


def is_built(state: State) -> bool:
    """Whether a workspace in `state` can answer questions (it has the combined document)."""
    return state in ("merged", "indexed")
