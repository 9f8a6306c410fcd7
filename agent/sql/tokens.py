"""A small Firebird SQL tokenizer: enough to tell code from string literals and comments.

The SQL guard and the dialect fixer both need to know whether a `;`, a `GEN_ID` or a
`LIMIT` is code or sits inside `'...'`, `q'{...}'`, `"..."`, `-- ...` or `/* ... */`.
This is not a parser: it only cuts the text into tokens whose texts, joined, give the
input back exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["ws", "comment", "string", "qident", "bident", "word", "number", "param", "op"]

# Q-strings (Firebird 3+): q'<open>...<close>' with these pairs, or the same character.
_Q_PAIRS = {"(": ")", "{": "}", "[": "]", "<": ">"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_WS = re.compile(r"\s+")
_PARAM = re.compile(r"\?|:[A-Za-z_][A-Za-z0-9_$]*")
_OPS = ("::", "||", "<>", "!=", "^=", "~=", "<=", ">=", "!<", "!>", "^<", "^>")


class TokenizeError(ValueError):
    """The text ends inside a string literal, quoted name or comment."""


@dataclass(frozen=True)
class Token:
    """One piece of SQL text; `kind` says what it is."""

    kind: Kind
    text: str

    @property
    def code(self) -> bool:
        """True unless whitespace or a comment."""
        return self.kind not in ("ws", "comment")

    @property
    def upper(self) -> str:
        """The text in upper case (for keyword comparisons)."""
        return self.text.upper()

    def name(self) -> str | None:
        """The identifier this token names as Firebird resolves it: unquoted words fold
        to upper case, quoted names keep their case; None for anything else."""
        if self.kind == "word":
            return self.text.upper()
        if self.kind == "qident":
            return self.text[1:-1].replace('""', '"')
        if self.kind == "bident":
            return self.text[1:-1]
        return None

    def is_word(self, *words: str) -> bool:
        """True for an unquoted word equal (ignoring case) to one of `words`."""
        return self.kind == "word" and self.text.upper() in words


def tokenize(sql: str) -> list[Token]:
    """Cut `sql` into tokens; `"".join(t.text for t in tokens) == sql`.

    Raises TokenizeError for an unterminated string, quoted name or block comment.
    """
    tokens: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        kind, end = _next(sql, i)
        tokens.append(Token(kind, sql[i:end]))
        i = end
    return tokens


def join(tokens: list[Token]) -> str:
    """The text of `tokens`."""
    return "".join(t.text for t in tokens)


def code_tokens(tokens: list[Token]) -> list[Token]:
    """The tokens that are not whitespace or comments."""
    return [t for t in tokens if t.code]


def _next(sql: str, i: int) -> tuple[Kind, int]:
    ch = sql[i]
    nxt = sql[i + 1] if i + 1 < len(sql) else ""
    if ch.isspace():
        return "ws", _WS.match(sql, i).end()  # type: ignore[union-attr]
    if ch == "-" and nxt == "-":
        end = sql.find("\n", i)
        return "comment", len(sql) if end < 0 else end
    if ch == "/" and nxt == "*":
        end = sql.find("*/", i + 2)
        if end < 0:
            raise TokenizeError("unterminated /* comment")
        return "comment", end + 2
    if ch in "qQ" and nxt == "'" and i + 2 < len(sql):
        return "string", _q_string_end(sql, i)
    if ch == "'":
        return "string", _quoted_end(sql, i, "'", "string literal")
    if ch == '"':
        return "qident", _quoted_end(sql, i, '"', "quoted name")
    if ch == "`":
        end = sql.find("`", i + 1)
        if end < 0:
            raise TokenizeError("unterminated `quoted` name")
        return "bident", end + 1
    if match := _WORD.match(sql, i):
        return "word", match.end()
    if match := _NUMBER.match(sql, i):
        return "number", match.end()
    if match := _PARAM.match(sql, i):
        return "param", match.end()
    if sql.startswith(_OPS, i):
        return "op", i + 2
    return "op", i + 1


def _quoted_end(sql: str, i: int, quote: str, what: str) -> int:
    # A doubled quote inside is the quote itself.
    j = i + 1
    while True:
        j = sql.find(quote, j)
        if j < 0:
            raise TokenizeError(f"unterminated {what}")
        if sql.startswith(quote * 2, j):
            j += 2
            continue
        return j + 1


def _q_string_end(sql: str, i: int) -> int:
    opener = sql[i + 2]
    closer = _Q_PAIRS.get(opener, opener)
    end = sql.find(closer + "'", i + 3)
    if end < 0:
        raise TokenizeError("unterminated q'...' string literal")
    return end + 2
