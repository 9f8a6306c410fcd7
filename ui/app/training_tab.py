"""The Training tab: the workspace's adapters (steps, loss, eval headline, which one is
active), their eval reports side by side, set the active one, and start a retrain with
the loss shown live; of the database the header's picker chose (adapters live in its
workspace)."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
import pandas as pd

from schemachat.ui.app.database_picker import DatabaseChoice
from schemachat.ui.context import AppContext

if TYPE_CHECKING:
    from schemachat.ui.app.databases import ServedDatabases

TITLE = "Training"
ID = "training"
COLUMNS = ["adapter", "active", "steps", "train loss", "score (adapter, with context)"]


def _json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def adapter_rows(workspace: Path) -> pd.DataFrame:
    """One row per adapter folder of the workspace."""
    from schemachat.agent.adapters.active import read_active
    from schemachat.training.evaluate import adapter_score

    record = read_active(workspace)
    active = record.adapter if record else None
    rows = []
    root = Path(workspace) / "adapters"
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if not (folder / "adapter_config.json").is_file():
            continue
        results, report = _json(folder / "train_results.json"), _json(folder / "eval_report.json")
        rows.append([folder.name, folder.name == active, results.get("global_step"),
                     results.get("train_loss"), adapter_score(report) if report else None])
    return pd.DataFrame(rows, columns=COLUMNS)


def reports_markdown(workspace: Path, names: list[str]) -> list[str]:
    """The eval report (markdown) of each named adapter, or a line saying there is none."""
    out = []
    for name in names:
        path = Path(workspace) / "adapters" / name / "eval_report.md"
        text = path.read_text("utf-8") if path.is_file() else "_no eval report yet_"
        out.append(f"### {name}\n\n{text}")
    return out


def set_active(workspace: Path, name: str | None, *, db: str | None = None) -> str:
    """Record adapter `name` in training/active.json (the chat model follows it), or say
    why not: an adapter trained on another database (or on this one before its tables
    changed) is refused here, naming both, rather than silently left unused by the chat
    model. `db`: the workspace's registered name, for the message."""
    from schemachat.agent.adapters.active import ActiveAdapter, read_active, write_active
    from schemachat.agent.adapters.store import AdapterStore
    from schemachat.configs import BadInput
    from schemachat.training.evaluate import adapter_score

    if not name:
        return "pick an adapter first"
    try:
        AdapterStore(workspace, db=db).check_schema(name)
    except BadInput as exc:
        return f"Not made active: {exc}"
    folder = Path(workspace) / "adapters" / name
    dataset, args = _json(folder / "dataset.json"), _json(folder / "training_args.json")
    report = _json(folder / "eval_report.json")
    previous = read_active(workspace)
    base = args.get("schemachat", {}).get("base") or (previous.base if previous else "")
    write_active(workspace, ActiveAdapter(
        adapter=name, fingerprint=dataset.get("fingerprint", ""), base=base,
        score=adapter_score(report) if report else None))
    return f"{name} is now the active schema adapter"


def activate(served: ServedDatabases, name: str | None, adapter: str | None) -> str:
    """Set active `adapter` of database `name` (None: the default), refused when it was
    trained on another database: the message names the database by its registered
    name."""
    settings = served.settings_of(name)
    return set_active(settings.workspace, adapter, db=settings.db)


def retrain_stream(ctx: AppContext, profile: str) -> Iterator[str]:
    """Run retrain in a thread, yielding the log with each logged loss as it comes."""
    from schemachat.training.profiles import load_profile

    events: queue.Queue[str | None] = queue.Queue()
    lines: list[str] = []

    def work() -> None:
        from schemachat.training.retrain import retrain

        try:
            outcome = retrain(ctx.settings, load_profile(profile), log=events.put,
                              on_loss=lambda s, n, loss: events.put(f"step {s}/{n} loss "
                                                                    f"{loss:.4f}"))
            events.put(f"{outcome.status}: {outcome.reason}")
        except Exception as exc:  # shown in the tab, not raised into gradio
            events.put(f"failed: {exc}")
        events.put(None)

    threading.Thread(target=work, daemon=True).start()
    while (line := events.get()) is not None:
        lines.append(line)
        yield "\n".join(lines[-30:])


def build(choice: DatabaseChoice, app: gr.Blocks, tab: gr.Tab) -> None:
    """Lay out the tab and wire its events."""
    db = choice.state

    def workspace(name: str | None) -> Path:
        return choice.served.settings_of(name).workspace

    table = gr.Dataframe(label="Adapters", headers=COLUMNS, interactive=False,
                         elem_id="training-adapters")
    with gr.Row():
        picked = gr.Dropdown(label="Reports of", multiselect=True, choices=[], scale=3,
                             elem_id="training-reports-of")
        active = gr.Dropdown(label="Adapter", choices=[], scale=2, elem_id="training-adapter")
        make_active = gr.Button("Set active", scale=1, elem_id="training-set-active")
    status = gr.Markdown(elem_id="training-status")
    with gr.Row():
        left = gr.Markdown(elem_id="training-report-left")
        right = gr.Markdown(elem_id="training-report-right")
    with gr.Row():
        profile = gr.Dropdown(label="Profile", choices=["cpu-gemma", "llama3-8b-gpu"],
                              value="cpu-gemma", scale=2, elem_id="training-profile")
        start = gr.Button("Start retrain", variant="primary", scale=1,
                          elem_id="training-start")
    log = gr.Textbox(label="Retrain log (loss live)", lines=10, elem_id="training-log")

    def show(name: str | None) -> tuple[Any, ...]:
        rows = adapter_rows(workspace(name))
        names = list(rows["adapter"])
        return rows, gr.update(choices=names, value=[]), gr.update(choices=names, value=None)

    def refresh(name: str | None) -> tuple[Any, ...]:
        # After set active or a retrain: the choices change, the picks stay.
        rows = adapter_rows(workspace(name))
        names = list(rows["adapter"])
        return rows, gr.update(choices=names), gr.update(choices=names)

    def reports(name: str | None, names: list[str] | None) -> tuple[str, str]:
        texts = [*reports_markdown(workspace(name), list(names or [])[:2]), "", ""]
        return texts[0], texts[1]

    def run(name: str | None, profile_name: str) -> Iterator[str]:
        yield from retrain_stream(choice.context(name), profile_name)

    outputs = [table, picked, active]
    tab.select(refresh, inputs=db, outputs=outputs)
    # Another database: its adapters, none of the previous one's picks, reports or log.
    db.change(show, inputs=db, outputs=outputs).then(lambda: ("", "", "", ""),
                                                     outputs=[left, right, status, log])
    picked.change(reports, inputs=[db, picked], outputs=[left, right])
    make_active.click(lambda name, adapter: activate(choice.served, name, adapter),
                      inputs=[db, active], outputs=status).then(
        refresh, inputs=db, outputs=outputs)
    start.click(run, inputs=[db, profile], outputs=log).then(refresh, inputs=db,
                                                              outputs=outputs)
