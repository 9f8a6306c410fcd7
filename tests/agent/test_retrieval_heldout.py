"""Retrieval quality on databases read from the technical schema only (issue 15): the
English-named ERP of tests/data/retrieval_english_erp.sql, built into a real embedded
Firebird, and the Portuguese demo, each through extract, counts, samples (with the value
index) and merge, no annotations; indexed with the real Chroma and the real packaged
embedding model.

- tests/data/retrieval_questions_heldout.yaml: 76 held-out questions, written before the
  glossary and the tuning and never tuned on. Only their aggregate figures are printed
  (no misses): looking at which ones miss would be tuning on them.
- tests/data/retrieval_questions_tuning.yaml: the tuning questions over the same two
  databases, printed with their misses.
- tests/data/retrieval_questions_tuning2.yaml: more tuning questions, written once the first
  set reached recall 1.000 (English on the demo, Portuguese on acme, role columns, code
  words, three-table paths), printed with their misses.

Slow (two databases built and two indexes embedded): `make test-slow`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from schemachat.agent.retrieval import SchemaIndex, index_document
from schemachat.agent.retrieval.embeddings import SentenceEmbeddings
from schemachat.agent.retrieval.evaluate import Evaluation, Question, evaluate, load_questions
from schemachat.agent.retrieval.index import read_manifest
from schemachat.configs import load_settings
from schemachat.ingest.merge import merge
from schemachat.ingest.models.counts import OverviewCounts
from schemachat.ingest.models.samples import Samples
from schemachat.ingest.models.technical import TechnicalSchema
from schemachat.ingest.models.values import TextValues
from schemachat.ingest.workspace import Workspace, read_model, read_optional
from tests.support.english_erp import build_english_erp, english_erp_workspace
from tests.support.paths import DATA_DIR

pytestmark = pytest.mark.slow

HELDOUT = DATA_DIR / "retrieval_questions_heldout.yaml"
TUNING = DATA_DIR / "retrieval_questions_tuning.yaml"
TUNING2 = DATA_DIR / "retrieval_questions_tuning2.yaml"
K = 5
# Floors a little under what was measured when they were set (held-out 0.963, MRR 0.940;
# tuning 1.000, MRR 0.933; tuning2 0.980, MRR 0.900), so a change that loses ground
# fails. The goal of issue 15, 0.95 held-out, is reached (it was 0.930 before the role,
# column-name, concept and phrase rules of retriever.py).
MIN_HELDOUT_RECALL = 0.94
MIN_TUNING_RECALL = 0.97
MIN_TUNING2_RECALL = 0.96


def _technical_index(ws_root: Path, folder: Path, embeddings: SentenceEmbeddings
                     ) -> SchemaIndex:
    """The index of a workspace's technical schema, counts and samples merged without
    annotations, with its value index."""
    ws = Workspace(ws_root)
    doc = merge(read_model(ws.technical, TechnicalSchema), None,
                read_optional(ws.counts, OverviewCounts), read_optional(ws.samples, Samples))
    settings = load_settings(workspace=folder)
    index_document(doc, folder / "index", settings, embeddings=embeddings,
                   values=read_optional(ws.values, TextValues))
    manifest = read_manifest(folder / "index")
    assert manifest is not None
    return SchemaIndex.load(folder / "index", manifest, settings, embeddings)


@pytest.fixture(scope="module")
def indexes(demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory,
            embeddings: SentenceEmbeddings) -> dict[str, SchemaIndex]:
    """db name -> the index of its technical schema."""
    root = tmp_path_factory.mktemp("acme")
    acme = english_erp_workspace(build_english_erp(root / "acme.fdb"), root / "ws")
    return {"acme": _technical_index(acme, root / "acme-index", embeddings),
            "demo": _technical_index(demo_workspace, tmp_path_factory.mktemp("demo-tech"),
                                     embeddings)}


def _evaluate(indexes: dict[str, SchemaIndex], questions: list[Question]) -> Evaluation:
    return evaluate(lambda q: [], [], k=K) if not questions else _merged(
        [evaluate(lambda q, i=indexes[db]: i.search(q, k=K, expand=False).tables,
                  [q for q in questions if q.db == db], k=K)
         for db in sorted({q.db for q in questions})])


def _merged(parts: list[Evaluation]) -> Evaluation:
    scored = tuple(s for p in parts for s in p.scored)
    n = len(scored)
    return Evaluation(k=K, recall=sum(s.recall for s in scored) / n,
                      mrr=sum(s.reciprocal_rank for s in scored) / n, scored=scored)


def _summary(label: str, ev: Evaluation) -> str:
    langs = ", ".join(f"{lang} {r:.3f}/{m:.3f}" for lang, (r, m) in ev.by_language().items())
    dbs = ", ".join(
        f"{db} {sum(s.recall for s in part) / len(part):.3f}"
        for db in sorted({s.question.db for s in ev.scored})
        if (part := [s for s in ev.scored if s.question.db == db]))
    return (f"{label}: {len(ev.scored)} questions, recall@{K} {ev.recall:.3f}, MRR {ev.mrr:.3f}"
            f" (by language {langs}; recall by database {dbs})")


def test_question_files_are_apart_and_cover_both_databases_and_languages() -> None:
    held = load_questions(HELDOUT)
    tuning = [*load_questions(TUNING), *load_questions(TUNING2)]
    assert len(held) >= 60
    assert {(q.db, q.lang) for q in held} == {(d, la) for d in ("acme", "demo")
                                               for la in ("pt", "en")}
    # a count, not the questions: the held-out ones are not to be read
    shared = len({q.q.lower() for q in held} & {q.q.lower() for q in tuning})
    assert shared == 0, f"{shared} tuning question(s) also in the held-out file"


def test_gold_tables_exist(indexes: dict[str, SchemaIndex]) -> None:
    for question in [*load_questions(HELDOUT), *load_questions(TUNING),
                     *load_questions(TUNING2)]:
        names = set(indexes[question.db].title_objects)
        for item in question.gold:
            assert item <= names, (question.db, question.q, item - names)


def test_recall_on_the_held_out_questions(indexes: dict[str, SchemaIndex],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    held = _evaluate(indexes, load_questions(HELDOUT))
    with capsys.disabled():
        print("\n" + _summary("HELD-OUT, technical schema only", held))
    assert held.recall >= MIN_HELDOUT_RECALL, _summary("held-out", held)


@pytest.mark.parametrize(("path", "floor"), [(TUNING, MIN_TUNING_RECALL),
                                             (TUNING2, MIN_TUNING2_RECALL)],
                         ids=["tuning", "tuning2"])
def test_recall_on_the_tuning_questions(indexes: dict[str, SchemaIndex], path: Path,
                                        floor: float,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    tuning = _evaluate(indexes, load_questions(path))
    report = [_summary(f"{path.stem}, technical schema only", tuning)]
    report += [f"    miss {s.recall:.2f} [{s.question.db}]: {s.question.q} -> "
               f"{', '.join(s.ranked[:K])}" for s in tuning.misses()]
    with capsys.disabled():
        print("\n" + "\n".join(report))
    assert tuning.recall >= floor, "\n".join(report)
