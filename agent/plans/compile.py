"""A query plan as Firebird SQL, after checking it against the schema document.

    sql = compile_plan(plan, doc)      # PlanError (BadInput) naming what is wrong

Checks, before any text is written: every table, alias and column exists; EXTRACT and
date values only on date columns; SUM/AVG and arithmetic only on numbers (a date minus a
date is a number of days); a percentage of COUNT(*) or of a SUM only; LIKE/CONTAINING
only on text; every value fits its column's type (a date column compared with 'abc' is
refused); with GROUP BY, every select item is an aggregate or grouped. A refused plan
never reaches the engine.

The text: `SELECT FIRST n`, `EXTRACT(YEAR FROM ...)`, `DATE 'YYYY-MM-DD'`, `''` inside
string literals, odd or reserved names quoted (`sql.names`), short aliases only when
the plan joins tables. In a dialect 1 database (`doc.database.dialect`) DATE holds a
timestamp and a DATE literal is refused, so dates are `TIMESTAMP 'YYYY-MM-DD'`, and a
name that needs quotes cannot be written: the plan is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from schemachat.agent.plans.plan import Col, Expr, Filter, Item, QueryPlan, Related, Scalar
from schemachat.agent.sql.names import UnwritableName, doc_dialect, reserved_words, sql_name
from schemachat.configs import BadInput
from schemachat.ingest.joins import type_kind
from schemachat.ingest.models.combined import CombinedColumn, CombinedSchema

NUMBER = frozenset(("int", "NUMERIC", "DECIMAL", "DOUBLE PRECISION", "FLOAT", "REAL",
                    "DECFLOAT"))
DATE = frozenset(("DATE", "TIMESTAMP"))
TEXT = frozenset(("text",))
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NO_VALUE = ("IS NULL", "IS NOT NULL")


class PlanError(BadInput):
    """A plan that names what the document lacks or compares what cannot be compared."""


def kind(col: CombinedColumn) -> str:
    """'number', 'date', 'text' or 'other' for a column's type."""
    base = type_kind(col.type)
    if base in NUMBER:
        return "number"
    if base in DATE:
        return "date"
    return "text" if base in TEXT else "other"


class _Scope:
    """The plan's aliases and their relations, for looking columns up."""

    def __init__(self, plan: QueryPlan, doc: CombinedSchema) -> None:
        self.doc = doc
        self.relations = {}
        for alias, table in plan.aliases().items():
            rel = doc.relation(table)
            if rel is None:
                raise PlanError(f"plan refused: no table or view {table} in the schema")
            self.relations[alias] = rel

    def column(self, col: Col) -> CombinedColumn:
        rel = self.relations.get(col.table)
        if rel is None:
            raise PlanError(f"plan refused: {col.table} is neither the plan's table nor one "
                            "of its joins")
        found = rel.column(col.column)
        if found is None:
            raise PlanError(f"plan refused: {rel.name} has no column {col.column}")
        return found

    def expr_kind(self, expr: Expr) -> str:
        left = self.column(expr.column)
        if expr.part is not None:
            if kind(left) != "date":
                raise PlanError(f"plan refused: EXTRACT({expr.part}) needs a date; "
                                f"{expr.column.column} is {left.type}")
            return "date" if expr.part == "DATE" else "number"
        if expr.op is None:
            return kind(left)
        if expr.right is None:
            raise PlanError(f"plan refused: {expr.column.column} {expr.op} needs a right side")
        right = self.column(expr.right)
        kinds = (kind(left), kind(right))
        if kinds == ("number", "number") or (kinds == ("date", "date") and expr.op == "-"):
            return "number"
        raise PlanError(f"plan refused: {expr.column.column} {expr.op} {expr.right.column} "
                        f"combines {left.type} with {right.type}")


def check_plan(plan: QueryPlan, doc: CombinedSchema) -> None:
    """PlanError unless `plan` only names what `doc` has and compares what can be
    compared (see the module docstring)."""
    _checked(plan, doc)


def _checked(plan: QueryPlan, doc: CombinedSchema) -> _Scope:
    """`check_plan`, returning the scope it looked the plan's names up in."""
    scope = _Scope(plan, doc)
    _check_joins(plan, scope)
    for item in plan.select:
        _check_item(item, scope)
    for flt in plan.filters:
        _check_filter(flt, scope)
    for rel in plan.related:
        other = doc.relation(rel.table)
        if other is None:
            raise PlanError(f"plan refused: no table or view {rel.table} in the schema")
        for theirs, ours in rel.on:
            if other.column(theirs) is None:
                raise PlanError(f"plan refused: {rel.table} has no column {theirs}")
            scope.column(Col(table=plan.table, column=ours))
    for expr in plan.group_by:
        scope.expr_kind(expr)
    if plan.group_by:
        for item in plan.select:
            if item.agg is None and item.expr not in plan.group_by:
                raise PlanError("plan refused: with GROUP BY every select item must be "
                                "grouped or aggregated")
    if plan.count_groups and not plan.group_by:
        raise PlanError("plan refused: counting groups needs GROUP BY")
    for having in plan.having:
        if not plan.group_by or having.item >= len(plan.select) or \
                plan.select[having.item].agg is None:
            raise PlanError(f"plan refused: HAVING item {having.item} is no aggregate of "
                            "a grouped plan")
    for order in plan.order_by:
        if order.item >= len(plan.select):
            raise PlanError(f"plan refused: ORDER BY item {order.item} of "
                            f"{len(plan.select)}")
    return scope


def _check_joins(plan: QueryPlan, scope: _Scope) -> None:
    seen = {plan.table}
    for join in plan.joins:
        if join.alias in seen:
            raise PlanError(f"plan refused: alias {join.alias} used twice")
        for parent, child in join.on:
            if parent.table not in seen or child.table != join.alias:
                raise PlanError(f"plan refused: join of {join.alias} must pair a column "
                                f"already in the plan with one of {join.alias}")
            scope.column(parent)
            scope.column(child)
        seen.add(join.alias)


def _check_item(item: Item, scope: _Scope) -> None:
    if item.share():
        _check_share(item, scope)
    if item.expr is None:
        if item.agg != "COUNT":
            raise PlanError("plan refused: only COUNT may stand without a column")
        return
    got = scope.expr_kind(item.expr)
    if item.agg in ("SUM", "AVG") and got != "number":
        raise PlanError(f"plan refused: {item.agg} needs a number; "
                        f"{item.expr.column.column} is not one")


def _check_share(item: Item, scope: _Scope) -> None:
    if item.part is not None and item.of is not None:
        raise PlanError("plan refused: a percentage is of the rows where `part` holds or of "
                        "another measure, not both")
    if item.agg not in ("COUNT", "SUM") or item.distinct:
        raise PlanError("plan refused: a percentage takes COUNT(*) or SUM")
    if item.agg == "COUNT" and (item.expr is not None or item.part is None):
        raise PlanError("plan refused: a percentage of rows counts them all, COUNT(*)")
    if item.part is not None:
        _check_filter(item.part, scope)
    if item.of is not None and scope.expr_kind(item.of) != "number":
        raise PlanError(f"plan refused: a percentage of {item.of.column.column} needs a "
                        "number")


def _check_filter(flt: Filter, scope: _Scope) -> None:
    got = scope.expr_kind(flt.expr)
    name = flt.expr.column.column
    if flt.other is not None:
        other = scope.expr_kind(flt.other)
        if other != got:
            raise PlanError(f"plan refused: {name} ({got}) compared with "
                            f"{flt.other.column.column} ({other})")
        return
    if flt.average:
        if got != "number" or flt.expr.op is not None or flt.expr.part is not None or \
                flt.op not in ("<", "<=", ">", ">=", "<>"):
            raise PlanError(f"plan refused: {name} ({got}) {flt.op} its average: only a "
                            "number column, with <, <=, >, >= or <>")
        return
    if flt.today:
        if got != "date" or flt.op not in ("<", "<=", ">", ">=", "=", "<>"):
            raise PlanError(f"plan refused: only a date is compared with today; {name} is "
                            f"{got}")
        return
    if flt.op in _NO_VALUE:
        return
    if flt.op in ("LIKE", "CONTAINING") and got != "text":
        raise PlanError(f"plan refused: {flt.op} needs a text column; {name} is {got}")
    values = flt.value if isinstance(flt.value, list) else [flt.value]
    if flt.op in ("IN", "NOT IN") and not isinstance(flt.value, list):
        raise PlanError(f"plan refused: {flt.op} needs a list of values for {name}")
    if flt.op == "BETWEEN" and len(values) != 2:
        raise PlanError(f"plan refused: BETWEEN needs two values for {name}")
    for value in values:
        _check_value(value, got, name)


def _check_value(value: Scalar | None, got: str, name: str) -> None:
    if value is None:
        raise PlanError(f"plan refused: no value to compare {name} with")
    if got == "number" and not _is_number(value):
        raise PlanError(f"plan refused: {name} is a number; {value!r} is not")
    if got == "date" and not (isinstance(value, str) and _is_date(value)):
        raise PlanError(f"plan refused: {name} is a date; {value!r} is not a date "
                        "(YYYY-MM-DD)")


def _is_number(value: Scalar) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    try:
        float(value)
    except ValueError:
        return False
    return True


def _is_date(value: str) -> bool:
    if not _ISO_DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- text


class _Writer:
    """Names and literals of one plan's statement."""

    def __init__(self, plan: QueryPlan, scope: _Scope) -> None:
        self.scope = scope
        self.joined = bool(plan.joins)
        self.dialect = doc_dialect(scope.doc)
        self.alias: dict[str, str] = {}
        self.tables = plan.aliases()
        for name in self.tables:
            self.alias[name] = _short(name, set(self.alias.values()))

    def col(self, col: Col) -> str:
        name = sql_name(col.column, self.dialect)
        return f"{self.alias[col.table]}.{name}" if self.joined else name

    def expr(self, expr: Expr) -> str:
        text = self.col(expr.column)
        if expr.part == "DATE":
            return f"CAST({text} AS DATE)"
        if expr.part is not None:
            return f"EXTRACT({expr.part} FROM {text})"
        if expr.op is not None and expr.right is not None:
            return f"{text} {expr.op} {self.col(expr.right)}"
        return text

    def item(self, item: Item) -> str:
        if item.share():
            return self.share(item)
        if item.expr is None:
            return "COUNT(*)"
        text = self.expr(item.expr)
        if item.agg is None:
            return text
        inner = f"DISTINCT {text}" if item.distinct else text
        return f"{item.agg}({inner})"

    def share(self, item: Item) -> str:
        # NULLIF: a whole of 0 gives no percentage (NULL), not an arithmetic error.
        if item.of is not None:
            assert item.expr is not None
            part, whole = f"SUM({self.expr(item.expr)})", f"SUM({self.expr(item.of)})"
        else:
            assert item.part is not None
            cond = self.condition(item.part)
            if item.expr is None:  # a double: integers would divide as integers, and
                # 100.00 would cut the quotient at two decimals
                return (f"COUNT(CASE WHEN {cond} THEN 1 END) * 100 / "
                        "NULLIF(CAST(COUNT(*) AS DOUBLE PRECISION), 0)")
            text = self.expr(item.expr)
            part, whole = f"SUM(CASE WHEN {cond} THEN {text} ELSE 0 END)", f"SUM({text})"
        return f"{part} * 100 / NULLIF({whole}, 0)"

    def literal(self, value: Scalar, expr: Expr) -> str:
        got = self.scope.expr_kind(expr)
        if got == "number":
            number = float(value)
            return str(int(number)) if number == int(number) else str(value)
        if got == "date":
            return f"DATE '{value}'" if self.dialect >= 3 else f"TIMESTAMP '{value}'"
        return "'" + str(value).replace("'", "''") + "'"

    def condition(self, flt: Filter) -> str:
        left = self.expr(flt.expr)
        if flt.other is not None:
            times = f" * {_decimal(flt.factor)}" if flt.factor is not None else ""
            return f"{left} {flt.op} {self.expr(flt.other)}{times}"
        if flt.average:  # over every row of the column's table, not the filtered ones
            table = self.tables[flt.expr.column.table]
            inner = _short(table, set(self.alias.values()))
            column = sql_name(flt.expr.column.column, self.dialect)
            return (f"{left} {flt.op} (SELECT AVG({inner}.{column}) FROM "
                    f"{sql_name(table, self.dialect)} {inner})")
        if flt.today:  # dialect 1 has no CURRENT_DATE; its DATE is a timestamp
            today = "CURRENT_DATE" if self.dialect >= 3 else "CAST('TODAY' AS TIMESTAMP)"
            return f"{left} {flt.op} {today}"
        if flt.op in _NO_VALUE:
            return f"{left} {flt.op}"
        if flt.op in ("IN", "NOT IN"):
            values = flt.value if isinstance(flt.value, list) else [flt.value]
            return f"{left} {flt.op} ({', '.join(self.literal(v, flt.expr) for v in values)})"
        if flt.op == "BETWEEN":
            low, high = flt.value  # type: ignore[misc]
            return (f"{left} BETWEEN {self.literal(low, flt.expr)} AND "
                    f"{self.literal(high, flt.expr)}")
        return f"{left} {flt.op} {self.literal(flt.value, flt.expr)}"  # type: ignore[arg-type]


def _related(w: _Writer, plan: QueryPlan, rel: Related) -> str:
    # The base is named in full inside the subquery: a bare column would be the inner one's.
    inner = _short(rel.table, set(w.alias.values()))
    outer = w.alias[plan.table] if w.joined else sql_name(plan.table, w.dialect)
    on = " AND ".join(f"{inner}.{sql_name(a, w.dialect)} = {outer}.{sql_name(b, w.dialect)}"
                      for a, b in rel.on)
    word = "EXISTS" if rel.exists else "NOT EXISTS"
    return f"{word} (SELECT 1 FROM {sql_name(rel.table, w.dialect)} {inner} WHERE {on})"


def _short(name: str, taken: set[str]) -> str:
    # Initials of the name's parts: CAD_CLI -> cc, then cc2, cc3 ... when taken.
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p] or ["t"]
    base = "".join(p[0] for p in parts).lower()
    if not base[0].isalpha():
        base = "t" + base
    alias, n = base, 1
    while alias in taken or alias.upper() in reserved_words():  # AS, AT, BY, IN ...
        n += 1
        alias = f"{base}{n}"
    return alias


def compile_plan(plan: QueryPlan, doc: CombinedSchema) -> str:
    """The Firebird SELECT of `plan`, in the SQL dialect of `doc`'s database; PlanError
    when `check_plan` refuses it or (dialect 1) a name it needs cannot be written."""
    try:
        return _statement(plan, doc)
    except UnwritableName as exc:
        raise PlanError(f"plan refused: {exc}") from None


def _statement(plan: QueryPlan, doc: CombinedSchema) -> str:
    w = _Writer(plan, _checked(plan, doc))
    first = f"FIRST {plan.limit} " if plan.limit else ""
    distinct = "DISTINCT " if plan.distinct else ""
    if plan.count_groups:  # a derived table names its columns: the keys, K1, K2 ...
        keys = ", ".join(f"{w.expr(e)} AS K{n}" for n, e in enumerate(plan.group_by, 1))
        lines = ["SELECT COUNT(*) FROM (", f"SELECT {keys}"]
    else:
        lines = [f"SELECT {first}{distinct}{', '.join(w.item(i) for i in plan.select)}"]
    base = sql_name(plan.table, w.dialect)
    lines.append(f"FROM {base} {w.alias[plan.table]}" if w.joined else f"FROM {base}")
    for join in plan.joins:
        on = " AND ".join(f"{w.col(a)} = {w.col(b)}" for a, b in join.on)
        lines.append(f"JOIN {sql_name(join.table, w.dialect)} {w.alias[join.alias]} ON {on}")
    conditions = [w.condition(f) for f in plan.filters] + [_related(w, plan, r)
                                                           for r in plan.related]
    if conditions:
        lines.append("WHERE " + " AND ".join(conditions))
    if plan.group_by:
        lines.append("GROUP BY " + ", ".join(w.expr(e) for e in plan.group_by))
    if plan.having:  # Firebird takes no select position here: the aggregate again
        lines.append("HAVING " + " AND ".join(
            f"{w.item(plan.select[h.item])} {h.op} {_decimal(h.value)}" for h in plan.having))
    if plan.count_groups:
        lines.append(") G")
    elif plan.order_by:
        lines.append("ORDER BY " + ", ".join(f"{o.item + 1}{' DESC' if o.desc else ''}"
                                             for o in plan.order_by))
    return "\n".join(lines)


def _decimal(x: float) -> str:
    """`x` as a plain SQL numeric literal (0.1, not 1e-01)."""
    text = format(Decimal(repr(x)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
