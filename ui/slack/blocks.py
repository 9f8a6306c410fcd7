"""An agent answer as Slack Block Kit: the answer, the SQL in a code block, the rows as a
small monospaced table (more rows go in a CSV file), the query plan in one short line
(when a plan wrote the SQL), the sources, and buttons to run the SQL and to rate the
answer. When several databases are served, the answer names its database and the buttons'
block carries it (`schemachat_db:NAME`), so a button acts on the database that answered."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from schemachat.agent.answer import AgentAnswer
from schemachat.ui.plan_view import plan_line

TABLE_ROWS = 15
CELL = 30  # characters per cell shown
TEXT = 2900  # a section's text must stay under 3000 characters
PLAN = 300  # the plan's context line: its tables and filters, short
VALUE = 2000  # a button's value must stay under 2000 characters

RUN = "schemachat_run_sql"
UP = "schemachat_feedback_up"
DOWN = "schemachat_feedback_down"
DATABASE_BLOCK = "schemachat_db:"  # + the database's name: the buttons' block_id


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_table(columns: list[str], rows: list[list[Any]]) -> str:
    """Rows as an aligned plain-text table (cells cut at CELL characters)."""
    shown = [[_cut("" if v is None else str(v), CELL) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in shown)]) for i, c in enumerate(columns)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in shown]
    return "\n".join(lines)


def rows_csv(result: AgentAnswer) -> str:
    """All rows of the result as CSV text (for the file upload)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(result.columns)
    writer.writerows(result.rows)
    return buffer.getvalue()


def needs_file(result: AgentAnswer) -> bool:
    return len(result.rows) > TABLE_ROWS


def answer_blocks(result: AgentAnswer, question: str, database: str | None = None
                  ) -> list[dict[str, Any]]:
    """Blocks for one answer (see the module docstring); `database`: the one that
    answered, named when several are served."""
    blocks: list[dict[str, Any]] = [_section(result.answer or "(no answer)")]
    if result.sql:
        blocks.append(_section(f"```{_cut(result.sql, TEXT - 6)}```"))
    if result.columns:
        table = text_table(result.columns, result.rows[:TABLE_ROWS])
        more = f"\n({len(result.rows)} rows: all of them in the file below)" \
            if needs_file(result) else ""
        blocks.append(_section(f"```{_cut(table, TEXT - 120)}```{more}"))
    context = []
    if result.plan:
        context.append(plan_line(result.plan, PLAN))
    if result.citations:
        context.append("Sources: " + ", ".join(
            c.table + (f".{c.column}" if c.column else "") for c in result.citations[:20]))
    if result.error:
        context.append(f"Error: {result.error}")
    if database:
        context.append(f"Database: {database}")
    if context:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": _cut(line, TEXT)} for line in context]})
    buttons = _buttons(result, question)
    if database:
        buttons["block_id"] = DATABASE_BLOCK + database
    blocks.append(buttons)
    return blocks


def button_database(action: dict[str, Any]) -> str | None:
    """The database named by the block of a pressed button, if any."""
    block = str(action.get("block_id") or "")
    return block.removeprefix(DATABASE_BLOCK) if block.startswith(DATABASE_BLOCK) else None


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, TEXT)}}


def _buttons(result: AgentAnswer, question: str) -> dict[str, Any]:
    rated = json.dumps({"q": question[:500], "sql": (result.sql or "")[:1000]},
                       ensure_ascii=False)[:VALUE]
    elements: list[dict[str, Any]] = []
    if result.sql and not result.columns and len(result.sql) <= VALUE:
        elements.append({"type": "button", "action_id": RUN, "style": "primary",
                         "text": {"type": "plain_text", "text": "Run SQL"},
                         "value": result.sql})
    elements += [
        {"type": "button", "action_id": UP, "value": rated,
         "text": {"type": "plain_text", "text": "👍"}},
        {"type": "button", "action_id": DOWN, "value": rated,
         "text": {"type": "plain_text", "text": "👎"}},
    ]
    return {"type": "actions", "elements": elements}


def fallback_text(result: AgentAnswer) -> str:
    """The plain text of a message (notifications, clients without blocks)."""
    return _cut(result.answer or result.error or "(no answer)", TEXT)
