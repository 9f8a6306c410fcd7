"""Build and launch the Gradio app.

It serves every database of `configs.databases.served(settings)`: the header's picker
(database_picker) chooses one per browser session and every tab follows it. Each tab is a
module with `TITLE`, `ID` and `build(choice, app, tab)`, its handlers reading the chosen
database through `choice`; adding a tab is one module plus one line in `TABS`.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # never phone home

import gradio as gr

from schemachat.agent.models.warmup import Loader, ModelWarmup
from schemachat.configs import Settings
from schemachat.ui.app import analysis_tab, annotate_tab, chat_tab, overview_tab, training_tab
from schemachat.ui.app.database_picker import build_header
from schemachat.ui.app.databases import ServedDatabases

TABS: list[ModuleType] = [annotate_tab, overview_tab, analysis_tab, chat_tab, training_tab]

# System fonts only: the default theme would fetch web fonts from the internet.
_SANS = ["ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"]
_MONO = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]
CSS = """
.status-ok { color: #166534; }
.status-conflict { color: #9a3412; }
#ann-status p { margin: 0; }
"""


def theme() -> gr.themes.Base:
    """The app's theme (no web fonts)."""
    return gr.themes.Default(font=_SANS, font_mono=_MONO)


def build_app(settings: Settings, *, model_loader: Loader | None = None) -> gr.Blocks:
    """The app for every database `settings` serve (the registry's, else the settings'
    own). BadInput (before anything is served) when the default database's workspace
    has no schema or its annotations file is broken; the others are opened when first
    picked. The chat model, one for all databases, starts being prepared in the
    background at once (`model_loader`: warmup.prepare_model unless a test passes
    another); the Chat tab shows its state."""
    warmup = ModelWarmup(settings, model_loader)
    databases = ServedDatabases(settings, warmup)
    databases.database(None)  # the default must be servable before anything is served
    warmup.start()
    with gr.Blocks(title="schemachat") as app:
        choice = build_header(databases, app)
        with gr.Tabs():
            for tab in TABS:
                with gr.Tab(tab.TITLE, id=tab.ID) as handle:
                    tab.build(choice, app, handle)
    return app


def launch(settings: Settings, *, host: str = "127.0.0.1", port: int = 7860,
           block: bool = True, model_loader: Loader | None = None
           ) -> tuple[gr.Blocks, Any, str]:
    """Serve the app on `host:port` (no share link, no analytics). With `block=False` it
    returns at once (tests); `app.close()` stops it. `model_loader`: see build_app."""
    app = build_app(settings, model_loader=model_loader)
    _, url, _ = app.launch(server_name=host, server_port=port, share=False,
                           prevent_thread_lock=not block, quiet=not block, show_error=True,
                           theme=theme(), css=CSS, footer_links=[])
    return app, None, url
