"""The model warm-up: `prepare_model` on the real backends it can run without a 1 GB
model (fake, none, the default model's cache steps with the build stubbed), and
`ModelWarmup`'s states with loaders that block on an Event or fail."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from langchain_core.language_models import FakeListChatModel

from schemachat.agent.models import ModelError, default
from schemachat.agent.models.warmup import ModelWarmup, model_name, prepare_model
from schemachat.configs import Settings


def test_no_model_is_state_none_without_a_thread(make_settings: Callable[..., Settings]) -> None:
    warmup = ModelWarmup(make_settings(model_backend="none")).start()
    state = warmup.wait(timeout=0)
    assert (state.state, state.name, state.error) == ("none", None, None)
    assert not [t for t in threading.enumerate() if t.name == "schemachat-model-warmup"]
    assert prepare_model(make_settings(model_backend="none")) is None


def test_fake_backend_through_the_real_preparation(make_settings: Callable[..., Settings]
                                                   ) -> None:
    settings = make_settings(model_backend="fake", fake_responses=["ok"])
    assert isinstance(prepare_model(settings), FakeListChatModel)
    state = ModelWarmup(settings).start().wait(timeout=30)
    assert (state.state, state.name, state.error) == ("ready", "fake", None)
    assert state.seconds is not None and state.seconds >= 0


def test_loading_until_the_loader_returns(make_settings: Callable[..., Settings]) -> None:
    release, entered = threading.Event(), threading.Event()

    def slow(settings: Settings, say: Callable[[str], None]) -> None:
        say("loading the weights")
        entered.set()
        release.wait(30)

    warmup = ModelWarmup(make_settings(model_backend="fake"), slow)
    assert warmup.state().state == "loading"  # not started yet: nothing is ready
    warmup.start().start()  # a second start does not run the loader again
    assert entered.wait(10)
    state = warmup.wait(timeout=0.2)
    assert (state.state, state.step) == ("loading", "loading the weights")
    release.set()
    assert warmup.wait(timeout=10).state == "ready"


def test_a_failing_loader_is_state_failed_with_its_message(
        make_settings: Callable[..., Settings]) -> None:
    def broken(settings: Settings, say: Callable[[str], None]) -> None:
        raise ModelError("the default model needs the gemma package")

    state = ModelWarmup(make_settings(), broken).start().wait(timeout=10)
    assert state.state == "failed" and state.error == "the default model needs the gemma package"
    assert state.name is not None and state.name.startswith(default.PACKAGE)


def test_default_backend_converts_once_then_finds_the_copy(
        make_settings: Callable[..., Settings], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The steps said and the cache used, the 1 GB conversion itself stubbed (the slow test
    of test_up runs the real one through `schemachat up`)."""
    builds: list[Path] = []

    def fake_build(target: Path, *, log: Callable[[str], None] | None = None) -> Path:
        builds.append(target)
        target.mkdir(parents=True)
        (target / default.MARKER).write_text("{}")
        return target

    monkeypatch.setattr(default, "build_cache", fake_build)
    settings = make_settings(model_cache_dir=tmp_path / "cache")
    said: list[str] = []
    model = prepare_model(settings, said.append, load=False)
    assert builds == [default.cached_model_dir(tmp_path / "cache")]
    assert said[0].startswith("converting the default model once")
    assert model.model_path == str(builds[0])  # type: ignore[attr-defined]
    said.clear()
    prepare_model(settings, said.append, load=False)
    assert len(builds) == 1 and said[0].startswith("converted copy found in ")
    assert "loading the weights" not in said
    assert model_name(settings) == f"{default.PACKAGE} {default.package_version()}"
