"""Commands for models and adapters: `adapters add / list / remove`, `models prepare`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from schemachat.configs import Settings
from schemachat.ui.cli.app import app, err, out, with_settings

if TYPE_CHECKING:
    from schemachat.agent.adapters.store import AdapterInfo

adapters_app = typer.Typer(help="Register, list and remove LoRA adapters of the workspace.",
                           no_args_is_help=True)
app.add_typer(adapters_app, name="adapters")
models_app = typer.Typer(help="The chat model: prepare the offline default.",
                         no_args_is_help=True)
app.add_typer(models_app, name="models")


@adapters_app.command("add")
@with_settings(database=False)
def adapters_add(
    settings: Settings,
    name: Annotated[str, typer.Argument(help="Name to use it by (letters, digits, _ and -).")],
    path: Annotated[Path, typer.Argument(help="A PEFT adapter folder (adapter_config.json + "
                                              "adapter_model.safetensors).")],
    link: Annotated[bool, typer.Option("--link/--copy", help="Link to PATH instead of "
                                       "copying it into the workspace.")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Replace an adapter of the same "
                                          "name.")] = False,
) -> None:
    """Register an existing PEFT adapter as NAME, after checking that it was trained on the
    configured base model (model_id / model_path, or the default model)."""
    from schemachat.agent.models import adapter_store

    info = adapter_store(settings).add(name, path, mode="link" if link else "copy",
                                                    replace=replace)
    how = "linked" if link else "copied"
    err.print(f"adapter [bold]{info.name}[/bold] {how} -> {info.path} ({info.peft_type} "
              f"r={info.rank}, base {info.base_model})")


@adapters_app.command("list")
@with_settings(database=False)
def adapters_list(
    settings: Settings,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array on stdout.")] = False,
) -> None:
    """The adapters of the workspace, marking the ones active by default: the setting
    `adapters`, else the active schema adapter of training/active.json; and the schema
    each was trained on (this database, another one, or unknown for older adapters)."""
    from schemachat.agent.adapters.active import read_active
    from schemachat.agent.adapters.store import AdapterStore
    from schemachat.ingest.schema_fingerprint import workspace_shape

    adapters = AdapterStore(settings.workspace).list()
    record = read_active(settings.workspace)
    trained = record.adapter if record else None
    here = workspace_shape(settings.workspace) if adapters else None

    def fits(a: AdapterInfo) -> bool | None:
        # Whether it was trained on this workspace's schema (None: cannot tell).
        if a.trained_on is None or here is None:
            return None
        return a.trained_on.fingerprint == here.fingerprint

    def mark(name: str) -> str:
        if settings.adapters is not None:
            return "yes" if name in settings.adapters else ""
        return "yes*" if name == trained else ""

    if as_json:
        out.print_json(json.dumps([{**a.model_dump(mode="json"), "active": bool(mark(a.name)),
                                    "active_record": a.name == trained,
                                    "schema_matches": fits(a)} for a in adapters]))
        return
    if not adapters:
        err.print(f"no adapters in {settings.workspace / 'adapters'}; add one with "
                  "`schemachat adapters add NAME PATH`")
        return
    table = Table(title=f"adapters in {settings.workspace / 'adapters'}",
                  caption="yes*: the active schema adapter (training/active.json)"
                  if trained and settings.adapters is None else None)
    for column in ("name", "active", "type", "rank", "modules", "base model", "schema",
                   "from"):
        table.add_column(column)
    for a in adapters:
        origin = {"copy": f"copied from {a.source}", "link": f"link to {a.source}"}.get(
            a.origin, "trained here")
        match = fits(a)
        schema = ("unknown" if a.trained_on is None else
                  "this database" if match else
                  f"other: {a.trained_on.describe()}" if match is False else
                  a.trained_on.describe())
        table.add_row(a.name, mark(a.name), a.peft_type, str(a.rank or ""),
                      ",".join(a.target_modules), a.base_model, escape(schema), origin)
    out.print(table)


@adapters_app.command("remove")
@with_settings(database=False)
def adapters_remove(
    settings: Settings,
    name: Annotated[str, typer.Argument(help="The adapter to remove.")],
) -> None:
    """Remove an adapter from the workspace (a linked folder itself is left alone)."""
    from schemachat.agent.adapters.store import AdapterStore

    info = AdapterStore(settings.workspace).remove(name)
    what = f"link to {info.source} removed" if info.origin == "link" else "deleted"
    err.print(f"adapter [bold]{name}[/bold]: {what}")


@models_app.command("prepare")
@with_settings(database=False)
def models_prepare(settings: Settings) -> None:
    """Build the cached safetensors copy of the default model (once; about a minute), so
    later loads take seconds. Prints the folder."""
    import time

    from schemachat.agent.models.default import ensure_default_model

    started = time.perf_counter()
    with err.status("preparing the default model") as status:
        folder = ensure_default_model(settings.model_cache_dir,
                                      log=lambda text: status.update(text))
    err.print(f"default model ready in {time.perf_counter() - started:.1f} s")
    out.print(str(folder), highlight=False, soft_wrap=True)
