"""The agent's capabilities as LangChain tools, for models that can call tools and for
the HTTP/Slack surfaces:

    tools = schema_tools(settings)          # list[BaseTool], bound to the workspace
    tools = SchemaToolbox(context).tools()  # over an agent's context (one cache)

| tool | gives |
|---|---|
| `search_schema(query, k)` | the tables that answer a question (the hybrid index) |
| `describe_table(name)` | columns, types, keys, FKs, descriptions, value mappings, rows |
| `join_path(tables)` | the FK path joining tables and its FROM/JOIN skeleton |
| `value_mappings(table, column)` | stored value -> meaning, unit, value counts |
| `sample_rows(table, n)` | rows from the workspace's `samples.json` |
| `run_readonly_sql(sql)` | a SELECT through `sql.check.validate`, run read-only, rows capped |

Facts come from the combined schema document, `samples.json` or the engine, never from
a model. Each tool returns a JSON-able dict (a tool message shows it as JSON).

`run_readonly_sql` takes the same validate step as every SQL text (dialect fixes, names
against the document, the guard, the engine). It runs the statement unless the call's
config says `{"configurable": {"run_sql": False}}`, as an agent turn without `--run`
does: then the statement is only checked and the tool says it was not run.

Errors: an unknown table or column, a missing file and SQL the guard refuses or the
engine rejects raise `ToolException` with a one-line message naming the culprit; every
tool has `handle_tool_error=True` (and `handle_validation_error=True`, for arguments
out of bounds), so a caller (or LangGraph's `ToolNode`) gets that
message back as the tool's text result and the model can correct itself.

The workspace pieces are the `AgentContext`'s, opened lazily on a tool's first use:
the document, the index, the samples and the database connection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, Field

from schemachat.agent.answer import json_rows
from schemachat.agent.context import AgentContext
from schemachat.agent.sql.check import validate
from schemachat.agent.sql.skeleton import build_skeleton
from schemachat.configs import BadInput, Settings
from schemachat.ingest.models.combined import CombinedColumn, CombinedRelation, CombinedSchema
from schemachat.ingest.models.samples import Samples

if TYPE_CHECKING:
    from schemachat.agent.retrieval import SchemaIndex

T = TypeVar("T")
MAX_K = 20
MAX_SAMPLE_ROWS = 20
MAX_JOIN_TABLES = 8
MAX_SQL = 10_000  # characters
SUGGESTIONS = 5  # similar names an unknown-name error suggests


class SearchArgs(BaseModel):
    """Arguments of `search_schema`."""

    query: str = Field(min_length=1, max_length=1000,
                       description="A question or business terms, Portuguese or English.")
    k: int = Field(5, ge=1, le=MAX_K, description="How many tables to return.")


class TableArgs(BaseModel):
    """Arguments of `describe_table`."""

    name: str = Field(min_length=1, description="A table or view name, e.g. CAD_CLI.")


class JoinArgs(BaseModel):
    """Arguments of `join_path`."""

    tables: list[str] = Field(min_length=1, max_length=MAX_JOIN_TABLES,
                              description="Tables to join; the first is the FROM table.")


class ColumnArgs(BaseModel):
    """Arguments of `value_mappings`."""

    table: str = Field(min_length=1, description="A table or view name.")
    column: str = Field(min_length=1, description="A column of that table.")


class SampleArgs(BaseModel):
    """Arguments of `sample_rows`."""

    table: str = Field(min_length=1, description="A table or view name.")
    n: int = Field(5, ge=1, le=MAX_SAMPLE_ROWS, description="How many rows.")


class SQLArgs(BaseModel):
    """Arguments of `run_readonly_sql`."""

    sql: str = Field(min_length=1, max_length=MAX_SQL,
                     description="One Firebird SELECT statement (FIRST n, not LIMIT).")


class SchemaToolbox:
    """The tools over one agent context (see the module doc)."""

    def __init__(self, context: AgentContext) -> None:
        self.context = context
        self.settings = context.settings

    # -- the context's pieces, as tool errors ---------------------------------------

    def doc(self) -> CombinedSchema:
        """The combined schema document; ToolException when the workspace has none."""
        return _as_tool_error(self.context.doc)

    def index(self) -> SchemaIndex:
        """The retrieval index (opened on first use)."""
        return _as_tool_error(self.context.index)

    def samples(self) -> Samples:
        """`samples.json`; ToolException naming `schemachat samples` when missing."""
        return _as_tool_error(self.context.samples)

    def relation(self, name: str) -> CombinedRelation:
        """The table or view `name` (exact, else as Firebird folds it: upper case);
        ToolException naming it, with similar names, when the document has none."""
        doc = self.doc()
        rel = doc.relation(name) or doc.relation(name.strip().upper())
        if rel is not None:
            return rel
        near = _similar(name, [r.name for r in doc.relations()])
        hint = f"; similar: {', '.join(near)}" if near else ""
        raise ToolException(f"unknown table: {name} (not in the schema document{hint})")

    def column(self, rel: CombinedRelation, name: str) -> CombinedColumn:
        """The column `name` of `rel`; ToolException naming both when it has none."""
        for col in rel.columns:
            if col.name in (name, name.strip().upper()):
                return col
        near = _similar(name, [c.name for c in rel.columns])
        hint = f"; similar: {', '.join(near)}" if near else ""
        raise ToolException(f"unknown column: {name} in table {rel.name}{hint}")

    # -- the tools' bodies ------------------------------------------------------------

    def search_schema(self, query: str, k: int = 5) -> dict[str, Any]:
        """The `k` best tables for `query`, then the tables needed to join them."""
        try:
            result = self.index().search(query, k)
        except BadInput as exc:
            raise ToolException(str(exc)) from None
        doc = self.doc()
        tables = []
        for hit in result.hits:
            rel = doc.relation(hit.name)
            tables.append({"table": hit.name, "kind": hit.kind, "why": hit.why(),
                           "added_for_join": hit.added_for_join,
                           "description": _description(rel) if rel else None})
        return {"query": query, "tables": tables}

    def describe_table(self, name: str) -> dict[str, Any]:
        """Everything the document says about one table or view."""
        rel = self.relation(name)
        keys = set(rel.primary_key.columns) if rel.primary_key else set()
        fk_of = {c: fk.ref_table for fk in rel.foreign_keys for c in fk.columns}
        referenced_by = [{"table": other.name, "columns": fk.columns,
                          "ref_columns": fk.ref_columns}
                         for other in self.doc().relations() for fk in other.foreign_keys
                         if fk.ref_table == rel.name]
        return {
            "table": rel.name, "kind": rel.kind, "description": _description(rel),
            "rows": rel.rows.rows if rel.rows else None,
            "rows_method": rel.rows.method if rel.rows else None,
            "primary_key": rel.primary_key.columns if rel.primary_key else [],
            "foreign_keys": [{"columns": fk.columns, "ref_table": fk.ref_table,
                              "ref_columns": fk.ref_columns} for fk in rel.foreign_keys],
            "referenced_by": referenced_by,
            "columns": [_column(c, c.name in keys, fk_of.get(c.name)) for c in rel.columns],
        }

    def join_path(self, tables: list[str]) -> dict[str, Any]:
        """The join path over `tables` (declared FKs first) and its FROM/JOIN text."""
        names = [self.relation(t).name for t in tables]
        skeleton = build_skeleton(self.doc(), names)
        return {
            "tables": names,
            "joins": [{"table": j.table, "alias": j.alias, "on": j.on,
                       "declared": j.declared, "added_to_connect": j.via}
                      for j in skeleton.joins],
            "from_clause": skeleton.from_clause(),
            "unjoined": skeleton.unjoined,
            "warnings": skeleton.warnings,
        }

    def value_mappings(self, table: str, column: str) -> dict[str, Any]:
        """Stored value -> meaning (annotations), unit, and value counts (samples)."""
        rel = self.relation(table)
        col = self.column(rel, column)
        note = col.annotation
        return {"table": rel.name, "column": col.name, "type": col.type,
                "values": dict(note.values) if note else {},
                "unit": note.unit if note else None,
                "distribution": [{"value": v.value, "count": v.count}
                                 for v in col.distribution or []]}

    def sample_rows(self, table: str, n: int = 5) -> dict[str, Any]:
        """At most `n` rows of `table` as sampled into `samples.json`."""
        rel = self.relation(table)
        sample = self.samples().tables.get(rel.name)
        if sample is not None and sample.error:
            raise ToolException(f"no samples of {rel.name}: {sample.error}")
        if sample is None:
            return {"table": rel.name, "columns": [], "rows": [],
                    "note": f"{rel.name} was not sampled"}
        return {"table": rel.name, "columns": sample.columns, "rows": sample.rows[:n]}

    def run_readonly_sql(self, sql: str, config: RunnableConfig) -> dict[str, Any]:
        """`sql` through the one validate step, run read-only (or only checked when the
        call's config says run_sql False); at most `settings.agent_rows_shown` rows."""
        if not self.settings.fb_database:
            raise ToolException("no database configured (--database or "
                                "SCHEMACHAT_FB_DATABASE): SQL cannot be run")
        run = ((config or {}).get("configurable") or {}).get("run_sql", True) is not False
        verdict = validate(sql, self.doc(), self.settings, self.context.database, run=run,
                           names=self.context.names())
        if verdict.error:
            raise ToolException(f"SQL refused or failed: {verdict.error}")
        if verdict.result is None:
            return {"sql": verdict.sql, "run": False, "columns": [], "rows": [],
                    "truncated": False,
                    "note": "checked by Firebird, not run (this turn does not run SQL)"}
        rows, more = verdict.result.shown(self.settings.agent_rows_shown)
        return {"sql": verdict.sql, "run": True, "columns": verdict.result.columns,
                "rows": json_rows(rows), "truncated": more}

    # -- as LangChain tools -----------------------------------------------------------

    def tools(self) -> list[BaseTool]:
        """The six tools, bound to this toolbox."""
        specs: list[tuple[Callable[..., dict[str, Any]], type[BaseModel], str]] = [
            (self.search_schema, SearchArgs,
             "Find the tables and views that answer a question (Portuguese or English)."),
            (self.describe_table, TableArgs,
             "Describe a table: columns, types, keys, foreign keys, descriptions, value "
             "mappings and row count, from the schema document."),
            (self.join_path, JoinArgs,
             "How to join tables on their keys: the FK path and the FROM/JOIN skeleton."),
            (self.value_mappings, ColumnArgs,
             "What the stored values of a column mean (e.g. 'A' = ativo), its unit, "
             "and how often each value occurs."),
            (self.sample_rows, SampleArgs, "A few sample rows of a table."),
            (self.run_readonly_sql, SQLArgs,
             "Run one read-only Firebird SELECT (checked by the engine, rows capped)."),
        ]
        return [StructuredTool.from_function(func=func, name=func.__name__,
                                             description=text, args_schema=schema,
                                             handle_tool_error=True,
                                             handle_validation_error=True)
                for func, schema, text in specs]


def _as_tool_error(get: Callable[[], T]) -> T:
    """`get()`, its BadInput (a missing workspace file) raised as the tool's error."""
    try:
        return get()
    except BadInput as exc:
        raise ToolException(str(exc)) from None


def schema_tools(settings: Settings, *, index: SchemaIndex | None = None) -> list[BaseTool]:
    """The schema tools bound to the workspace (and database) of `settings`, with no chat
    model; nothing opens until a tool is called."""
    return SchemaToolbox(AgentContext(settings, _index=index)).tools()


def _description(rel: CombinedRelation) -> str | None:
    note = rel.annotation.description if rel.annotation else None
    return note or rel.description


def _column(col: CombinedColumn, key: bool, references: str | None) -> dict[str, Any]:
    note = col.annotation
    return {"name": col.name, "type": col.type, "nullable": col.nullable,
            "primary_key": key, "references": references,
            "description": (note.description if note else None) or col.description,
            "values": dict(note.values) if note else {},
            "unit": note.unit if note else None}


def _similar(name: str, candidates: list[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(name.upper(), candidates, n=SUGGESTIONS, cutoff=0.6)
