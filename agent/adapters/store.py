"""LoRA adapters in the workspace: `<workspace>/adapters/NAME/`, one PEFT folder each.

A folder there with an `adapter_config.json` is an adapter, whether training wrote it or
`AdapterStore.add` brought it in (copied, or a symbolic link to a folder elsewhere, such
as a `results-llama3-8b-chat-schema-adapter/` trained on another machine). `add` checks
that the adapter was trained on the configured base model; `adapters/registry.json`
remembers where added ones came from. Which adapters are active is a setting
(`adapters`) or a per-request choice of the chat model. An adapter records the schema it
was trained on (`schema.py`); `add` and `check_schema` refuse one of another database.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import BaseModel, Field

from schemachat.agent.adapters.schema import (
    SchemaFingerprint,
    check_schema,
    read_schema_fingerprint,
)
from schemachat.configs import BadInput
from schemachat.ingest.workspace import read_optional, write_model

REGISTRY = "registry.json"
CONFIG = "adapter_config.json"
WEIGHTS = ("adapter_model.safetensors", "adapter_model.bin")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class RegisteredAdapter(BaseModel):
    """Where an added adapter came from."""

    source: str = Field(description="The folder it was added from (absolute).")
    mode: Literal["copy", "link"]
    base_model: str = Field(description="base_model_name_or_path of its adapter_config.json.")
    added_at: dt.datetime


class AdapterRegistry(BaseModel):
    """`<workspace>/adapters/registry.json`."""

    version: Literal[1] = 1
    adapters: dict[str, RegisteredAdapter] = Field(default_factory=dict)


class AdapterInfo(BaseModel):
    """One adapter as `list` shows it."""

    name: str
    path: Path
    base_model: str
    peft_type: str
    rank: int | None = None
    alpha: float | None = None
    target_modules: list[str] = Field(default_factory=list)
    origin: Literal["copy", "link", "workspace"] = Field(
        description="copy/link: added by `adapters add`; workspace: written there (training).")
    source: str | None = None
    added_at: dt.datetime | None = None
    trained_on: SchemaFingerprint | None = Field(
        None, description="The schema it was trained on (None: trained before adapters "
                          "recorded it).")


class AdapterStore:
    """The adapters of one workspace (registered as database `db`, when it is).
    `base_names`: what the configured base model may be called
    (`schemachat.agent.models.configured_base_names`); `add` refuses adapters of another
    base, or of another database's schema. `schemachat.agent.models.adapter_store(settings)`
    builds the usual one."""

    def __init__(self, workspace: Path, base_names: Sequence[str] = (), *,
                 db: str | None = None) -> None:
        self.workspace = Path(workspace)
        self.root = self.workspace / "adapters"
        self.base_names = list(base_names)
        self.db = db

    def add(self, name: str, path: Path, *, mode: Literal["copy", "link"] = "copy",
            replace: bool = False) -> AdapterInfo:
        """Register the PEFT folder `path` as `name` (copy it in, or link to it).

        BadInput when the name is not valid or taken (without `replace`), when `path` is
        not a PEFT adapter folder, or when its base model is not the configured one.
        """
        check_name(name)
        source = Path(path).expanduser().resolve()
        config = read_adapter_config(source)
        base = str(config.get("base_model_name_or_path") or "")
        if self.base_names and not base_matches(base, self.base_names):
            raise BadInput(f"adapter {source} was trained on base model {base or '(unset)'!r}, "
                           f"but the configured base model is {self.base_names[0]!r}: set "
                           "model_id/model_path (or model_backend) to its base, or pick an "
                           "adapter trained on this one")
        check_schema(name, source, self.workspace, db=self.db)
        target = self.root / name
        if target.exists() or target.is_symlink():
            if not replace:
                raise BadInput(f"adapter {name!r} exists already ({target}); use --replace "
                               "or another name")
            self._delete_folder(target)
        self.root.mkdir(parents=True, exist_ok=True)
        if mode == "link":
            target.symlink_to(source, target_is_directory=True)
        else:
            shutil.copytree(source, target)
        registry = self._registry()
        registry.adapters[name] = RegisteredAdapter(
            source=str(source), mode=mode, base_model=base, added_at=dt.datetime.now(dt.UTC))
        self._save(registry)
        return self.get(name)

    def list(self) -> list[AdapterInfo]:
        """Every adapter of the workspace, by name."""
        if not self.root.is_dir():
            return []
        return [self.get(p.name) for p in sorted(self.root.iterdir())
                if (p / CONFIG).is_file() and NAME.match(p.name)]

    def get(self, name: str) -> AdapterInfo:
        """One adapter; BadInput naming the known ones when there is none called `name`."""
        folder = self.path(name)
        config = read_adapter_config(folder)
        entry = self._registry().adapters.get(name)
        modules = config.get("target_modules") or []
        return AdapterInfo(
            name=name, path=folder, base_model=str(config.get("base_model_name_or_path") or ""),
            peft_type=str(config.get("peft_type") or "?"), rank=config.get("r"),
            alpha=config.get("lora_alpha"),
            target_modules=sorted(modules) if isinstance(modules, list) else [str(modules)],
            origin=entry.mode if entry else "workspace",
            source=entry.source if entry else None, added_at=entry.added_at if entry else None,
            trained_on=read_schema_fingerprint(folder))

    def check_schema(self, name: str) -> None:
        """BadInput when adapter `name` was trained on another schema than this
        workspace's (see schema.check_schema); BadInput too when there is no such adapter."""
        check_schema(name, self.path(name), self.workspace, db=self.db)

    def path(self, name: str) -> Path:
        """The folder of adapter `name`; BadInput when it does not exist."""
        check_name(name)
        folder = self.root / name
        if not (folder / CONFIG).is_file():
            known = ", ".join(p.name for p in self._folders()) or "none"
            raise BadInput(f"no adapter named {name!r} in {self.root} (known: {known}); add "
                           "one with `schemachat adapters add NAME PATH`")
        return folder

    def dirs(self) -> dict[str, str]:
        """name -> folder of every adapter (what the local backend may load)."""
        return {p.name: str(p) for p in self._folders()}

    def remove(self, name: str) -> AdapterInfo:
        """Forget adapter `name`: a link is removed (its target is left alone), a copy or a
        trained folder is deleted. Returns what it was."""
        info = self.get(name)
        self._delete_folder(self.root / name)
        registry = self._registry()
        if registry.adapters.pop(name, None) is not None:
            self._save(registry)
        return info

    def _folders(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [p for p in sorted(self.root.iterdir())
                if (p / CONFIG).is_file() and NAME.match(p.name)]

    @staticmethod
    def _delete_folder(folder: Path) -> None:
        if folder.is_symlink():
            folder.unlink()
        elif folder.exists():
            shutil.rmtree(folder)

    def _registry(self) -> AdapterRegistry:
        return read_optional(self.root / REGISTRY, AdapterRegistry) or AdapterRegistry()

    def _save(self, registry: AdapterRegistry) -> None:
        write_model(self.root / REGISTRY, registry)


def check_name(name: str) -> str:
    """`name` when it can name an adapter (letters, digits, `_`, `-`); else BadInput."""
    if not NAME.match(name):
        raise BadInput(f"adapter name {name!r}: use letters, digits, '_' and '-' (at most 64, "
                       "starting with a letter or digit)")
    return name


def read_adapter_config(folder: Path) -> dict:
    """The adapter_config.json of a PEFT folder; BadInput when the folder is not one."""
    if not folder.is_dir():
        raise BadInput(f"adapter folder not found: {folder}")
    path = folder / CONFIG
    if not path.is_file():
        raise BadInput(f"{folder} is not a PEFT adapter folder: no {CONFIG}")
    if not any((folder / w).is_file() for w in WEIGHTS):
        raise BadInput(f"{folder} has no adapter weights ({' or '.join(WEIGHTS)})")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(config, dict):
        raise BadInput(f"{path}: not a JSON object")
    return config


def base_matches(adapter_base: str, names: Sequence[str]) -> bool:
    """Whether an adapter's `base_model_name_or_path` names the same model as one of
    `names`: equal, or the same last path component (`meta-llama/Meta-Llama-3-8B-Instruct`
    and `/models/Meta-Llama-3-8B-Instruct`), compared without case."""
    if not adapter_base:
        return False
    wanted = _last(adapter_base)
    for name in names:
        if adapter_base.rstrip("/") == str(name).rstrip("/") or wanted == _last(str(name)):
            return True
    return False


def _last(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/").rstrip("/")).name.lower()
