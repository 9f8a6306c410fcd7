"""Retrieval quality on a question set: recall@k and MRR.

A question file (YAML) is a list of `{lang, q, gold}` (and `db` when it covers several
databases); each gold item is a table name or
alternatives `"A|B"` (either will do). recall@k of a question is the share of its gold
items found among the top k ranked hits (tables added only to join them do not count);
its reciprocal rank is 1/rank of the first hit that satisfies any gold item.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Question:
    """One question and the tables that answer it."""

    q: str
    lang: str
    gold: tuple[frozenset[str], ...]
    db: str = ""  # which database it is about, in a file covering several


@dataclass(frozen=True)
class Scored:
    """How one question went."""

    question: Question
    ranked: tuple[str, ...]
    recall: float
    reciprocal_rank: float


@dataclass(frozen=True)
class Evaluation:
    """Averages over a question set, and every question's outcome."""

    k: int
    recall: float
    mrr: float
    scored: tuple[Scored, ...]

    def by_language(self) -> dict[str, tuple[float, float]]:
        """lang -> (recall@k, MRR)."""
        out = {}
        for lang in sorted({s.question.lang for s in self.scored}):
            part = [s for s in self.scored if s.question.lang == lang]
            out[lang] = (sum(s.recall for s in part) / len(part),
                         sum(s.reciprocal_rank for s in part) / len(part))
        return out

    def misses(self) -> list[Scored]:
        """Questions with a gold item outside the top k."""
        return [s for s in self.scored if s.recall < 1.0]


def load_questions(path: Path) -> list[Question]:
    """Read a question file; ValueError naming the entry when one is malformed."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for n, item in enumerate(data, start=1):
        try:
            gold = tuple(frozenset(g.split("|")) for g in item["gold"])
            out.append(Question(q=item["q"], lang=item["lang"], gold=gold,
                                db=str(item.get("db", ""))))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path}: question {n} is malformed: {exc!r}") from None
    return out


def score(question: Question, ranked: Sequence[str], k: int) -> Scored:
    """recall@k and reciprocal rank of one ranked list."""
    top = set(ranked[:k])
    found = sum(1 for item in question.gold if item & top)
    rr = next((1.0 / n for n, name in enumerate(ranked, start=1)
               if any(name in item for item in question.gold)), 0.0)
    return Scored(question, tuple(ranked), found / len(question.gold), rr)


def evaluate(search: Callable[[str], Sequence[str]], questions: Sequence[Question],
             k: int = 5) -> Evaluation:
    """Run `search` (question -> ranked names) over `questions`."""
    scored = tuple(score(q, search(q.q), k) for q in questions)
    n = len(scored) or 1
    return Evaluation(k=k, recall=sum(s.recall for s in scored) / n,
                      mrr=sum(s.reciprocal_rank for s in scored) / n, scored=scored)
