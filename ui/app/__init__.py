"""The Gradio app: one module per tab, listed in `app.TABS`."""

from schemachat.ui.app.app import TABS, build_app, launch

__all__ = ["TABS", "build_app", "launch"]
