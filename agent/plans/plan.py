"""The typed query plan: what a SELECT asks for, as data a linker (or a model) can fill and
a compiler turns into Firebird SQL (`compile.py`).

    QueryPlan(table="CAD_CLI",
              select=[Item(agg="COUNT")],
              filters=[Filter(expr=Expr(column=Col(table="CAD_CLI", column="SITUACAO")),
                              op="=", value="A", meaning="ativo")])
    -> SELECT COUNT(*) FROM CAD_CLI WHERE SITUACAO = 'A'

Every column names the table (or the alias of a join) it belongs to. Tables other than
the base come in through `joins`, each an equality of columns along a foreign key
(declared or inferred), so a table joined twice (a manager and an employee, both in
CAD_FUNC) gets its own alias. The JSON Schema of this model is `docs/schemas/plan.schema.json`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Aggregate = Literal["COUNT", "SUM", "AVG", "MIN", "MAX"]
Arith = Literal["+", "-", "*", "/"]
# WEEKDAY: 0 Sunday .. 6 Saturday; DATE: the day of a timestamp, CAST(... AS DATE)
Part = Literal["YEAR", "MONTH", "DAY", "WEEKDAY", "DATE"]
Op = Literal["=", "<>", "<", ">", "<=", ">=", "IN", "NOT IN", "LIKE", "CONTAINING",
             "IS NULL", "IS NOT NULL", "BETWEEN"]
HavingOp = Literal["=", "<>", "<", ">", "<=", ">="]
Scalar = str | int | float


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Col(_Part):
    """A column of the base table or of a join, named by the alias it comes in under."""

    table: str = Field(description="The base table, or the alias of one of `joins`.")
    column: str


class Expr(_Part):
    """A column, a part of a date column (EXTRACT), or two columns combined (`a - b`)."""

    column: Col
    op: Arith | None = Field(None, description="With `right`: column op right.")
    right: Col | None = None
    part: Part | None = Field(None, description=(
        "EXTRACT(part FROM column); DATE: CAST(column AS DATE)."))


class Filter(_Part):
    """`expr op value` (IN takes a list, BETWEEN two values, IS NULL none), or `expr op
    other` comparing two columns. `meaning`: the words the value stands for (a value
    mapping); `guess`: the mapping was proposed, not written by a person."""

    expr: Expr
    op: Op
    value: Scalar | list[Scalar] | None = None
    other: Expr | None = Field(None, description="Compare with this column instead.")
    today: bool = Field(False, description=(
        "Compare with today's date (CURRENT_DATE) instead of `value`: overdue titles."))
    average: bool = Field(False, description=(
        "Compare with the average of `expr` over all the table's rows instead of `value`: "
        "job titles paying above the average base salary."))
    factor: float | None = Field(None, gt=0, description=(
        "With `other`: compare with other times this (10 % of it: 0.1; 20 % above it: 1.2)."))
    meaning: str | None = None
    guess: bool = False


class Item(_Part):
    """One select item: an expression, an aggregate of one (`expr` None: COUNT(*)), or a
    percentage (`part`, `of`)."""

    expr: Expr | None = None
    agg: Aggregate | None = None
    distinct: bool = Field(False, description="COUNT(DISTINCT expr).")
    part: Filter | None = Field(None, description=(
        "A percentage of the whole: the aggregate over the rows where this holds, times "
        "100, over the aggregate of every row (COUNT or SUM, with CASE WHEN inside)."))
    of: Expr | None = Field(None, description=(
        "A percentage of another measure: SUM(expr) * 100 / SUM(of)."))

    def share(self) -> bool:
        """Whether this item is a percentage (`part` or `of`)."""
        return self.part is not None or self.of is not None


class Join(_Part):
    """`JOIN table alias ON parent.a = alias.b AND ...`: along a foreign key."""

    table: str
    alias: str
    on: list[tuple[Col, Col]] = Field(min_length=1,
                                      description="(column already in the plan, column of "
                                                  "this table) pairs.")
    role: str | None = Field(None, description="The FK column's role, e.g. the manager.")


class Related(_Part):
    """Rows of another table that refer to the base: `exists` False asks for base rows
    none refers to ("customers without orders": NOT EXISTS)."""

    table: str
    on: list[tuple[str, str]] = Field(min_length=1,
                                      description="(column of that table, column of the "
                                                  "base) pairs: its foreign key.")
    exists: bool = False


class Order(_Part):
    """ORDER BY the select item at `item` (0-based)."""

    item: int = Field(ge=0)
    desc: bool = True


class Having(_Part):
    """`HAVING <select item `item`> op value`: only the groups whose aggregate compares so
    ("clientes com mais de 3 pedidos": COUNT(*) > 3)."""

    item: int = Field(ge=0, description="A select item that is an aggregate (0-based).")
    op: HavingOp
    value: float


class QueryPlan(_Part):
    """A SELECT over `table` and its `joins` (see the module docstring)."""

    version: Literal[1] = 1
    table: str = Field(description="The base table or view (FROM).")
    joins: list[Join] = Field(default_factory=list)
    select: list[Item] = Field(min_length=1)
    filters: list[Filter] = Field(default_factory=list)
    related: list[Related] = Field(default_factory=list)
    group_by: list[Expr] = Field(default_factory=list)
    having: list[Having] = Field(default_factory=list, description="With `group_by`.")
    count_groups: bool = Field(False, description=(
        "Count the groups instead of listing them (with `group_by`): \"how many customers "
        "placed more than 10 orders\"."))
    order_by: list[Order] = Field(default_factory=list)
    limit: int | None = Field(None, ge=1, description="FIRST n.")
    distinct: bool = Field(False, description="SELECT DISTINCT (each row once).")

    def aliases(self) -> dict[str, str]:
        """alias -> table, the base table first (its alias is its name)."""
        return {self.table: self.table, **{j.alias: j.table for j in self.joins}}

    def tables(self) -> list[str]:
        """Every table the plan reads, each once."""
        return list(dict.fromkeys(self.aliases().values()))
