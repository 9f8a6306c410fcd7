"""Load test of the HTTP API on loopback: 50 concurrent clients for 60 s against
GET /tables and then POST /ask (the agent with the `fake` model, so the figures are the
API's and the agent graph's own cost: retrieval, grounding, checkpoint-free turns), on the
demo ERP workspace. Counts errors (any status but 200, any transport error) and reports
latency percentiles. `python -m bench api` (add `--quick` for 10 s phases).

The server is `schemachat serve api` in its own process on 127.0.0.1 (a free port); the
client is one asyncio process with at most 50 connections. Nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console

from bench.demo import demo_workspace
from bench.report import Report

OUT = Path(__file__).parent / "out" / "api-demo"
CLIENTS = 50
SECONDS = 60.0
QUICK_SECONDS = 10.0
TOKEN = "bench-token"
QUESTIONS = ["onde fica o limite de crédito do cliente?",
             "o que significa a coluna SITUACAO do cliente?",
             "which table stores invoices?",
             "onde ficam os itens do pedido?"]


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def percentile(self, q: float) -> float:
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(q * len(data)))] if data else float("nan")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(ws: Path, port: int, **settings: str) -> subprocess.Popen[str]:
    """`schemachat serve api` on 127.0.0.1:port with the fake model and no rate limit;
    `settings` (SCHEMACHAT_ variables) override those."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMACHAT_")}
    env.update(SCHEMACHAT_API_TOKENS=TOKEN, SCHEMACHAT_MODEL_BACKEND="fake",
               SCHEMACHAT_FAKE_RESPONSES='["A resposta está no documento do esquema."]',
               SCHEMACHAT_API_RATE_LIMIT_PER_MINUTE="100000000")
    env.update(settings)
    script = Path(sys.executable).parent / "schemachat"
    return subprocess.Popen([str(script), "serve", "api", "-w", str(ws), "--host",
                             "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stop_server(proc: subprocess.Popen[str]) -> None:
    """Stop a server started by `start_server`: politely, then for sure."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_ready(base: str, proc: subprocess.Popen[str], timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not come up")


async def hammer(base: str, phase: Phase, method: str, path: str, clients: int,
                 seconds: float) -> None:
    """`clients` loops sending requests until `seconds` have passed (bounded both ways)."""
    assert base.startswith("http://127.0.0.1:"), "loopback only"
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=base, limits=limits, headers=headers,
                                 timeout=60) as client:
        deadline = time.monotonic() + seconds

        async def one(worker: int) -> None:
            n = worker
            while time.monotonic() < deadline:
                n += clients
                body = {"question": QUESTIONS[n % len(QUESTIONS)]} if method == "POST" \
                    else None
                started = time.perf_counter()
                try:
                    reply = await client.request(method, path, json=body)
                    if reply.status_code != 200:
                        phase.errors[str(reply.status_code)] = \
                            phase.errors.get(str(reply.status_code), 0) + 1
                        continue
                except httpx.HTTPError as exc:
                    phase.errors[type(exc).__name__] = phase.errors.get(type(exc).__name__,
                                                                        0) + 1
                    continue
                phase.latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(clients)))
        phase.seconds = time.perf_counter() - started


def measure(ws: Path, *, clients: int = CLIENTS, seconds: float = SECONDS
            ) -> tuple[list[Phase], float]:
    """Both phases against a fresh server; also the server's start-up time."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = start_server(ws, port)
    try:
        wait_ready(base, proc)
        startup = time.perf_counter() - started
        # Warm-up: the first /ask loads the embedding model and opens the index.
        httpx.post(f"{base}/ask", json={"question": QUESTIONS[0]}, timeout=120,
                   headers={"Authorization": f"Bearer {TOKEN}"}).raise_for_status()
        phases = [Phase("GET /tables"), Phase("POST /ask (fake model)")]
        asyncio.run(hammer(base, phases[0], "GET", "/tables", clients, seconds))
        asyncio.run(hammer(base, phases[1], "POST", "/ask", clients, seconds))
    finally:
        stop_server(proc)
    return phases, startup


def run(console: Console, *, quick: bool = False) -> Report:
    """The load test as a benchmark report."""
    ws = demo_workspace(OUT, console)
    seconds = QUICK_SECONDS if quick else SECONDS
    console.print(f"{CLIENTS} clients, {seconds:.0f} s per endpoint, on loopback")
    load_before = os.getloadavg()[0]
    phases, startup = measure(ws, seconds=seconds)
    rows = []
    for p in phases:
        errors = sum(p.errors.values())
        rows.append([p.name, str(len(p.latencies) + errors), str(errors),
                     f"{len(p.latencies) / p.seconds:.0f}",
                     f"{statistics.median(p.latencies) * 1000:.0f}" if p.latencies else "-",
                     f"{p.percentile(0.95) * 1000:.0f}", f"{p.percentile(0.99) * 1000:.0f}",
                     f"{max(p.latencies, default=float('nan')) * 1000:.0f}"])
    notes = [f"server start-up (uvicorn, app, workspace read) {startup:.1f} s; the first "
             "/ask (embedding model, index) is a warm-up outside the figures",
             f"load average before the run: {load_before:.1f}",
             "errors by kind: " + "; ".join(f"{p.name}: {p.errors or 'none'}"
                                            for p in phases),
             "client and server share the machine's cores, so the client's own CPU use is in "
             "the figures; /ask turns run in at most 8 threads (the rest queue), each one "
             "mostly retrieval (the question's embedding on CPU) and the graph, the fake "
             "model being instant"]
    return Report(name="api", title=f"HTTP API under load ({CLIENTS} clients, "
                                     f"{seconds:.0f} s per endpoint)",
                  headers=["endpoint", "requests", "errors", "req/s", "p50 ms", "p95 ms",
                           "p99 ms", "max ms"],
                  rows=rows, notes=notes,
                  setup="schemachat serve api (one uvicorn worker, 8 agent threads) on the "
                        "demo ERP; asyncio httpx client in another process")


if __name__ == "__main__":
    from bench.report import show

    console = Console()
    show(run(console, quick="--quick" in sys.argv), console)
