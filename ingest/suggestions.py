"""Heuristic suggestions for descriptions and value mappings, with no model.

Sources, strongest first: the same column name already described elsewhere; the
foreign key a column belongs to; the project's vocabulary (`data/vocabulary.yaml`:
Portuguese and English wording of abbreviations, extended from what people already
wrote); value distributions and sample rows. A suggestion is only a proposal: nothing
here writes anything.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from schemachat.ingest.annotation_checks import value_problem
from schemachat.ingest.models.annotations import SchemaMetadata
from schemachat.ingest.models.combined import CombinedColumn, CombinedRelation, CombinedSchema
from schemachat.ingest.models.samples import Samples, TableSample
from schemachat.ingest.vocabulary import vocabulary

Field = Literal["description", "values", "unit"]


@dataclass(frozen=True)
class Suggestion:
    """A proposed description, value mapping or unit for a table or a column."""

    target: str  # "TABLE" or "TABLE.COLUMN"
    field: Field
    value: str | dict[str, str]
    source: str  # "same name", "foreign key", "dictionary", "values", "samples", "model"
    why: str


def load_dictionary() -> dict[str, Any]:
    """The wording of the bundled vocabulary (`data/vocabulary.yaml`): `tokens`
    (attribute words), `entities` (what a table or FK is about), `prefixes`, `codes`."""
    vocab = vocabulary()
    return {"tokens": vocab.tokens(), "entities": vocab.entities(),
            "prefixes": vocab.prefixes, "codes": vocab.codes}


@dataclass
class Suggester:
    """Suggestions for the objects of one combined document and its current annotations."""

    doc: CombinedSchema
    metadata: SchemaMetadata
    samples: Samples | None = None
    dictionary: dict[str, Any] = field(default_factory=load_dictionary)

    def __post_init__(self) -> None:
        self.tokens: dict[str, dict[str, Any]] = dict(self.dictionary["tokens"])
        self.entities: dict[str, dict[str, Any]] = dict(self.dictionary["entities"])
        self.learned = self._learn()

    # What people already wrote ------------------------------------------------------

    def _learn(self) -> dict[str, tuple[str, str]]:
        """Column name -> (description, where) for every described column; name parts
        a person explained (`CLI_NOMFAN` = "Nome fantasia") become dictionary tokens."""
        learned: dict[str, tuple[str, str]] = {}
        for obj, note in sorted(self.metadata.objects.items()):
            for col, col_note in sorted(note.columns.items()):
                if not col_note.description:
                    continue
                learned.setdefault(col, (col_note.description, f"{obj}.{col}"))
                parts = col.split("_")
                if len(parts) == 2 and parts[0] in self.entities and parts[1] not in self.tokens:
                    words = col_note.description.rstrip(".").split(" (")[0]
                    self.tokens[parts[1]] = {"pt": words[:1].lower() + words[1:], "en": "",
                                             "learned": f"{obj}.{col}"}
        return learned

    # Tables --------------------------------------------------------------------------

    def for_table(self, name: str) -> list[Suggestion]:
        """Suggested descriptions of table or view `name` (empty if unknown)."""
        rel = self.doc.relation(name)
        if rel is None:
            return []
        out: list[Suggestion] = []
        if text := self._table_phrase(name):
            out.append(Suggestion(name, "description", text, "dictionary",
                                  f"from the parts of the name {name}"))
        if rel.kind == "view" and rel.view_source:
            found = re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", rel.view_source, re.IGNORECASE)
            if found:
                out.append(Suggestion(name, "description",
                                      f"Visão sobre {', '.join(sorted(set(found)))}.",
                                      "view source", "the tables its SQL reads"))
        return out

    def _table_phrase(self, name: str) -> str | None:
        parts = name.split("_")
        prefix = self.dictionary["prefixes"].get(parts[0])
        rest = parts[1:] if prefix else parts
        words = [self._entity_plural(p) or (self.tokens.get(p) or {}).get("pt") for p in rest]
        if not rest or any(w is None for w in words):
            return None
        text = " ".join(w for w in words if w)
        return f"{prefix['pt']} {text}." if prefix else text[:1].upper() + text[1:] + "."

    def _entity_plural(self, part: str) -> str | None:
        ent = self.entities.get(part)
        if ent is None:
            return None
        word: str = ent.get("pl") or ent["pt"] + ("es" if ent["pt"].endswith(("r", "z")) else "s")
        return word

    # Columns -------------------------------------------------------------------------

    def for_column(self, table: str, column: str) -> list[Suggestion]:
        """Suggested description, values and unit of `table.column` (empty if unknown)."""
        rel = self.doc.relation(table)
        col = next((c for c in rel.columns if c.name == column), None) if rel else None
        if rel is None or col is None:
            return []
        target = f"{table}.{column}"
        out: list[Suggestion] = []
        described_elsewhere = self.learned.get(column)
        if described_elsewhere and described_elsewhere[1] != target:
            text, where = described_elsewhere
            out.append(Suggestion(target, "description", text, "same name",
                                  f"{where} has the same name and says so"))
        out += self._from_foreign_key(rel, col, target)
        if phrase := self.column_phrase(column, rel.name):
            out.append(Suggestion(target, "description", phrase[0], "dictionary", phrase[1]))
        out += self._from_values(rel, col, target)
        out += self._from_samples(rel, col, target)
        parts = {p for part in column.split("_") for p in self._split(part)}
        if col.type.startswith(("NUMERIC", "DECIMAL")) and parts & _MONEY:
            out.append(Suggestion(target, "unit", "R$", "dictionary",
                                  "a money amount by its name"))
        return _unique(out)

    def _from_foreign_key(self, rel: CombinedRelation, col: CombinedColumn, target: str
                          ) -> list[Suggestion]:
        out = []
        for fk in rel.foreign_keys:
            if col.name not in fk.columns:
                continue
            ref = self.doc.relation(fk.ref_table)
            note = self.metadata.objects.get(fk.ref_table)
            about = (note.description if note and note.description else
                     (ref.description if ref and ref.description else None))
            ref_cols = ".".join(fk.ref_columns) if len(fk.ref_columns) == 1 else \
                f"({', '.join(fk.ref_columns)})"
            text = f"Referência a {fk.ref_table}.{ref_cols}" + (f" ({about.rstrip('.')})."
                                                               if about else ".")
            out.append(Suggestion(target, "description", text, "foreign key",
                                  f"{fk.name} points at {fk.ref_table}"))
        return out

    def column_phrase(self, column: str, table: str = "") -> tuple[str, str] | None:
        """A description built from the parts of `column`'s name, and how it was built;
        None when fewer than half of the parts are known."""
        parts = [p for part in column.split("_") for p in self._split(part)]
        table_entity = table.split("_")[-1] if table else ""
        attrs: list[dict[str, Any]] = []
        entity: dict[str, Any] | None = None
        glosses = []
        for part in parts:
            if part in self.entities and (part == table_entity or entity is None) and \
                    not (part == parts[0] and part in self.tokens):
                entity = self.entities[part]
                glosses.append(f"{part} = {entity['pt']}")
            elif part in self.tokens:
                attrs.append(self.tokens[part])
                glosses.append(f"{part} = {self.tokens[part]['pt']}")
        known = len(glosses)
        if not attrs or known * 2 < len(parts):
            return None
        words = attrs[0]["pt"]
        for prev, cur in itertools.pairwise(attrs):
            join = " de " if prev.get("head") and not cur.get("adj") else " "
            words += join + cur["pt"]
        if entity:
            words += f" {entity.get('de', 'de')} {entity['pt']}"
        return words[:1].upper() + words[1:] + ".", "; ".join(glosses)

    def _split(self, part: str) -> list[str]:
        """`DTCAD` -> [`DT`, `CAD`] by the longest known prefixes; unknown stays whole."""
        if part in self.tokens or part in self.entities or not part:
            return [part]
        for cut in range(len(part) - 1, 1, -1):
            head, tail = part[:cut], part[cut:]
            if head in self.tokens or head in self.entities:
                rest = self._split(tail)
                if all(r in self.tokens or r in self.entities for r in rest):
                    return [head, *rest]
        return [part]

    def _from_values(self, rel: CombinedRelation, col: CombinedColumn, target: str
                     ) -> list[Suggestion]:
        seen = [str(v.value) for v in col.distribution or [] if v.value is not None]
        if not seen:
            return []
        guesses: dict[str, str] = {}
        source = "values"
        for other, note in self.metadata.objects.items():
            other_col = note.columns.get(col.name)
            if other != rel.name and other_col and other_col.values:
                guesses.update({k: v for k, v in other_col.values.items() if k in seen})
                if guesses:
                    source = f"same name: {other}.{col.name}"
                    break
        if not guesses:
            for rule in self.dictionary["codes"]:
                if not re.search(rule["columns"], col.name):
                    continue
                known = {k: v for k, v in rule["values"].items() if k in seen}
                if rule.get("only_if_all_known") and set(seen) - set(known):
                    continue
                guesses = {**known, **guesses}
                if guesses:
                    source = "common codes"
                    break
        guesses = {k: v for k, v in guesses.items() if value_problem(k, col.type) is None}
        counts = ", ".join(f"{v.value!r} ({v.count})" for v in (col.distribution or [])[:10])
        unknown = [v for v in seen if v not in guesses]
        why = f"values seen: {counts}" + (f"; no guess for {', '.join(unknown)}"
                                           if unknown and guesses else "")
        if not guesses:
            return [Suggestion(target, "values", {v: "" for v in seen[:20]}, "values",
                               f"{why}: write what each means")]
        return [Suggestion(target, "values", guesses, "values", f"{source}; {why}")]

    def _from_samples(self, rel: CombinedRelation, col: CombinedColumn, target: str
                      ) -> list[Suggestion]:
        sample = self.samples.tables.get(rel.name) if self.samples else None
        values = [str(v) for v in sample_values(sample, col.name) if v not in (None, "")]
        if not values:
            return []
        for pattern, text in _SAMPLE_PATTERNS:
            if all(re.fullmatch(pattern, v) for v in values):
                return [Suggestion(target, "description", text, "samples",
                                   f"every sample value looks like it, e.g. {values[0]!r}")]
        return []


_MONEY = {"VL", "VLR", "VALOR", "PRECO", "CUSTO", "SAL", "SALARIO", "JUROS"}


def _unique(suggestions: list[Suggestion]) -> list[Suggestion]:
    """The first of suggestions proposing the same thing."""
    seen: set[str] = set()
    out = []
    for s in suggestions:
        key = f"{s.field}:{json.dumps(s.value, sort_keys=True)}"
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


_SAMPLE_PATTERNS = [
    (r"[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}", "E-mail."),
    (r"\d{3}\.\d{3}\.\d{3}-\d{2}", "CPF (pessoa física), formatado."),
    (r"\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}", "CNPJ (pessoa jurídica), formatado."),
    (r"\d{3}\.\d{3}\.\d{3}-\d{2}|\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}",
     "CPF (pessoa física) ou CNPJ (pessoa jurídica), formatado."),
    (r"\d{5}-\d{3}", "CEP (código postal)."),
    (r"\(?\d{2}\)?\s?\d{4,5}-?\d{4}", "Telefone."),
    (r"[A-Z]{2}", "Sigla de duas letras (UF?)."),
]


def sample_values(sample: TableSample | None, column: str) -> Iterable[object]:
    """The sampled values of `column` (none when it was not sampled)."""
    if sample is None or column not in sample.columns:
        return []
    i = sample.columns.index(column)
    return [row[i] for row in sample.rows if i < len(row)]
