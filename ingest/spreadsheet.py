"""Annotations as a spreadsheet: its columns, the cell format of value mappings, and
writing and reading `.xlsx` (openpyxl) and `.csv` files of those rows.

One row per table and per column. The columns people edit are `description`,
`value mappings` and `unit`; `type`, `sample values` and `suggested description` are
there to help them, and `revision` tells the import which version of the annotation the
row was exported from. What the rows mean for the store is decided in
`spreadsheet_import.py`; this module only moves cells in and out of files.

Value mappings are one cell, `A = ativo; I = inativo`: pairs `VALUE = MEANING`
separated by `;` (or line breaks). A `;` or `\\` inside a value or meaning, and a `=`
inside a value, are written with a backslash before them (`\\;`, `\\\\`, `\\=`); a
value that is blank (a CHAR column's `' '`, an empty text) or starts with `"` is written
between double quotes (`" " = em branco`, `"" = vazio`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from schemachat.configs import BadInput

SheetFormat = Literal["xlsx", "csv"]

# Header cells in file order; the import finds columns by these names, so people may
# reorder or add columns.
TABLE, COLUMN, TYPE, DESCRIPTION, VALUES, UNIT, SAMPLES, SUGGESTED, REVISION = (
    "table", "column", "type", "description", "value mappings", "unit", "sample values",
    "suggested description", "revision")
HEADERS = (TABLE, COLUMN, TYPE, DESCRIPTION, VALUES, UNIT, SAMPLES, SUGGESTED, REVISION)
REQUIRED = (TABLE, COLUMN, DESCRIPTION, VALUES, UNIT, REVISION)
READ_ONLY = (TYPE, SAMPLES, SUGGESTED, REVISION)  # shown for help, never imported

_WIDTHS = {TABLE: (12, 32), COLUMN: (12, 32), TYPE: (10, 24), DESCRIPTION: (30, 70),
           VALUES: (24, 70), UNIT: (6, 16), SAMPLES: (20, 50), SUGGESTED: (30, 70),
           REVISION: (8, 10)}  # (minimum, maximum) characters


@dataclass(frozen=True)
class SheetRow:
    """One exported row: a table (`column` None) or one of its columns."""

    table: str
    column: str | None
    type: str
    description: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    unit: str | None = None
    samples: str = ""
    suggested: str | None = None
    revision: int = 0

    def cells(self) -> list[str | int]:
        """The row's cells in `HEADERS` order."""
        return [self.table, self.column or "", self.type, self.description or "",
                format_values(self.values), self.unit or "", self.samples,
                self.suggested or "", self.revision]


@dataclass(frozen=True)
class RawRow:
    """One row read back from a file, cells as text keyed by header ('' when empty)."""

    number: int  # as the spreadsheet shows it: the header is row 1
    cells: dict[str, str]


def sheet_format(path: Path) -> SheetFormat:
    """The format a file's suffix names; BadInput for anything but .xlsx and .csv."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return "xlsx"
    if suffix == ".csv":
        return "csv"
    raise BadInput(f"{path.name}: a spreadsheet must end in .xlsx or .csv "
                   f"(got '{path.suffix or 'no suffix'}')")


# Value mappings in one cell --------------------------------------------------------


def format_values(values: dict[str, str]) -> str:
    """`{"A": "ativo", "I": "inativo"}` -> `A = ativo; I = inativo` (see the module
    docstring for escapes); `parse_values` reads it back to the same dict."""
    return "; ".join(f"{_format_key(k)} = {_escape(v, ';')}" for k, v in values.items())


def _escape(text: str, specials: str) -> str:
    out = text.replace("\\", "\\\\")
    for ch in specials:
        out = out.replace(ch, "\\" + ch)
    return out


def _format_key(key: str) -> str:
    # Blank keys would vanish when the cell is trimmed; quoting keeps them.
    if not key.strip() or key.startswith('"'):
        return '"' + _escape(key, ";=") + '"'
    return _escape(key, ";=")


def parse_values(text: str) -> dict[str, str]:
    """The mappings of a `value mappings` cell; ValueError saying what is malformed
    (a pair without `=`, no value or no meaning, a value given twice)."""
    values: dict[str, str] = {}
    for pair in _split(text):
        key, meaning = pair
        if meaning is None:
            raise ValueError(f"'{key.strip()}' has no '=': write VALUE = MEANING, pairs "
                             f"separated by ';' (e.g. A = ativo; I = inativo)")
        key, meaning = key.strip(), meaning.strip()
        if key == "":  # an empty text value is written quoted: "" = vazio
            raise ValueError(f"'= {meaning}' has no value before '='")
        key = _unquote(key)
        if not meaning:
            raise ValueError(f"value '{key}' has no meaning after '='")
        if key in values and values[key] != meaning:
            raise ValueError(f"value '{key}' is given twice ('{values[key]}', '{meaning}')")
        values[key] = meaning
    return values


def _split(text: str) -> list[tuple[str, str | None]]:
    """Pairs (value, meaning or None when there was no '='), escapes resolved; blank
    pairs (a trailing ';') dropped."""
    pairs: list[tuple[str, str | None]] = []
    key: list[str] = []
    meaning: list[str] | None = None
    chars = iter(text)
    for ch in chars:
        target = key if meaning is None else meaning
        if ch == "\\":
            target.append(next(chars, "\\"))
        elif ch in ";\n":
            pairs.append(("".join(key), None if meaning is None else "".join(meaning)))
            key, meaning = [], None
        elif ch == "=" and meaning is None:
            meaning = []
        else:
            target.append(ch)
    pairs.append(("".join(key), None if meaning is None else "".join(meaning)))
    return [(k, m) for k, m in pairs if k.strip() or m is not None]


def _unquote(key: str) -> str:
    if len(key) >= 2 and key.startswith('"') and key.endswith('"'):
        return key[1:-1]
    return key


# Files --------------------------------------------------------------------------------


def write_rows(path: Path, rows: Iterable[SheetRow]) -> int:
    """Write `rows` to `path` as .xlsx or .csv (by its suffix); the number of rows."""
    fmt = sheet_format(path)
    cells = [row.cells() for row in rows]
    if fmt == "xlsx":
        _write_xlsx(path, cells)
    else:
        _write_csv(path, cells)
    return len(cells)


def _write_xlsx(path: Path, rows: list[list[str | int]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "annotations"
    sheet.append(list(HEADERS))
    for i, name in enumerate(HEADERS, start=1):
        # Grey headers: columns the import ignores.
        sheet.cell(1, i).font = Font(bold=True, color="808080" if name in READ_ONLY else None)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(r, c, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for i, name in enumerate(HEADERS):
        low, high = _WIDTHS[name]
        longest = max((len(str(row[i])) for row in rows), default=0)
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(max(longest + 2, low,
                                                                          len(name) + 2), high)
    book.save(path)


def _write_csv(path: Path, rows: list[list[str | int]]) -> None:
    # utf-8-sig: the BOM is what makes Excel read the file as UTF-8 (accents intact).
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows(rows)


def read_rows(path: Path) -> list[RawRow]:
    """The rows of an exported (and edited) .xlsx or .csv file, blank rows skipped.

    BadInput (one line) when the file is missing, is not of its suffix's format, or
    lacks one of the `REQUIRED` columns.
    """
    fmt = sheet_format(path)
    if not path.is_file():
        raise BadInput(f"{path} not found")
    table = _read_xlsx(path) if fmt == "xlsx" else _read_csv(path)
    if not table:
        raise BadInput(f"{path.name} is empty: export one with `schemachat annotations "
                       f"export --output {path.name}`")
    header = [_text(h).lower() for h in table[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise BadInput(f"{path.name}: no column {', '.join(repr(m) for m in missing)} in the "
                       f"first row (expected the columns of `schemachat annotations export`)")
    index = {name: header.index(name) for name in HEADERS if name in header}
    rows = []
    for number, raw in enumerate(table[1:], start=2):
        cells = {name: _text(raw[i]) if i < len(raw) else "" for name, i in index.items()}
        if any(cells.values()):
            rows.append(RawRow(number, cells))
    return rows


def _read_xlsx(path: Path) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise BadInput(f"{path.name} is not an .xlsx workbook ({exc})") from None
    try:
        sheet = book.worksheets[0]  # the first sheet, whichever was active when saved
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _read_csv(path: Path) -> list[tuple[object, ...]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV" save on Windows writes Windows-1252, not UTF-8.
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    try:
        # Excel in a pt-BR locale saves with ';': the header line tells which one.
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [tuple(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)]


def _text(value: object) -> str:
    """A cell as trimmed text: numbers as typed (2, not 2.0), empty for None."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
