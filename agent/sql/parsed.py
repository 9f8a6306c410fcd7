"""One statement cut into tokens once, for everything a turn asks of it.

    parsed = parse("select c.CLI_NOMRAZ from CAD_CLI c")
    parsed.code          # the tokens that are not whitespace or comments
    parsed.relations()   # ['CAD_CLI']: names after FROM/JOIN (as Firebird folds them)
    parsed.names()       # every identifier the statement names

The dialect fixer, the names check, the guard and the citations all read the same
`ParsedSQL`; a text that does not tokenize keeps its `error` and no tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from schemachat.agent.sql.tokens import Token, TokenizeError, code_tokens, tokenize

# Words after which the FROM list ends.
# Words that end a FROM list; SELECT too: "FROM (SELECT a, b FROM ...)" opens a derived
# table, whose select list is no FROM list (its "b" is no table).
_FROM_ENDS = ("WHERE", "GROUP", "ORDER", "HAVING", "UNION", "ON", "ROWS", "FETCH", "OFFSET",
              "PLAN", "SELECT")
# Functions whose arguments say FROM without naming a table: EXTRACT(YEAR FROM d).
_FROM_FUNCTIONS = ("EXTRACT", "SUBSTRING", "TRIM", "POSITION", "OVERLAY")


@dataclass(frozen=True)
class ParsedSQL:
    """`text` and its tokens (empty, with `error` set, when it does not tokenize)."""

    text: str
    tokens: tuple[Token, ...]
    error: str | None = None

    @cached_property
    def code(self) -> list[Token]:
        """The tokens that are not whitespace or comments."""
        return code_tokens(list(self.tokens))

    def relations(self) -> list[str]:
        """Names that follow FROM/JOIN or a comma in a FROM list, in order, each once."""
        code = self.code
        out: list[str] = []
        in_from = False
        calls: list[bool] = []  # per open parenthesis: is it a FROM-taking function's
        for i, tok in enumerate(code):
            nxt = code[i + 1] if i + 1 < len(code) else None
            if tok.text == "(":
                calls.append(i > 0 and code[i - 1].is_word(*_FROM_FUNCTIONS))
            elif tok.text == ")" and calls:
                calls.pop()
            elif any(calls):
                continue
            if tok.is_word("FROM", "JOIN"):
                in_from = True
                name = nxt.name() if nxt is not None else None
                if name and name.upper() != "SELECT" and name not in out:
                    out.append(name)
            elif tok.is_word(*_FROM_ENDS):
                in_from = False
            elif in_from and tok.text == "," and nxt is not None:
                name = nxt.name()
                if name and name not in out:
                    out.append(name)
        return out

    def names(self) -> set[str]:
        """Every identifier in the statement, as Firebird resolves it."""
        return {n for n in (t.name() for t in self.code) if n}


def parse(sql: str) -> ParsedSQL:
    """`sql` tokenised; never raises (a tokenizer error is kept in `error`)."""
    try:
        return ParsedSQL(sql, tuple(tokenize(sql)))
    except TokenizeError as exc:
        return ParsedSQL(sql, (), str(exc))
