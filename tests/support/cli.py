"""The installed `schemachat` command run as a user would, and the check that bad input
ends with exit 2 and one line on stderr (used by the CLI tests of every stage)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCHEMACHAT = str(Path(sys.executable).parent / "schemachat")


def run(*args: str, env: dict[str, str] | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the console script as a user would."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMACHAT_")}
    full_env.update(env or {})
    return subprocess.run([SCHEMACHAT, *args], capture_output=True, text=True, env=full_env,
                          cwd=cwd, timeout=300, check=False)


def assert_bad_input(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit 2, one line on stderr naming the problem, no traceback."""
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
