"""Reciprocal rank fusion: combine rankings by rank, not by their incomparable scores."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
RRF_K = 60  # the constant of Cormack et al.; damps the weight of the very first ranks


def collapse(keys: Sequence[K]) -> list[K]:
    """First occurrence of each key, in order: chunk hits -> object ranking."""
    return list(dict.fromkeys(keys))


def reciprocal_rank_fusion(rankings: Sequence[Sequence[K]], *, k: int = RRF_K,
                           weights: Sequence[float] | None = None) -> list[tuple[K, float]]:
    """(key, score) best first, where score = sum over rankings of weight / (k + rank),
    rank counted from 1. Ties keep the order in which keys were first seen."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[K, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])
