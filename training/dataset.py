"""Training data from the annotated document: schema Q&A and engine-verified SQL pairs.

    report = build_dataset(settings, seed=0)   # writes <workspace>/datasets/{train,eval}.jsonl

Every answer is built from `combined_schema_details.json` (never invented): table and
column descriptions, value mappings, foreign keys. Every SQL pair is checked and run by
the read-only guard (`agent/sql/guard.py`) on the database; pairs the engine refuses
are dropped and counted, the others keep their result (columns and rows) as the gold.

Confirmed question -> SQL pairs from feedback (`golden_sql.jsonl`, agent/feedback.py) join
the template pairs: checked and run by the same guard (refused ones dropped and counted),
split by their tables like the rest; they change the dataset fingerprint, so `retrain`
notices new ones.

Each example carries the context the agent would show (retrieved chunks when an index
is there, else the text of the tables the question is about), so the adapter learns to
read the context rather than memorise facts that go stale. The held-out split is by
table: an example goes to `eval` when it touches any held-out table.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from schemachat.agent.adapters.schema import SchemaFingerprint, write_schema_fingerprint
from schemachat.agent.feedback import GoldenExample, read_golden
from schemachat.configs import BadInput, Settings
from schemachat.ingest.models.combined import CombinedColumn, CombinedRelation, CombinedSchema
from schemachat.ingest.schema_fingerprint import shape_of
from schemachat.ingest.workspace import Workspace, read_model

SYSTEM = ("You answer questions about a Firebird database schema and write Firebird SQL, "
          "using only the context given. Responda em português quando a pergunta for em "
          "português.")
MAX_ROWS = 20  # gold rows kept per SQL pair
GOLDEN_DROP = "golden: "  # prefix of the drop reasons of golden pairs
CONTEXT_CHARS = 600  # per table, keeps CPU training examples short


@dataclass
class Example:
    """One chat example plus what evaluation needs to score an answer."""

    kind: str  # "schema_qa" | "sql"
    lang: str  # "pt" | "en"
    question: str
    answer: str
    tables: list[str]
    mentions: list[str] = field(default_factory=list)  # schema_qa: names the answer must say
    columns: list[str] = field(default_factory=list)  # sql: gold result columns
    rows: list[list[Any]] = field(default_factory=list)  # sql: gold rows (JSON-safe)
    context: str = ""
    source: str = "template"  # "template" | "golden" (confirmed in feedback)

    def messages(self, *, with_context: bool = True) -> list[dict[str, str]]:
        return [{"role": "system", "content": SYSTEM},
                {"role": "user", "content": prompt_text(self.question,
                                                        self.context if with_context else "")},
                {"role": "assistant", "content": self.answer}]

    def record(self, fingerprint: str) -> dict[str, Any]:
        data = asdict(self)
        data["messages"] = self.messages()
        data["fingerprint"] = fingerprint
        return data


@dataclass
class DatasetReport:
    folder: Path
    fingerprint: str  # of the dataset: the document's, plus the golden pairs when any
    seed: int
    train: int
    eval: int
    held_out_tables: list[str]
    sql_verified: int  # template and golden pairs the engine ran
    sql_dropped: int
    dropped_reasons: list[str]
    context: str  # "index" | "document"
    document_fingerprint: str = ""
    golden_verified: int = 0
    golden_dropped: int = 0
    plan_train: int = 0  # question -> plan choice examples in train.jsonl (plan_dataset.py)
    plan_eval: int = 0  # held-out plan questions (plans_eval.jsonl, the retrain gate's)
    plan_dropped: int = 0  # questions no plan of the linker answers (nothing to learn)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["folder"] = str(self.folder)
        return data


def prompt_text(question: str, context: str) -> str:
    """The user turn: context (when any) then the question; shared with evaluation."""
    if not context:
        return f"Pergunta / Question: {question}"
    return f"Contexto / Context:\n{context}\n\nPergunta / Question: {question}"


# --- schema Q&A -------------------------------------------------------------------------

def schema_questions(rel: CombinedRelation) -> Iterator[Example]:
    """Q&A about one table, answers copied from its annotations and keys."""
    name = rel.name
    note = rel.annotation
    if note and note.description:
        yield Example("schema_qa", "pt", f"O que é a tabela {name}?",
                      f"A tabela {name} guarda: {note.description}", [name], [name])
        yield Example("schema_qa", "en", f"What is stored in table {name}?",
                      f"Table {name}: {note.description}", [name], [name])
    for col in rel.columns:
        cnote = col.annotation
        if cnote and cnote.description:
            yield Example("schema_qa", "pt",
                          f"Qual coluna guarda '{cnote.description}' na tabela {name}?",
                          f"A coluna {name}.{col.name} ({col.type}).", [name],
                          [name, col.name])
            yield Example("schema_qa", "en",
                          f"Which column of {name} holds '{cnote.description}'?",
                          f"Column {name}.{col.name} ({col.type}).", [name], [name, col.name])
        for code, meaning in sorted((cnote.values if cnote else {}).items()):
            yield Example("schema_qa", "pt",
                          f"O que significa o código '{code}' em {name}.{col.name}?",
                          f"Em {name}.{col.name}, '{code}' significa: {meaning}.", [name],
                          [name, col.name, meaning])
            yield Example("schema_qa", "en",
                          f"What does code '{code}' mean in {name}.{col.name}?",
                          f"In {name}.{col.name}, '{code}' means: {meaning}.", [name],
                          [name, col.name, meaning])
    for fk in rel.foreign_keys:
        on = " AND ".join(f"{name}.{a} = {fk.ref_table}.{b}"
                          for a, b in zip(fk.columns, fk.ref_columns, strict=False))
        yield Example("schema_qa", "pt", f"Como ligo {name} a {fk.ref_table}?",
                      f"Pela chave estrangeira {fk.name}: {on}.", [name, fk.ref_table],
                      [name, fk.ref_table, *fk.columns])
        yield Example("schema_qa", "en", f"How do {name} and {fk.ref_table} join?",
                      f"Through foreign key {fk.name}: {on}.", [name, fk.ref_table],
                      [name, fk.ref_table, *fk.columns])


# --- SQL pairs (candidates; the engine decides) ----------------------------------------

def _is_text(col: CombinedColumn) -> bool:
    return col.type.upper().startswith(("CHAR", "VARCHAR"))


def _is_number(col: CombinedColumn) -> bool:
    return col.type.upper().startswith(("NUMERIC", "DECIMAL", "INTEGER", "BIGINT", "SMALLINT",
                                        "DOUBLE", "FLOAT"))


def _is_date(col: CombinedColumn) -> bool:
    return col.type.upper().startswith(("DATE", "TIMESTAMP"))


def _literal(col: CombinedColumn, code: str) -> str:
    return "'" + code.replace("'", "''") + "'" if _is_text(col) else code


def sql_candidates(rel: CombinedRelation) -> Iterator[Example]:
    """Question -> SQL candidates for one table: counts, mapped-value filters,
    aggregates, date ranges and FK joins."""
    name = rel.name
    yield Example("sql", "pt", f"Quantos registros há em {name}?",
                  f"SELECT COUNT(*) FROM {name}", [name])
    yield Example("sql", "en", f"How many rows does {name} have?",
                  f"SELECT COUNT(*) FROM {name}", [name])
    for col in rel.columns:
        values = col.annotation.values if col.annotation else {}
        for code, meaning in sorted(values.items())[:3]:
            where = f"{col.name} = {_literal(col, code)}"
            yield Example("sql", "pt", f"Quantos registros de {name} estão com {col.name} "
                          f"'{meaning}'?", f"SELECT COUNT(*) FROM {name} WHERE {where}", [name])
            yield Example("sql", "en", f"How many {name} rows have {col.name} = {meaning}?",
                          f"SELECT COUNT(*) FROM {name} WHERE {where}", [name])
        is_key = col.name.startswith(("ID", "COD")) or col.name.endswith(("_ID", "_COD"))
        if _is_number(col) and not is_key and col.computed is None:
            yield Example("sql", "pt", f"Qual o total e o máximo de {col.name} em {name}?",
                          f"SELECT SUM({col.name}), MAX({col.name}) FROM {name}", [name])
            yield Example("sql", "en", f"What is the average {col.name} in {name}?",
                          f"SELECT AVG({col.name}) FROM {name}", [name])
        if _is_date(col):
            yield Example("sql", "pt", f"Qual a primeira e a última data de {col.name} em "
                          f"{name}?", f"SELECT MIN({col.name}), MAX({col.name}) FROM {name}",
                          [name])
            yield Example("sql", "en", f"How many {name} rows per year of {col.name}?",
                          f"SELECT EXTRACT(YEAR FROM {col.name}) AS ANO, COUNT(*) FROM {name} "
                          f"GROUP BY 1 ORDER BY 1", [name])
    for fk in rel.foreign_keys:
        on = " AND ".join(f"a.{x} = b.{y}" for x, y in zip(fk.columns, fk.ref_columns,
                                                             strict=False))
        sql = (f"SELECT COUNT(*) FROM {name} a JOIN {fk.ref_table} b ON {on}")
        yield Example("sql", "pt", f"Quantos registros de {name} têm {fk.ref_table} "
                      "correspondente?", sql, [name, fk.ref_table])
        yield Example("sql", "en", f"Count {name} rows joined to {fk.ref_table}.", sql,
                      [name, fk.ref_table])


_WORD = re.compile(r'"([^"]+)"|([A-Za-z_][A-Za-z0-9_$]*)')
_PT = re.compile(r"[ãõçáéíóúâêô]|\b(quantos|quantas|qual|quais|onde|como|que|do|da|dos|das|"
                 r"por|em|para|com)\b", re.IGNORECASE)


def golden_candidates(golden: Sequence[GoldenExample], doc: CombinedSchema) -> list[Example]:
    """Golden pairs as SQL examples; their tables are the ones recorded with the pair, else
    the document's tables the SQL names (in order)."""
    known = {rel.name for rel in doc.relations()}
    out = []
    for g in golden:
        tables = [t for t in g.tables if t in known]
        if not tables:
            for quoted, bare in _WORD.findall(g.sql):
                name = quoted or bare.upper()
                if name in known and name not in tables:
                    tables.append(name)
        lang = "pt" if _PT.search(g.question) else "en"
        out.append(Example("sql", lang, g.question.strip(), g.sql.strip().rstrip(";").strip(),
                           tables, source="golden"))
    return out


def dataset_fingerprint(document: str, golden: Sequence[GoldenExample]) -> str:
    """The dataset's fingerprint: the document's when there are no golden pairs, else a
    sha256 of it and the pairs (order and repeats ignored)."""
    if not golden:
        return document
    pairs = sorted({(g.question.strip(), g.sql.strip()) for g in golden})
    return hashlib.sha256(json.dumps([document, pairs]).encode()).hexdigest()


def current_fingerprint(workspace: Path, doc: CombinedSchema) -> str:
    """The fingerprint a dataset built now from `workspace` would have."""
    return dataset_fingerprint(doc.fingerprint, read_golden(workspace))


def json_safe(value: Any) -> Any:
    """Rows as JSON: decimals and dates become strings, so gold and prediction compare."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def normalise_rows(rows: list[tuple[Any, ...]] | list[list[Any]]) -> list[list[Any]]:
    return [[json_safe(v) for v in row] for row in rows]


Runner = Callable[[str], tuple[list[str], list[list[Any]]]]


def verify(examples: list[Example], run: Runner) -> tuple[list[Example], list[str]]:
    """Keep the SQL examples the guard runs; the reasons of the others, one per drop."""
    kept: list[Example] = []
    dropped: list[str] = []
    for ex in examples:
        try:
            columns, rows = run(ex.answer)
        except BadInput as exc:
            dropped.append(f"{ex.answer}: {exc}")
            continue
        ex.columns, ex.rows = columns, rows[:MAX_ROWS]
        kept.append(ex)
    return kept, dropped


def guard_runner(settings: Settings) -> tuple[Runner, Callable[[], None]]:
    """A runner over the settings' database through the read-only guard, and its closer."""
    from schemachat.agent.sql.guard import run_read_only
    from schemachat.ingest.firebird import connect

    con = connect(settings)

    def run(sql: str) -> tuple[list[str], list[list[Any]]]:
        result = run_read_only(con, sql, settings)
        return result.columns, normalise_rows(result.rows)

    return run, con.close


# --- context --------------------------------------------------------------------------

def table_text(rel: CombinedRelation) -> str:
    """The document's text for one table: description, columns, meanings, keys."""
    parts = [f"{rel.name}: {rel.annotation.description}" if rel.annotation and
             rel.annotation.description else rel.name]
    cols = []
    for col in rel.columns:
        text = f"{col.name} {col.type}"
        if col.annotation and col.annotation.description:
            text += f" ({col.annotation.description})"
        if col.annotation and col.annotation.values:
            pairs = sorted(col.annotation.values.items())
            text += " [" + ", ".join(f"{k}={v}" for k, v in pairs) + "]"
        cols.append(text)
    parts.append("columns: " + "; ".join(cols))
    for fk in rel.foreign_keys:
        parts.append(f"FK {', '.join(fk.columns)} -> {fk.ref_table}({', '.join(fk.ref_columns)})")
    return "\n".join(parts)[:CONTEXT_CHARS]


def document_context(doc: CombinedSchema) -> Callable[[Example], str]:
    """Context from the document for the example's own tables (no index needed)."""
    texts = {rel.name: table_text(rel) for rel in doc.relations()}
    return lambda ex: "\n\n".join(texts[t] for t in ex.tables if t in texts)


def index_context(settings: Settings, doc: CombinedSchema, k: int = 2) -> Callable[[Example], str]:
    """Context as the agent would retrieve it: the top `k` tables' text for the question."""
    from schemachat.agent.retrieval import SchemaIndex

    index = SchemaIndex.open(settings, check=False)
    texts = {rel.name: table_text(rel) for rel in doc.relations()}

    def context(ex: Example) -> str:
        names = index.search(ex.question, k=k, expand=False).tables
        return "\n\n".join(texts[n] for n in names[:k] if n in texts)

    return context


# --- build ----------------------------------------------------------------------------

def split_tables(names: list[str], seed: int, eval_share: float) -> set[str]:
    """The held-out tables: a seeded sample of `eval_share` of them (at least one)."""
    ordered = sorted(names)
    rng = random.Random(seed)
    count = max(1, round(len(ordered) * eval_share)) if len(ordered) > 1 else 0
    return set(rng.sample(ordered, count))


def generate(doc: CombinedSchema, run: Runner | None, *, seed: int = 0,
             eval_share: float = 0.2, context: Callable[[Example], str] | None = None,
             golden: Sequence[GoldenExample] = (),
             ) -> tuple[list[Example], list[Example], set[str], int, list[str]]:
    """(train, eval, held-out tables, verified SQL count, drop reasons); deterministic.
    Golden pairs are verified like the template SQL; their drop reasons start with
    GOLDEN_DROP."""
    qa: list[Example] = []
    candidates: list[Example] = []
    for rel in sorted(doc.tables, key=lambda r: r.name):
        qa.extend(schema_questions(rel))
        candidates.extend(sql_candidates(rel))
    sql, dropped = verify(candidates, run) if run else ([], [])
    gold, gold_dropped = verify(golden_candidates(golden, doc), run) if run else ([], [])
    dropped += [GOLDEN_DROP + reason for reason in gold_dropped]
    sql += gold
    examples = qa + sql
    context = context or document_context(doc)
    for ex in examples:
        ex.context = context(ex)
    held = split_tables([r.name for r in doc.tables], seed, eval_share)
    train = [ex for ex in examples if not held.intersection(ex.tables)]
    evals = [ex for ex in examples if held.intersection(ex.tables)]
    random.Random(seed).shuffle(train)
    return train, evals, held, len(sql), dropped


def build_dataset(settings: Settings, *, seed: int = 0, eval_share: float = 0.2,
                  name: str = "schema", use_index: bool = True,
                  verify_sql: bool = True, golden: bool = True,
                  plans: bool = True) -> DatasetReport:
    """Write `<workspace>/datasets/<name>/{train,eval}.jsonl`, `dataset.json` and
    `schema_fingerprint.json` (the database's schema), with the workspace's golden pairs
    (`golden_sql.jsonl`) unless `golden` is off. With `plans` (and the engine to check
    them), train.jsonl also holds question -> plan choice examples and
    `plans_eval.jsonl` the held-out plan questions (training/plan_dataset.py).

    Raises BadInput when there is no combined document (run `schemachat merge`) or the
    database cannot be reached while `verify_sql` is on.
    """
    ws = Workspace(settings.workspace)
    if not ws.combined.exists():
        raise BadInput(f"no {ws.combined.name} in {ws.root}: run `schemachat merge` first")
    doc = read_model(ws.combined, CombinedSchema)
    context, how = document_context(doc), "document"
    if use_index and (ws.index_dir / "manifest.json").exists():
        with contextlib.suppress(BadInput):  # a stale or foreign index: use the document
            context, how = index_context(settings, doc), "index"
    pairs = read_golden(ws.root) if golden else []
    fingerprint = dataset_fingerprint(doc.fingerprint, pairs)
    from schemachat.training.plan_dataset import plan_split, write_plans_eval

    run, close = guard_runner(settings) if verify_sql else (None, lambda: None)
    try:
        train, evals, held, verified, dropped = generate(
            doc, run, seed=seed, eval_share=eval_share, context=context, golden=pairs)
        plan_train, plan_eval, plan_dropped = plan_split(
            settings, doc, pairs, held, run, seed=seed, use_index=use_index) \
            if plans and run is not None else ([], [], [])
    finally:
        close()
    folder = ws.root / "datasets" / name
    folder.mkdir(parents=True, exist_ok=True)
    records = [ex.record(fingerprint) for ex in [*train, *plan_train]]
    random.Random(seed).shuffle(records)  # plan choices among the rest, not in a block
    for split, rows in (("train", records), ("eval", [ex.record(fingerprint) for ex in evals])):
        with open(folder / f"{split}.jsonl", "w", encoding="utf-8") as fh:
            for record in rows:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    write_plans_eval(folder, plan_eval, fingerprint)
    report = DatasetReport(
        folder, fingerprint, seed, len(records), len(evals), sorted(held), verified,
        len(dropped), dropped, how, document_fingerprint=doc.fingerprint,
        golden_verified=sum(ex.source == "golden" for ex in train + evals),
        golden_dropped=sum(r.startswith(GOLDEN_DROP) for r in dropped),
        plan_train=len(plan_train), plan_eval=len(plan_eval), plan_dropped=len(plan_dropped))
    (folder / "dataset.json").write_text(json.dumps(report.to_json(), indent=2,
                                                    ensure_ascii=False), "utf-8")
    # Which database's schema the data is about; training copies it into the adapter.
    write_schema_fingerprint(folder, SchemaFingerprint.of(shape_of(doc), settings.db))
    return report


def read_examples(path: Path) -> list[dict[str, Any]]:
    """The records of a dataset split (one JSON object a line)."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def read_report(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "dataset.json").read_text("utf-8"))
