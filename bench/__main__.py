"""Run the benchmarks and update docs/benchmarks.md: `python -m bench [NAME ...]`.

Run from the repository root (`make bench`). Each benchmark is a module with
`run(console, *, quick=False) -> bench.report.Report`; add one by adding its module
name to BENCHMARKS.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from rich.console import Console

from bench.report import DOCS, show, write_section

BENCHMARKS = [
    "bench.bench_extract",
    "bench.bench_retrieval",
    "bench.bench_models",
    "bench.bench_constrained",
    "bench.bench_agent",
    "bench.bench_api",
    "bench.bench_startup",
]


def _key(module: str) -> str:
    return module.rsplit(".", 1)[-1].removeprefix("bench_")


def main(argv: list[str] | None = None) -> int:
    """Run the chosen (default: all) benchmarks; returns the process exit code."""
    names = [_key(m) for m in BENCHMARKS]
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", metavar="NAME", help=f"among: {', '.join(names)}")
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions (for a smoke run; figures are noisier)")
    parser.add_argument("--no-docs", action="store_true",
                        help=f"print only; do not update {DOCS.relative_to(DOCS.parents[1])}")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.only) - set(names))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}")

    console = Console()
    for module in BENCHMARKS:
        if args.only and _key(module) not in args.only:
            continue
        console.rule(f"[bold]{_key(module)}")
        started = time.perf_counter()
        report = importlib.import_module(module).run(console, quick=args.quick)
        show(report, console)
        console.print(f"[dim]{_key(module)} took {time.perf_counter() - started:.0f} s")
        if not args.no_docs:
            write_section(report)
            console.print(f"[dim]updated {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
