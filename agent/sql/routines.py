"""Which procedures and functions a statement would run, seen or not.

Seen: names in the statement that are user procedures (`FROM SP_X(...)`), functions
(`F_X(...)`) or packaged routines (`PKG.X(...)`), read from RDB$PROCEDURES and
RDB$FUNCTIONS. Unseen: the routines that the views and computed columns it names use,
directly or through other views (RDB$DEPENDENCIES). The SQL guard refuses any of them
that is not allow-listed.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from firebird.driver import Cursor

from schemachat.agent.sql.tokens import Token

# RDB$DEPENDENCIES.RDB$DEPENDED_ON_TYPE
_RELATION, _VIEW, _PROCEDURE, _FUNCTION, _PACKAGE = 0, 1, 5, 15, 18
_KINDS = {_PROCEDURE: "procedure", _FUNCTION: "function", _PACKAGE: "package"}

_DEPENDENCIES = f"""
select trim(d.rdb$dependent_name), trim(d.rdb$depended_on_name), d.rdb$depended_on_type
from rdb$dependencies d
where d.rdb$dependent_type = {_VIEW}
  and d.rdb$depended_on_type in ({_RELATION}, {_VIEW}, {_PROCEDURE}, {_FUNCTION}, {_PACKAGE})
union
select trim(f.rdb$relation_name), trim(d.rdb$depended_on_name), d.rdb$depended_on_type
from rdb$dependencies d
join rdb$relation_fields f on f.rdb$field_source = d.rdb$dependent_name
where d.rdb$dependent_type = 3 and d.rdb$depended_on_type in ({_PROCEDURE}, {_FUNCTION},
                                                              {_PACKAGE})
"""


@dataclass(frozen=True)
class RoutineUse:
    """A routine the statement runs: `kind` procedure/function/package, its `name`
    ('PKG.NAME' for packaged ones), and the relation it hides in (None when named)."""

    kind: str
    name: str
    through: str | None = None


def find_routines(cur: Cursor, code: list[Token]) -> list[RoutineUse]:
    """The routines the statement with these code tokens names or reaches through the
    views and computed columns it names (two small catalogue queries)."""
    procedures, functions, packages = _routine_names(cur)
    hidden = _hidden_routines(cur)
    uses: list[RoutineUse] = []
    for i, tok in enumerate(code):
        name = tok.name()
        if name is None or _is_definition_or_member(code, i):
            continue
        if name in packages and i + 2 < len(code) and code[i + 1].text == ".":
            name = f"{name}.{code[i + 2].name()}"
        if name in procedures:
            uses.append(RoutineUse("procedure", name))
        elif name in functions and _is_call(code, i):
            uses.append(RoutineUse("function", name))
        uses += hidden.get(name, [])
    return list(dict.fromkeys(uses))


def _is_definition_or_member(code: list[Token], i: int) -> bool:
    # `x AS SP_FOO` defines an alias; `t.SP_FOO` is a column of t.
    prev = code[i - 1] if i else None
    return prev is not None and (prev.text == "." or prev.is_word("AS"))


def _is_call(code: list[Token], i: int) -> bool:
    j = i + 3 if i + 1 < len(code) and code[i + 1].text == "." else i + 1
    return j < len(code) and code[j].text == "("


def _routine_names(cur: Cursor) -> tuple[set[str], set[str], set[str]]:
    """User procedures, functions (with 'PKG.NAME' for packaged ones) and packages."""
    cur.execute("select trim(rdb$procedure_name), trim(rdb$package_name) from rdb$procedures "
                "where coalesce(rdb$system_flag, 0) = 0")
    procedures = {_qualified(n, p) for n, p in cur.fetchall()}
    cur.execute("select trim(rdb$function_name), trim(rdb$package_name) from rdb$functions "
                "where coalesce(rdb$system_flag, 0) = 0")
    functions = {_qualified(n, p) for n, p in cur.fetchall()}
    packages = {n.split(".")[0] for n in procedures | functions if "." in n}
    return procedures, functions, packages


def _qualified(name: str, package: str | None) -> str:
    return f"{package}.{name}" if package else name


def _hidden_routines(cur: Cursor) -> dict[str, list[RoutineUse]]:
    """Relation -> the routines its view definition or computed columns use, following
    views of views."""
    cur.execute(_DEPENDENCIES)
    direct: dict[str, set[tuple[str, int]]] = {}
    for dependent, name, kind in cur.fetchall():
        direct.setdefault(dependent, set()).add((name, kind))
    result: dict[str, list[RoutineUse]] = {}
    for relation in direct:
        seen, queue, found = {relation}, deque([relation]), []
        while queue:
            for name, kind in sorted(direct.get(queue.popleft(), ())):
                if kind in _KINDS:
                    found.append(RoutineUse(_KINDS[kind], name, relation))
                elif name not in seen:
                    seen.add(name)
                    queue.append(name)
        if found:
            result[relation] = found
    return result
