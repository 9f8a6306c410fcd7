"""Checks an annotation must pass before it is written: the object and its columns exist,
descriptions are not empty, and every value mapping names a value the column can hold.

Each check raises BadInput with one line naming the object, column or value at fault.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from schemachat.configs import BadInput
from schemachat.ingest.models.annotations import ColumnNote, ObjectNote
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.technical import TechnicalSchema
from schemachat.ingest.workspace import Workspace, read_model

# Integer types and the values they hold.
_INT_RANGES = {
    "SMALLINT": (-(2**15), 2**15 - 1),
    "INTEGER": (-(2**31), 2**31 - 1),
    "BIGINT": (-(2**63), 2**63 - 1),
    "INT128": (-(2**127), 2**127 - 1),
}
_CHAR = re.compile(r"^(?:CHAR|VARCHAR|NCHAR|NATIONAL CHARACTER)\s*\((\d+)\)")
_EXACT = re.compile(r"^(?:NUMERIC|DECIMAL)\s*\((\d+)(?:\s*,\s*(\d+))?\)")
_FLOATS = ("FLOAT", "DOUBLE PRECISION", "REAL", "DECFLOAT")


@dataclass(frozen=True)
class Catalog:
    """Names and column types of the objects annotations may talk about."""

    columns: dict[str, dict[str, str]]  # table/view/procedure -> column/parameter -> type

    @classmethod
    def of(cls, schema: TechnicalSchema | CombinedSchema) -> Catalog:
        """The catalog of a technical or combined document."""
        cols: dict[str, dict[str, str]] = {
            rel.name: {c.name: c.type for c in rel.columns} for rel in schema.relations()
        }
        for proc in schema.procedures:
            cols[proc.name] = {p.name: p.type for p in [*proc.inputs, *proc.outputs]}
        return cls(cols)

    @classmethod
    def load(cls, ws: Workspace) -> Catalog:
        """From the workspace's technical schema, or its combined document if that is all
        there is. BadInput when neither exists (run `schemachat extract` first)."""
        if ws.technical.exists() or not ws.combined.exists():
            return cls.of(read_model(ws.technical, TechnicalSchema))
        return cls.of(read_model(ws.combined, CombinedSchema))

    def column_type(self, obj: str, column: str) -> str:
        """The type of `obj.column`; BadInput naming the unknown object or column."""
        cols = self.object_columns(obj)
        if column not in cols:
            raise BadInput(f"unknown column {obj}.{column}{_did_you_mean(column, cols)}")
        return cols[column]

    def object_columns(self, obj: str) -> dict[str, str]:
        """Columns of `obj` with their types; BadInput naming an unknown object."""
        if obj not in self.columns:
            raise BadInput(f"unknown table or view '{obj}'{_did_you_mean(obj, self.columns)}")
        return self.columns[obj]


def _did_you_mean(name: str, known: object) -> str:
    close = difflib.get_close_matches(name.upper(), list(known), n=3)  # type: ignore[call-overload]
    return f" (did you mean {', '.join(close)}?)" if close else ""


def check_object_note(catalog: Catalog, obj: str, note: ObjectNote) -> None:
    """Raise BadInput for the first thing in `note` that cannot be written for `obj`."""
    catalog.object_columns(obj)
    _check_text(note.description, f"description of {obj}")
    _check_text(note.notes, f"notes of {obj}")
    for tag in note.tags:
        if not tag.strip():
            raise BadInput(f"empty tag on {obj}")
    for column, col_note in note.columns.items():
        check_column_note(catalog, obj, column, col_note)


def check_column_note(catalog: Catalog, obj: str, column: str, note: ColumnNote) -> None:
    """Raise BadInput if `obj.column` does not exist or `note` does not fit it."""
    col_type = catalog.column_type(obj, column)
    where = f"{obj}.{column}"
    _check_text(note.description, f"description of {where}")
    _check_text(note.unit, f"unit of {where}")
    _check_text(note.notes, f"notes of {where}")
    for value, meaning in note.values.items():
        problem = value_problem(value, col_type)
        if problem:
            raise BadInput(f"value {value!r} of {where}: {problem}")
        if not meaning.strip():
            raise BadInput(f"value {value!r} of {where} has an empty meaning")


def _check_text(text: str | None, what: str) -> None:
    # None means "not written"; an empty string is a mistake (a cleared field is None).
    if text is not None and not text.strip():
        raise BadInput(f"empty {what}: write something, or leave it out")


def value_problem(value: str, col_type: str) -> str | None:
    """Why a column of Firebird type `col_type` cannot hold `value` (as typed), or None.

    Checked: CHAR/VARCHAR length, integer syntax and range, NUMERIC/DECIMAL precision
    and scale, floats, BOOLEAN. Other types (dates, blobs) accept any text.
    """
    base = col_type.upper().split(" CHARACTER SET ")[0].strip()
    if m := _CHAR.match(base):
        size = int(m.group(1))
        if len(value) > size:
            return f"longer than {base} ({len(value)} > {size} characters)"
        return None
    if base in _INT_RANGES:
        return _integer_problem(value, base)
    if m := _EXACT.match(base):
        return _exact_problem(value, base, int(m.group(1)), int(m.group(2) or 0))
    if base.startswith(_FLOATS):
        try:
            float(value)
        except ValueError:
            return f"not a number, but the column is {base}"
        return None
    if base == "BOOLEAN" and value.strip().upper() not in {"TRUE", "FALSE"}:
        return "a BOOLEAN column holds TRUE or FALSE only"
    return None


def _integer_problem(value: str, base: str) -> str | None:
    try:
        number = int(value.strip())
    except ValueError:
        return f"not a whole number, but the column is {base}"
    low, high = _INT_RANGES[base]
    if not low <= number <= high:
        return f"out of the range of {base} ({low}..{high})"
    return None


def _exact_problem(value: str, base: str, precision: int, scale: int) -> str | None:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return f"not a number, but the column is {base}"
    if not number.is_finite():
        return f"not a finite number, but the column is {base}"
    exponent = int(number.as_tuple().exponent)
    if -exponent > scale:
        return f"more than {scale} decimal places for {base}"
    if len(str(abs(int(number)))) > max(precision - scale, 1) and int(number) != 0:
        return f"too many digits for {base}"
    return None

