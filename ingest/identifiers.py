"""Table and column names as SQL text, in the database's SQL dialect.

A plain upper-case name that is no reserved word is written bare, as Firebird reads it
back unchanged. Any other name (lower case, spaces, accents, a reserved word such as VALUE
or DATE) must be quoted: `"Obs"`, `"VALUE"`. Dialect 1 databases (InterBase heritage)
have no quoted names, since double quotes delimit strings there (`"São Paulo"` is a
string): such a name cannot be written at all, and `UnwritableName` says so.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from schemachat.configs import BadInput

_REGULAR = re.compile(r"^[A-Z][A-Z0-9_$]*$")


class UnwritableName(BadInput):
    """A name no SQL in a dialect 1 database can write (it would need quotes)."""


@cache
def reserved_words() -> frozenset[str]:
    """Firebird 5's reserved words (data/reserved_words.txt, read from RDB$KEYWORDS)."""
    text = resources.files(__package__).joinpath("data/reserved_words.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and w[0] != "#")


def is_regular(name: str) -> bool:
    """True when `name` can stand bare: upper-case letters, digits, _ and $, and no
    reserved word."""
    return bool(_REGULAR.match(name)) and name not in reserved_words()


def quote(name: str) -> str:
    """`name` between double quotes, as dialect 3 delimits an identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_name(name: str, dialect: int | None = 3) -> str:
    """`name` as a statement in `dialect` (None: 3) can write it: bare when regular, else
    quoted; in dialect 1, UnwritableName for a name that is not regular."""
    if is_regular(name):
        return name
    if (dialect or 3) >= 3:
        return quote(name)
    why = "is a reserved word" if _REGULAR.match(name) else "is not a plain upper-case name"
    raise UnwritableName(
        f"{name} cannot be written in this database's SQL: it {why}, which needs double "
        "quotes, and the database is SQL dialect 1, where double quotes delimit strings "
        "(rename it, or reach it through a view with a plain name)")
