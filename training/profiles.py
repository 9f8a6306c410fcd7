"""Training profiles: YAML files of `TrainConfig` settings, bundled in
`configs/profiles/train-NAME.yaml` (cpu-gemma, llama3-8b-gpu) or anywhere on disk.

    config = load_profile("cpu-gemma", steps=60)

Used by `schemachat train`/`retrain` and the Training tab alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from schemachat import configs
from schemachat.configs import BadInput

if TYPE_CHECKING:
    from schemachat.training.lora import TrainConfig

PROFILES = Path(configs.__file__).resolve().parent / "profiles"


def profile_names() -> list[str]:
    """The bundled profiles' names."""
    return sorted(p.stem.removeprefix("train-") for p in PROFILES.glob("train-*.yaml"))


def profile_path(profile: str) -> Path:
    """The file of `profile`: itself when it is a file, else the bundled one of that name."""
    path = Path(profile)
    return path if path.is_file() else PROFILES / f"train-{profile}.yaml"


def load_profile(profile: str, steps: int | None = None) -> TrainConfig:
    """The training config of `profile` (`steps` overrides max_steps); BadInput naming
    the bundled profiles when there is no such file."""
    from schemachat.training.lora import TrainConfig  # torch loads only when training

    path = profile_path(profile)
    if not path.is_file():
        raise BadInput(f"no training profile {profile!r} (a file, or one of: "
                       f"{', '.join(profile_names())})")
    return TrainConfig.from_yaml(path, max_steps=steps)
