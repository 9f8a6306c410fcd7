"""Deterministic fixes for SQL a model drafted in another dialect (Postgres, MySQL, SQL
Server) so that Firebird accepts it.

    fixed = fix_dialect("select * from cad_cli limit 5", names=known_names(doc))
    fixed.sql      # 'select * from cad_cli ROWS 5'
    fixed.changes  # ['LIMIT 5 -> ROWS 5']

Only constructs Firebird would reject anyway are rewritten, so a fix never changes the
meaning of SQL that already works: `LIMIT`/`OFFSET`/`TOP`, `SELECT` without `FROM`,
`ILIKE`, `NOW()` and friends, `- INTERVAL '30 days'`, `x::type`, backtick names, and
quoted names in the wrong case (`"cad_cli"` when only `CAD_CLI` exists). String literals
and comments are never touched. What cannot be fixed safely is left for the engine to
report and the repair loop to handle.

In a dialect 1 database (`dialect=1`) double quotes delimit strings, so `"..."` is left
alone, and the date forms dialect 1 refuses are rewritten: `DATE '2024-01-31'` ->
`TIMESTAMP '2024-01-31'`, `CURRENT_DATE` -> `CAST('TODAY' AS TIMESTAMP)` (dialect 1's
DATE holds a timestamp; its DATE literal and CURRENT_DATE are errors there).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from schemachat.agent.sql.names import is_regular
from schemachat.agent.sql.parsed import ParsedSQL, parse
from schemachat.agent.sql.tokens import Token, tokenize
from schemachat.ingest.models.combined import CombinedSchema

_SIMPLE_NAME = re.compile(r"^[A-Z][A-Z0-9_$]*$")
_CONTAINS_PATTERN = re.compile(r"^'%([^%_]+)%'$")
_INTERVAL = re.compile(r"^'?\s*(\d+)\s*([a-z]+)?\s*'?$", re.IGNORECASE)
MAX_REWRITES = 200  # per pass: far more than any real query needs

# Words that may stand before '(' without being a function name.
_NOT_FUNCTIONS = frozenset((
    "AND", "OR", "NOT", "WHERE", "ON", "IN", "EXISTS", "WHEN", "THEN", "ELSE", "SELECT", "FROM",
    "JOIN", "BY", "HAVING", "AS", "CASE", "IS", "LIKE", "CONTAINING", "BETWEEN", "UNION", "ALL",
    "ANY", "SOME", "DISTINCT", "VALUES", "WITH", "ROWS", "TO"))
# Function name -> Firebird replacement; "()" means: drop the empty argument list.
FUNCTIONS: dict[str, str] = {
    "NOW": "CURRENT_TIMESTAMP()", "GETDATE": "CURRENT_TIMESTAMP()",
    "CURRENT_TIMESTAMP": "CURRENT_TIMESTAMP()", "LOCALTIMESTAMP": "LOCALTIMESTAMP()",
    "CURDATE": "CURRENT_DATE()", "CURRENT_DATE": "CURRENT_DATE()", "TODAY": "CURRENT_DATE()",
    "CURTIME": "CURRENT_TIME()", "CURRENT_TIME": "CURRENT_TIME()",
    "IFNULL": "COALESCE", "NVL": "COALESCE",
    "STRING_AGG": "LIST", "GROUP_CONCAT": "LIST",
    "LEN": "CHAR_LENGTH", "LENGTH": "CHAR_LENGTH",
}
TYPES: dict[str, str] = {
    "INT": "INTEGER", "INT4": "INTEGER", "INT8": "BIGINT", "INT2": "SMALLINT",
    "TEXT": "VARCHAR(8191)", "STRING": "VARCHAR(8191)", "FLOAT8": "DOUBLE PRECISION",
    "FLOAT": "DOUBLE PRECISION", "FLOAT4": "FLOAT", "REAL": "FLOAT", "BOOL": "BOOLEAN",
    "TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE", "DATETIME": "TIMESTAMP", "VARCHAR": "VARCHAR(255)",
}
UNITS: dict[str, str] = {
    "YEAR": "YEAR", "YEARS": "YEAR", "MONTH": "MONTH", "MONTHS": "MONTH", "MON": "MONTH",
    "WEEK": "WEEK", "WEEKS": "WEEK", "DAY": "DAY", "DAYS": "DAY", "HOUR": "HOUR",
    "HOURS": "HOUR", "MINUTE": "MINUTE", "MINUTES": "MINUTE", "MIN": "MINUTE",
    "SECOND": "SECOND", "SECONDS": "SECOND", "SEC": "SECOND",
}
# Clauses after the select list, before which a missing FROM is inserted.
_AFTER_SELECT_LIST = frozenset((
    "WHERE", "GROUP", "HAVING", "ORDER", "ROWS", "FETCH", "OFFSET", "PLAN", "WINDOW", "FOR",
    "UNION", "EXCEPT", "INTERSECT"))


@dataclass(frozen=True)
class Fixed:
    """The fixed SQL, one line per change made (empty when nothing changed), and the
    fixed statement's tokens."""

    sql: str
    changes: list[str] = field(default_factory=list)
    parsed: ParsedSQL | None = None


def known_names(doc: CombinedSchema) -> set[str]:
    """Names of the tables, views, columns and procedures of `doc`, as Firebird spells them."""
    names = {p.name for p in doc.procedures}
    for rel in doc.relations():
        names.add(rel.name)
        names.update(c.name for c in rel.columns)
    return names


def fix_dialect(sql: str | ParsedSQL, names: Iterable[str] = (), dialect: int = 3) -> Fixed:
    """Rewrite what Firebird would reject; `names` are the real table/column names (for
    quoted identifiers in the wrong case); `dialect` is the database's SQL dialect (1:
    see the module docstring). Text that does not tokenize is returned as is.
    The text is tokenised once, and again only after a rewrite changed it."""
    parsed = sql if isinstance(sql, ParsedSQL) else parse(sql)
    if parsed.error:
        return Fixed(parsed.text, [], parsed)
    known = {n.upper(): n for n in names}
    changes: list[str] = []
    code = _Code(parsed.text, list(parsed.tokens))
    for rewrite in _PASSES if dialect >= 3 else _DIALECT1_PASSES:
        code = _apply(code, rewrite, known, changes)
    if not changes:
        return Fixed(parsed.text, [], parsed)
    return Fixed(code.sql, changes, ParsedSQL(code.sql, tuple(code.tokens)))


# ---------------------------------------------------------------- machinery

# A rewrite looks at the code tokens and returns (first, last, replacement, change) for
# the first thing it wants to change, or None. `first`/`last` index the code tokens.
Rewrite = Callable[["_Code", dict[str, str]], "tuple[int, int, str, str] | None"]


class _Code:
    """The code tokens of a statement, with the text between any two of them."""

    def __init__(self, sql: str, tokens: list[Token] | None = None) -> None:
        self.sql = sql
        self.tokens = tokens if tokens is not None else tokenize(sql)
        self.index = [i for i, t in enumerate(self.tokens) if t.code]
        self.code: list[Token] = [self.tokens[i] for i in self.index]

    def __len__(self) -> int:
        return len(self.code)

    def __getitem__(self, k: int) -> Token:
        return self.code[k]

    def text(self, first: int, last: int) -> str:
        """The original text from code token `first` to `last`, inclusive."""
        return "".join(t.text for t in self.tokens[self.index[first]:self.index[last] + 1])

    def replace(self, first: int, last: int, new: str) -> str:
        """The whole statement with code tokens first..last replaced by `new`."""
        before = "".join(t.text for t in self.tokens[:self.index[first]])
        after = "".join(t.text for t in self.tokens[self.index[last] + 1:])
        return before + new + after

    def word(self, k: int, *words: str) -> bool:
        return 0 <= k < len(self.code) and self.code[k].is_word(*words)

    def is_(self, k: int, text: str) -> bool:
        return 0 <= k < len(self.code) and self.code[k].text == text

    def matching(self, k: int) -> int:
        """Index of the bracket matching the '(' or ')' at `k` (or the far end)."""
        step = 1 if self.code[k].text == "(" else -1
        depth = 0
        j = k
        while 0 <= j < len(self.code):
            depth += {"(": 1, ")": -1}.get(self.code[j].text, 0) * step
            if depth == 0:
                return j
            j += step
        return j - step


def _apply(code: _Code, rewrite: Rewrite, known: dict[str, str], changes: list[str]) -> _Code:
    # A rewrite whose result does not tokenize is dropped (the pass ends there).
    for _ in range(MAX_REWRITES):
        found = rewrite(code, known)
        if found is None:
            break
        first, last, new, change = found
        changed = parse(code.replace(first, last, new))
        if changed.error:
            break
        code = _Code(changed.text, list(changed.tokens))
        changes.append(change)
    return code


def _is_function(code: _Code, k: int) -> bool:
    return (code[k].kind == "word" and code[k].upper not in _NOT_FUNCTIONS
            and code.is_(k + 1, "("))


def _operand_start(code: _Code, k: int) -> int:
    """First token of the operand that ends at `k` (a name, literal, call or (...)),
    extended over `||` concatenations."""
    if code[k].text == ")":
        start = code.matching(k)
        if start > 0 and _is_function(code, start - 1):
            start -= 1
    else:
        start = k
        while start >= 2 and code[start - 1].text == "." and code[start - 2].name():
            start -= 2
    if start >= 2 and code[start - 1].text == "||":
        return _operand_start(code, start - 2)
    return start


def _operand_end(code: _Code, k: int) -> int:
    """Last token of the operand that starts at `k`, extended over `||`."""
    if _is_function(code, k):
        end = code.matching(k + 1)
    elif code[k].text == "(":
        end = code.matching(k)
    else:
        end = k
        while end + 2 < len(code) and code[end + 1].text == "." and code[end + 2].name():
            end += 2
    if end + 2 < len(code) and code[end + 1].text == "||":
        return _operand_end(code, end + 2)
    return end


# ---------------------------------------------------------------- the passes


def _names(code: _Code, known: dict[str, str]) -> tuple[int, int, str, str] | None:
    for k, tok in enumerate(code.code):
        if tok.kind not in ("qident", "bident"):
            continue
        name = tok.name() or ""
        if tok.kind == "qident" and (not known or name in known.values()):
            continue
        real = known.get(name.upper())
        if real is None:
            if tok.kind == "qident":
                continue
            real = name.upper() if _SIMPLE_NAME.match(name.upper()) else name
        new = real if _SIMPLE_NAME.match(real) else '"' + real.replace('"', '""') + '"'
        return k, k, new, f"{tok.text} -> {new}"
    return None


def _bare_names(code: _Code, known: dict[str, str]) -> tuple[int, int, str, str] | None:
    # Dialect 1: "..." is a string, so only [x] and `x` are names, written bare when they
    # can be (a name needing quotes cannot be written there at all).
    for k, tok in enumerate(code.code):
        if tok.kind != "bident":
            continue
        name = tok.name() or ""
        real = known.get(name.upper(), name.upper())
        if is_regular(real):
            return k, k, real, f"{tok.text} -> {real}"
    return None


def _dialect1_dates(code: _Code, known: dict[str, str]) -> tuple[int, int, str, str] | None:
    for k, tok in enumerate(code.code):
        if tok.is_word("DATE") and k + 1 < len(code) and code[k + 1].kind == "string":
            new = f"TIMESTAMP {code[k + 1].text}"
            return k, k + 1, new, f"{code.text(k, k + 1)} -> {new}"
        if tok.is_word("CURRENT_DATE") and not code.is_(k - 1, "."):
            new = "CAST('TODAY' AS TIMESTAMP)"
            return k, k, new, f"{tok.text} -> {new}"
    return None


def _functions(code: _Code, known: dict[str, str]) -> tuple[int, int, str, str] | None:
    for k, tok in enumerate(code.code):
        if tok.kind != "word" or not code.is_(k + 1, "(") or code.is_(k - 1, "."):
            continue
        new = FUNCTIONS.get(tok.upper)
        if new is None:
            continue
        if new.endswith("()"):
            if code.is_(k + 2, ")"):
                return k, k + 2, new[:-2], f"{code.text(k, k + 2)} -> {new[:-2]}"
            continue
        return k, k, new, f"{tok.text}( -> {new}("
    return None


def _casts(code: _Code, known: dict[str, str]) -> tuple[int, int, str, str] | None:
    for k, tok in enumerate(code.code):
        if tok.text != "::" or k == 0 or k + 1 >= len(code):
            continue
        start = _operand_start(code, k - 1)
        end = k + 1
        type_name = code[end].upper
        if code.word(end, "DOUBLE", "CHARACTER") and code.word(end + 1, "PRECISION", "VARYING"):
            end += 1
            type_name = f"{type_name} {code[end].upper}"
        if code.is_(end + 1, "("):
            args = code.text(end + 1, code.matching(end + 1))
            end = code.matching(end + 1)
            type_name = type_name + args
        elif type_name in TYPES:
            type_name = TYPES[type_name]
        new = f"CAST({code.text(start, k - 1)} AS {type_name})"
        return start, end, new, f"{code.text(start, end)} -> {new}"
    return None


def _intervals(code: _Code, known: dict[str, str]) -> tuple[int, int, str, str] | None:
    for k, tok in enumerate(code.code):
        if not tok.is_word("INTERVAL") or k < 2 or code[k - 1].text not in ("+", "-"):
            continue
        parsed = _interval(code, k)
        if parsed is None:
            continue
        amount, unit, end = parsed
        start = _operand_start(code, k - 2)
        sign = "-" if code[k - 1].text == "-" else ""
        new = f"DATEADD({sign}{amount} {unit} TO {code.text(start, k - 2)})"
        return start, end, new, f"{code.text(start, end)} -> {new}"
    return None


def _interval(code: _Code, k: int) -> tuple[str, str, int] | None:
    """(amount, UNIT, last token) of `INTERVAL '30 days'`, `INTERVAL '30' DAY` or
    `INTERVAL 30 DAY` at `k`."""
    if k + 1 >= len(code) or code[k + 1].kind not in ("string", "number"):
        return None
    match = _INTERVAL.match(code[k + 1].text)
    if match is None:
        return None
    amount, unit, end = match[1], match[2], k + 1
    if unit is None and k + 2 < len(code) and code[k + 2].kind == "word":
        unit, end = code[k + 2].text, k + 2
    unit = UNITS.get((unit or "").upper())
    return (amount, unit, end) if unit else None


def _ilike(code: _Code, known: dict[str, str]) -> tuple[int, int, str, str] | None:
    for k, tok in enumerate(code.code):
        if not tok.is_word("ILIKE") or k == 0 or k + 1 >= len(code):
            continue
        negated = code.word(k - 1, "NOT")
        left_end = k - 2 if negated else k - 1
        start = _operand_start(code, left_end)
        end = _operand_end(code, k + 1)
        left, right = code.text(start, left_end), code.text(k + 1, end)
        not_ = "NOT " if negated else ""
        contains = _CONTAINS_PATTERN.match(right) if end == k + 1 else None
        if contains:
            new = f"{left} {not_}CONTAINING '{contains[1]}'"
        else:
            new = f"UPPER({left}) {not_}LIKE UPPER({right})"
        return start, end, new, f"{code.text(start, end)} -> {new}"
    return None


def _limit(code: _Code, known: dict[str, str]) -> tuple[int, int, str, str] | None:
    for k, tok in enumerate(code.code):
        if tok.is_word("TOP") and code.word(k - 1, "SELECT", "DISTINCT"):
            return _top(code, k)
        if tok.is_word("LIMIT") and k + 1 < len(code):
            return _limit_clause(code, k)
        if (tok.is_word("OFFSET") and k + 1 < len(code)
                and not code.word(k + 2, "ROW", "ROWS")):
            return _limit_clause(code, k)
    return None


def _top(code: _Code, k: int) -> tuple[int, int, str, str]:
    """TOP n / TOP (n) -> FIRST n, which Firebird wants before DISTINCT."""
    wrapped = code.is_(k + 1, "(") and code.is_(k + 3, ")")
    end = k + 3 if wrapped else k + 1
    new = f"FIRST {code[end - 1 if wrapped else end].text}"
    start = k
    if code.word(k - 1, "DISTINCT"):
        start, new = k - 1, f"{new} {code[k - 1].text}"
    return start, end, new, f"{code.text(start, end)} -> {new}"


def _limit_clause(code: _Code, k: int) -> tuple[int, int, str, str]:
    """LIMIT n | LIMIT n OFFSET m | LIMIT m, n | OFFSET m [LIMIT n] at `k`."""
    limit = offset = None
    end = k + 1
    if code[k].is_word("LIMIT"):
        limit = code[k + 1].text
        if code.is_(k + 2, ",") and k + 3 < len(code):
            offset, limit, end = limit, code[k + 3].text, k + 3
        elif code.word(k + 2, "OFFSET") and k + 3 < len(code):
            offset, end = code[k + 3].text, k + 3
    else:
        offset = code[k + 1].text
        if code.word(k + 2, "LIMIT") and k + 3 < len(code):
            limit, end = code[k + 3].text, k + 3
    new = _rows(limit, offset)
    return k, end, new, f"{code.text(k, end)} -> {new}"


def _rows(limit: str | None, offset: str | None) -> str:
    if offset is None:
        return f"ROWS {limit}"
    if limit is None:
        return f"OFFSET {offset} ROWS"
    if limit.isdigit() and offset.isdigit():
        return f"ROWS {int(offset) + 1} TO {int(offset) + int(limit)}"
    return f"OFFSET {offset} ROWS FETCH NEXT {limit} ROWS ONLY"


def _missing_from(code: _Code, known: dict[str, str]) -> tuple[int, int, str, str] | None:
    for k, tok in enumerate(code.code):
        if not tok.is_word("SELECT"):
            continue
        last = _select_list_end(code, k)
        if last is not None and last > k:
            new = f"{code.text(last, last)} FROM RDB$DATABASE"
            return last, last, new, "SELECT without FROM -> FROM RDB$DATABASE"
    return None


def _select_list_end(code: _Code, k: int) -> int | None:
    """Last token of the select list of the SELECT at `k` when that SELECT has no FROM."""
    depth = 0
    j = k + 1
    while j < len(code):
        tok = code[j]
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
            if depth < 0:
                break
        elif depth == 0:
            if tok.is_word("FROM") and not (code.word(j - 1, "DISTINCT")
                                            and code.word(j - 2, "IS", "NOT")):
                return None
            if tok.text == ";" or tok.is_word(*_AFTER_SELECT_LIST):
                break
        j += 1
    return j - 1


_PASSES: list[Rewrite] = [_names, _functions, _casts, _intervals, _ilike, _limit, _missing_from]
_DIALECT1_PASSES: list[Rewrite] = [_bare_names, *_PASSES[1:], _dialect1_dates]
