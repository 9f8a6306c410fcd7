"""What a benchmark hands back, and how it is shown: a rich table and a docs section.

Each benchmark module (`bench/bench_*.py`) has `run(console, *, quick=False) -> Report`.
`write_section` puts the report into `docs/benchmarks.md` between markers named after
the benchmark, replacing the previous figures of that benchmark only.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


@dataclass
class Report:
    """One benchmark's results: a table (headers + rows of text) and notes."""

    name: str = field(metadata={"help": "short key, e.g. 'extract'; names the docs section"})
    title: str
    headers: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    setup: str = field(default="", metadata={"help": "one line: versions, data set"})


def machine() -> str:
    """One line describing where the figures were measured (cores as `nproc` counts)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpu = _cpu_model()
    return (f"{platform.system()} {platform.machine()}, {cores} cores"
            f"{f' ({cpu})' if cpu else ''}, Python {platform.python_version()}")


def revision() -> str:
    """The git commit measured, marked when the work tree had uncommitted changes."""
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty=+uncommitted changes"],
                             cwd=DOCS.parent, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    commit, _, dirty = out.stdout.strip().partition("+")
    return f"commit {commit}" + (f" (with {dirty})" if dirty else "")


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def show(report: Report, console: Console) -> None:
    """Print `report` as a rich table followed by its notes."""
    table = Table(title=report.title, caption=report.setup or None)
    for n, header in enumerate(report.headers):
        table.add_column(header, justify="left" if n == 0 else "right")
    for row in report.rows:
        table.add_row(*row)
    console.print(table)
    for note in report.notes:
        console.print(f"  • {note}")


def to_markdown(report: Report, *, date: str, where: str) -> str:
    """The docs section for `report` (without the markers)."""
    lines = [f"### {report.title}", "", f"Measured {date} on {where}, {revision()}."]
    if report.setup:
        lines[-1] += f" {report.setup}"
    lines += ["", "| " + " | ".join(report.headers) + " |",
              "|" + "|".join(["---"] + ["---:"] * (len(report.headers) - 1)) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
              for row in report.rows]
    if report.notes:
        lines.append("")
        lines += [f"- {note}" for note in report.notes]
    return "\n".join(lines)


def write_section(report: Report, path: Path = DOCS, *, date: str | None = None,
                  where: str | None = None) -> None:
    """Replace (or append) the section of `report.name` in the markdown file at `path`."""
    date = date or dt.date.today().isoformat()
    where = where or machine()
    start, end = f"<!-- bench:{report.name}:start -->", f"<!-- bench:{report.name}:end -->"
    block = f"{start}\n{to_markdown(report, date=date, where=where)}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
