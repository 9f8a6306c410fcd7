"""The app's header: its title and the database picker (shown only when more than one
database is served), and the session's choice every tab follows.

The choice is a per-session gr.State (`DatabaseChoice.state`), never global, so two
browser tabs can work on two databases at once. The URL keeps it: `?db=NAME` selects on
load (an unknown name shows the default, with a note saying so), and picking another
database rewrites the URL in place (history.replaceState) so a reload or a copied link
opens the same one. Tabs listen to `state.change`: it fires once the load has resolved
the name, and again after each pick."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import gradio as gr

from schemachat.configs import BadInput
from schemachat.ui.app.databases import ServedDatabases
from schemachat.ui.context import AppContext
from schemachat.ui.served import ServedDatabase

# Before a pick reaches the server: the URL says the new database, and loses the table
# and column of a link, which belong to the previous database.
_PICK_JS = """(name, current) => {
  const url = new URL(window.location.href);
  url.searchParams.set('db', name);
  url.searchParams.delete('table');
  url.searchParams.delete('column');
  window.history.replaceState(null, '', url);
  return [name, current];
}"""
# After the load or a pick: the URL says the database shown (a refused pick or an
# unknown ?db= put it back); with one database a URL without ?db= stays so.
_SHOWN_JS = """(name) => {
  const url = new URL(window.location.href);
  if (!name || (!%s && !url.searchParams.has('db'))) return;
  if (url.searchParams.get('db') !== name) {
    url.searchParams.set('db', name);
    window.history.replaceState(null, '', url);
  }
}"""


@dataclass
class DatabaseChoice:
    """What a tab needs to follow the picker: the served databases, the session's chosen
    name (`state`, an input of every handler that reads a database; its `change` fires
    when the page has loaded and after each pick) and the picker itself (its `input`:
    the user picked, e.g. to stop work on the previous database)."""

    served: ServedDatabases
    state: gr.State
    picker: gr.Dropdown

    def database(self, name: str | None) -> ServedDatabase:
        """The served database named `name` (None, before the page has loaded: the
        default)."""
        return self.served.database(name)

    def context(self, name: str | None) -> AppContext:
        """The AppContext of database `name` (see `database`)."""
        return self.served.context(name)


def title(served: ServedDatabases, name: str | None) -> str:
    """The header line naming the database file shown."""
    return f"## schemachat · `{served.context(name).doc().database.name}`"


def build_header(served: ServedDatabases, app: gr.Blocks) -> DatabaseChoice:
    """Lay out the header and wire the picker; returns the choice the tabs follow."""
    several = len(served.names) > 1
    state = gr.State(None)  # set by the load, so `change` fires for every page
    with gr.Row(equal_height=True):
        heading = gr.Markdown(title(served, None), elem_id="db-title")
        picker = gr.Dropdown(choices=served.names, value=served.default, label="Database",
                             visible=several, interactive=True, filterable=False,
                             scale=0, min_width=240, elem_id="db-picker")
    note = gr.Markdown(elem_id="db-note")
    shown_js = _SHOWN_JS % json.dumps(several)

    def on_load(request: gr.Request) -> dict[Any, Any]:
        params = dict(request.query_params) if request else {}
        name, message = served.resolve(params.get("db"))
        return {state: name, picker: name, note: message, heading: title(served, name)}

    def on_pick(name: str, current: str | None) -> dict[Any, Any]:
        try:
            served.database(name)
        except BadInput as exc:  # keep the database shown, and say why
            back = current or served.default
            return {picker: back, note: f"Database `{name}` cannot be opened: {exc}"}
        return {state: name, note: "", heading: title(served, name)}

    outputs = [state, picker, note, heading]
    app.load(on_load, outputs=outputs).then(None, inputs=picker, js=shown_js)
    picker.input(on_pick, inputs=[picker, state], outputs=outputs, js=_PICK_JS).then(
        None, inputs=picker, js=shown_js)
    return DatabaseChoice(served, state, picker)
