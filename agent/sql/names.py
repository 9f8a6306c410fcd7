"""Identifiers as SQL text: a plain upper-case name stays bare, anything else (lower case,
spaces, accents, a reserved word such as VALUE or DATE) is quoted as Firebird wants it."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from schemachat.ingest.firebird import quote

_SIMPLE = re.compile(r"^[A-Z][A-Z0-9_$]*$")


@cache
def reserved_words() -> frozenset[str]:
    """Firebird 5's reserved words (reserved_words.txt, read from RDB$KEYWORDS)."""
    text = resources.files(__package__).joinpath("reserved_words.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and w[0] != "#")


def sql_name(name: str) -> str:
    """`name` as it can be written in a statement: bare when Firebird would read it back
    unchanged, quoted otherwise."""
    if _SIMPLE.match(name) and name not in reserved_words():
        return name
    return quote(name)
