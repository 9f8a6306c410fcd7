"""Retrieval quality on the demo ERP: the committed question set
(tests/data/retrieval_questions.yaml), recall@5 and MRR, with the real index.

Fails below recall@5 0.95 on the annotated demo workspace. The same questions on the
technical schema alone (no annotations) are reported, not asserted: the difference is
what annotating buys.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from schemachat.agent.retrieval import SchemaIndex, index_document
from schemachat.agent.retrieval.embeddings import SentenceEmbeddings
from schemachat.agent.retrieval.evaluate import Evaluation, evaluate, load_questions
from schemachat.agent.retrieval.index import IndexManifest, read_manifest
from schemachat.configs import load_settings
from schemachat.ingest.merge import merge
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.technical import TechnicalSchema
from schemachat.ingest.workspace import Workspace, read_model
from tests.support.paths import DATA_DIR

QUESTIONS = DATA_DIR / "retrieval_questions.yaml"
K = 5
MIN_RECALL = 0.95


def _evaluate(doc: CombinedSchema, folder: Path, embeddings: SentenceEmbeddings) -> Evaluation:
    settings = load_settings(workspace=folder)
    index_document(doc, folder / "index", settings, embeddings=embeddings)
    index = SchemaIndex.load(folder / "index", _manifest(folder), settings, embeddings)
    return evaluate(lambda q: index.search(q, k=K, expand=False).tables,
                    load_questions(QUESTIONS), k=K)


def _manifest(folder: Path) -> IndexManifest:
    manifest = read_manifest(folder / "index")
    assert manifest is not None
    return manifest


def _report(label: str, ev: Evaluation) -> str:
    langs = ", ".join(f"{lang} {r:.3f}/{m:.3f}" for lang, (r, m) in ev.by_language().items())
    lines = [f"{label}: recall@{ev.k} {ev.recall:.3f}, MRR {ev.mrr:.3f} ({langs})"]
    lines += [f"    miss {s.recall:.2f}: {s.question.q} -> {', '.join(s.ranked[:K])}"
              for s in ev.misses()]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def annotated(demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory,
              embeddings: SentenceEmbeddings) -> Evaluation:
    doc = read_model(Workspace(demo_workspace).combined, CombinedSchema)
    return _evaluate(doc, tmp_path_factory.mktemp("annotated"), embeddings)


def test_question_set_is_balanced() -> None:
    questions = load_questions(QUESTIONS)
    assert len(questions) >= 80
    langs = [q.lang for q in questions]
    assert langs.count("pt") == langs.count("en")
    assert sum(1 for q in questions if len(q.gold) >= 2) >= 20


def test_gold_tables_exist_in_the_demo(demo_workspace: Path) -> None:
    doc = read_model(Workspace(demo_workspace).combined, CombinedSchema)
    names = {r.name for r in doc.relations()} | {p.name for p in doc.procedures}
    for question in load_questions(QUESTIONS):
        for item in question.gold:
            assert item <= names, (question.q, item - names)


def test_recall_at_5_on_the_annotated_demo(annotated: Evaluation,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\n" + _report("annotated demo", annotated))
    assert annotated.recall >= MIN_RECALL, _report("annotated demo", annotated)


def test_report_without_annotations(demo_workspace: Path, annotated: Evaluation,
                                    tmp_path_factory: pytest.TempPathFactory,
                                    embeddings: SentenceEmbeddings,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    technical = read_model(Workspace(demo_workspace).technical, TechnicalSchema)
    bare = _evaluate(merge(technical), tmp_path_factory.mktemp("technical"), embeddings)
    with capsys.disabled():
        print("\n" + _report("technical schema only", bare).splitlines()[0]
              + f"  (annotations add {annotated.recall - bare.recall:+.3f} recall@5)")
    assert 0.0 <= bare.recall <= 1.0
