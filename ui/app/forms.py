"""Between the Annotate tab's text fields and annotation notes: value mappings as lines
(`A = ativo`), blank fields as "not written", the table picker's filter and the table
the tab opens on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schemachat.configs import BadInput
from schemachat.ingest.models.annotations import ColumnNote, ObjectNote, SchemaMetadata
from schemachat.ingest.models.combined import CombinedSchema


@dataclass
class ColumnForm:
    """A column's fields as typed in the form (plain strings)."""

    description: str = ""
    values: str = ""
    unit: str = ""
    notes: str = ""


def column_form(note: ColumnNote | None) -> ColumnForm:
    """The form fields showing `note`."""
    note = note or ColumnNote()
    return ColumnForm(note.description or "", values_to_text(note.values), note.unit or "",
                      note.notes or "")


def values_to_text(values: dict[str, str]) -> str:
    """`{"A": "ativo"}` -> `"A = ativo"`, one mapping per line."""
    return "\n".join(f"{k} = {v}".rstrip() for k, v in values.items())


def text_to_values(text: str, where: str) -> dict[str, str]:
    """Lines `VALUE = MEANING` -> dict; BadInput naming the line without `=`."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, sep, meaning = line.partition("=")
        if not sep:
            raise BadInput(f"value mappings of {where}, line {number}: write VALUE = MEANING "
                           f"(got {line.strip()!r})")
        values[key.strip()] = meaning.strip()
    return values


def _blank_is_none(text: str | None) -> str | None:
    # In the form an empty field means "not written" (clearing a description removes it).
    return text.strip() if text and text.strip() else None


def apply_forms(note: ObjectNote, description: str, tags: str, notes: str,
                forms: dict[str, dict[str, Any]]) -> ObjectNote:
    """`note` with the table fields and the edited column forms applied."""
    columns = dict(note.columns)
    for name, raw in forms.items():
        form = ColumnForm(**raw)
        old = columns.get(name) or ColumnNote()
        columns[name] = old.model_copy(update={
            "description": _blank_is_none(form.description),
            "values": text_to_values(form.values, name), "unit": _blank_is_none(form.unit),
            "notes": _blank_is_none(form.notes),
        })
    return note.model_copy(update={
        "description": _blank_is_none(description), "notes": _blank_is_none(notes),
        "tags": [t.strip() for t in tags.split(",") if t.strip()], "columns": columns,
    })


def table_choices(doc: CombinedSchema, metadata: SchemaMetadata, query: str,
                  undescribed_only: bool) -> list[str]:
    """Names of tables and views matching `query` (in the name, a column name or a
    description), optionally only those without a description."""
    q = query.strip().lower()
    names = []
    for rel in doc.relations():
        note = metadata.objects.get(rel.name)
        described = bool(rel.description or (note and note.description))
        if undescribed_only and described:
            continue
        haystack = [rel.name, rel.description or "", note.description or "" if note else "",
                    *(c.name for c in rel.columns)]
        if not q or any(q in h.lower() for h in haystack):
            names.append(rel.name)
    return sorted(names)


def opening_table(doc: CombinedSchema, metadata: SchemaMetadata) -> str | None:
    """The table the Annotate tab opens on: the first table (by name) nobody has described
    yet, else the first undescribed view, else the first table or view; None when the
    document has none."""
    undescribed = table_choices(doc, metadata, "", True)
    tables = {t.name for t in doc.tables}
    return next((n for n in undescribed if n in tables), None) or next(
        iter(undescribed), None) or next(iter(table_choices(doc, metadata, "", False)), None)
