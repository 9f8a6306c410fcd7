"""Preparing the chat model before the first question needs it, and its state meanwhile.

`prepare_model(settings)` does up front what the first question would otherwise do: for
the default backend, build the safetensors copy of Gemma 3 270M (about a minute and a
half on 2 cores, once per machine; default.py) and load it; for the local backend, load
the weights; for both, build the tokenizer's grammar table for constrained decoding
(seconds; grammar.py); for tgi, openai and fake, build the client (nothing to load). Loaded
weights stay in the process (hf_base.load_base), so the agents opened later share them.

`ModelWarmup` runs that preparation in a background thread and tells its state, which
the Gradio app's Chat tab and the HTTP API's /health show:

- "loading": the preparation runs;
- "ready": the model can answer at once;
- "none": model_backend none, there is no model (query plans answer);
- "failed": the preparation raised; `error` says why.

    warmup = ModelWarmup(settings).start()
    warmup.state()          # ModelState(state="loading", name="gemma3-...", ...)
    warmup.wait(timeout=5)  # the state once it is no longer loading (or at the timeout)
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from schemachat.configs import Settings

log = logging.getLogger(__name__)
State = Literal["loading", "ready", "none", "failed"]
Say = Callable[[str], None]
# What a warm-up runs: the settings and a line-by-line progress callback.
Loader = Callable[[Settings, Say], object]


def model_name(settings: Settings) -> str | None:
    """What the configured model is called, for people (None: model_backend none)."""
    backend = settings.model_backend
    if backend == "none":
        return None
    if backend == "default":
        from schemachat.agent.models import default

        name = default.PACKAGE
        with contextlib.suppress(Exception):  # not installed: the warm-up says so
            name += f" {default.package_version()}"
        return name
    if backend == "local":
        return str(settings.model_path or settings.model_id or "local")
    if backend == "tgi":
        return settings.model_id or settings.tgi_url or "tgi"
    if backend == "openai":
        return settings.openai_model or "openai"
    return backend


def prepare_model(settings: Settings, say: Say | None = None, *, load: bool = True) -> object:
    """Prepare the chat model of `settings` the way the agents will use it (see the module
    docstring) and return it; None for model_backend none. With `load=False` only what
    lasts on disk is done (the default model's cache), not the loading into this process.
    `say` gets one line per step. BadInput for a backend without its settings;
    ModelError when the model package is missing or the model fails to load."""
    from schemachat.agent.models import default
    from schemachat.agent.models.registry import chat_model

    note = say or (lambda _: None)
    if settings.model_backend == "none":
        return None
    if settings.model_backend == "default":
        if default.is_cached(settings.model_cache_dir):
            note(f"converted copy found in {default.cached_model_dir(settings.model_cache_dir)}")
        else:
            note("converting the default model once (about a minute and a half)")
        default.ensure_default_model(settings.model_cache_dir, log=note)
    model = chat_model(settings)
    base = getattr(model, "base", None)  # the local backends: weights to load
    if load and callable(base):
        note("loading the weights")
        loaded = base()
        _grammar_table(loaded.tokenizer, note)
    return model


def _grammar_table(tokenizer: object, note: Say) -> None:
    """Build the tokenizer's grammar table now (seconds for a large vocabulary), so the
    first question whose plan the model chooses does not wait for it (grammar.py)."""
    from schemachat.agent.models.errors import ModelError
    from schemachat.agent.models.grammar import grammar_engine

    note("building the grammar table for constrained decoding")
    try:
        grammar_engine(tokenizer)
    except ModelError as exc:  # llguidance missing: plans are still chosen, by ranking
        log.warning("no grammar table: %s", exc)


@dataclass(frozen=True)
class ModelState:
    """The warm-up's state at one moment (see the module docstring)."""

    state: State
    name: str | None
    error: str | None = None
    seconds: float | None = None  # how long the preparation took (or has taken so far)
    step: str | None = None  # the last progress line while loading


class ModelWarmup:
    """Prepares the model of `settings` in a background thread (`start`); `loader` is
    `prepare_model` unless a test passes a slower or failing one."""

    def __init__(self, settings: Settings, loader: Loader | None = None) -> None:
        self.settings = settings
        self.name = model_name(settings)
        self._loader: Loader = loader or prepare_model
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._started: float | None = None
        self._finished: float | None = None
        self._error: str | None = None
        self._step: str | None = None
        if settings.model_backend == "none":
            self._done.set()  # nothing to prepare

    def start(self) -> ModelWarmup:
        """Start preparing in a daemon thread (once; later calls do nothing)."""
        with self._lock:
            if self._thread is not None or self._done.is_set():
                return self
            self._started = time.perf_counter()
            # A daemon: Ctrl-C on the server must not wait for a model conversion.
            self._thread = threading.Thread(target=self._run, name="schemachat-model-warmup",
                                            daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._loader(self.settings, self._say)
        except Exception as exc:  # shown in the app and /health rather than lost in a thread
            log.warning("preparing the model %s failed: %s", self.name, exc)
            with self._lock:
                self._error = str(exc) or type(exc).__name__
        finally:
            with self._lock:
                self._finished = time.perf_counter()
            self._done.set()

    def _say(self, line: str) -> None:
        with self._lock:
            self._step = line

    def state(self) -> ModelState:
        """The state now."""
        with self._lock:
            if self.settings.model_backend == "none":
                return ModelState("none", None)
            seconds = None
            if self._started is not None:
                seconds = round((self._finished or time.perf_counter()) - self._started, 1)
            if not self._done.is_set():
                return ModelState("loading", self.name, seconds=seconds, step=self._step)
            if self._error is not None:
                return ModelState("failed", self.name, error=self._error, seconds=seconds)
            return ModelState("ready", self.name, seconds=seconds)

    def wait(self, timeout: float | None = None) -> ModelState:
        """The state once the preparation has ended, or as it is after `timeout` seconds."""
        self._done.wait(timeout)
        return self.state()
