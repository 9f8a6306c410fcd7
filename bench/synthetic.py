"""A large, deterministic synthetic Firebird schema for the benchmarks.

`build_synthetic` makes an embedded database with N tables × M columns: mixed
column types, a primary key on every table (some composite), foreign keys from
each table to 1–3 earlier ones (composite when the parent's key is), a few
secondary indices and CHECK constraints, `COMMENT ON` descriptions on a fraction
of tables and columns, a few views and optionally some rows per table. The same
parameters always give the same schema.

Names look like a legacy ERP's (`CAD_CLI_0042`, `VL_TOTAL_7`) so the retrieval
benchmark can use the same database.

`cached_synthetic` builds it into `bench/out/` once and reuses it while the
parameters (and the generator version) match a stamp file next to it.

Run `python -m bench.synthetic --tables 1000 --columns 20` to build one and see
how long it took.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from schemachat.ingest.firebird import create_database

# Bump when the generated schema changes, so cached databases are rebuilt.
GENERATOR_VERSION = 1
OUT_DIR = Path(__file__).resolve().parent / "out"
COMMIT_EVERY = 50

_MODULES = ["CAD", "MOV", "FIN", "EST", "VEN", "COM", "FIS", "CTB", "PRD", "RH"]
_NOUNS = ["CLI", "FOR", "PROD", "PED", "NF", "ITEM", "TIT", "LANC", "FUNC", "CCUSTO",
          "DEP", "TAB", "PAG", "REC", "OBRA", "VEIC", "CONTR", "ORC", "LOTE", "MOVTO"]
_WORDS = ["TOTAL", "DESC", "OBS", "NOME", "QTD", "PRECO", "EMISSAO", "VENC", "SALDO", "TIPO",
          "STATUS", "REF", "CIDADE", "UF", "FONE", "EMAIL", "PESO", "ALIQ", "BASE", "HIST"]
_ENGLISH = ["customer", "supplier", "product", "order", "invoice", "item", "receivable",
            "ledger entry", "employee", "cost centre", "department", "price table",
            "payment", "receipt", "project", "vehicle", "contract", "budget", "batch",
            "stock movement"]


@dataclass(frozen=True)
class ColumnSpec:
    """One column: name, Firebird type and whether it takes part in keys."""

    name: str
    type: str
    not_null: bool = False
    default: str | None = None


@dataclass
class TableSpec:
    """One table of the synthetic schema, as generated (before any SQL)."""

    name: str
    columns: list[ColumnSpec]
    pk: list[str]
    # (constraint name, local columns, parent table, parent columns)
    fks: list[tuple[str, list[str], str, list[str]]] = field(default_factory=list)
    indices: list[tuple[str, list[str], bool]] = field(default_factory=list)
    checks: list[tuple[str, str]] = field(default_factory=list)
    description: str | None = None
    column_descriptions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SyntheticSummary:
    """What was generated: the figures an extractor should find again."""

    tables: int
    columns: int
    views: int
    view_columns: int
    foreign_keys: int
    composite_foreign_keys: int
    indices: int
    table_descriptions: int
    column_descriptions: int
    rows_per_table: int


def plan_schema(tables: int, columns: int, *, seed: int = 7) -> list[TableSpec]:
    """Generate the table specifications (deterministic for a given seed)."""
    if tables < 1 or columns < 3:
        raise ValueError("need at least 1 table and 3 columns per table")
    rng = random.Random(seed)
    specs: list[TableSpec] = []
    for i in range(tables):
        specs.append(_plan_table(rng, i, columns, specs))
    return specs


def _plan_table(rng: random.Random, i: int, ncols: int, earlier: list[TableSpec]) -> TableSpec:
    module, noun = _MODULES[i % len(_MODULES)], _NOUNS[(i // len(_MODULES)) % len(_NOUNS)]
    name = f"{module}_{noun}_{i + 1:04d}"
    composite_pk = i % 10 == 5
    cols = [ColumnSpec("ID", "INTEGER", not_null=True)]
    if composite_pk:
        cols.append(ColumnSpec("SEQ", "SMALLINT", not_null=True))
    spec = TableSpec(name=name, columns=cols, pk=[c.name for c in cols])

    # Foreign keys to 1–3 earlier tables (from the 4th table on), as long as they fit.
    if i >= 3:
        parents = rng.sample(earlier, k=min(len(earlier), rng.randint(1, 3)))
        for n, parent in enumerate(parents, start=1):
            fk_cols = [f"{p}_{parent.name}" if len(parent.pk) > 1 else f"ID_{parent.name}"
                       for p in parent.pk]
            if len(cols) + len(fk_cols) > ncols - 1:
                break
            cols.extend(ColumnSpec(c, "SMALLINT" if c.startswith("SEQ_") else "INTEGER")
                        for c in fk_cols)
            spec.fks.append((f"FK_{i + 1:04d}_{n}", fk_cols, parent.name, list(parent.pk)))

    filler_types = ["VARCHAR", "NUMERIC(15,2)", "DATE", "TIMESTAMP", "CHAR(1)", "SMALLINT",
                    "BLOB SUB_TYPE TEXT", "INTEGER"]
    k = 0
    while len(cols) < ncols:
        ftype = filler_types[(i + k) % len(filler_types)]
        word = _WORDS[rng.randrange(len(_WORDS))]
        if ftype == "VARCHAR":
            ftype = f"VARCHAR({rng.choice([10, 40, 60, 100, 255])})"
            cname = f"DS_{word}_{k}"
        elif ftype == "CHAR(1)":
            cname = f"SITUACAO_{k}" if k % 2 else f"FL_{word}_{k}"
        else:
            prefix = {"NUMERIC(15,2)": "VL", "DATE": "DT", "TIMESTAMP": "DH", "SMALLINT": "NR",
                      "BLOB SUB_TYPE TEXT": "TX", "INTEGER": "COD"}[ftype]
            cname = f"{prefix}_{word}_{k}"
        not_null = ftype == "CHAR(1)" and k % 2 == 1
        cols.append(ColumnSpec(cname, ftype, not_null=not_null,
                               default="'A'" if not_null else None))
        k += 1

    fillers = cols[len(spec.pk) + sum(len(fk[1]) for fk in spec.fks):]
    indexable = [c for c in fillers if not c.type.startswith("BLOB")]
    if i % 4 == 0 and indexable:
        spec.indices.append((f"IX_{i + 1:04d}_1", [indexable[0].name], False))
    uniquable = [c for c in indexable[1:] if c.type != "CHAR(1)"]
    if i % 25 == 0 and uniquable:
        spec.indices.append((f"UX_{i + 1:04d}_2", [uniquable[0].name], True))
    situacao = [c for c in fillers if c.name.startswith("SITUACAO_")]
    if i % 20 == 0 and situacao:
        spec.checks.append((f"CK_{i + 1:04d}", f"{situacao[0].name} IN ('A', 'I', 'B')"))

    english = _ENGLISH[_NOUNS.index(noun)]
    if rng.random() < 0.4:
        spec.description = f"Synthetic {english} records ({module} module), table {i + 1}."
    for c in cols:
        if rng.random() < 0.2:
            words = c.name.replace("_", " ").lower()
            spec.column_descriptions[c.name] = f"{words} of the {english}"
    return spec


def table_ddl(spec: TableSpec) -> list[str]:
    """The statements that create one table (the table itself, then its indices)."""
    lines = []
    for c in spec.columns:
        line = f"{c.name} {c.type}"
        if c.default:
            line += f" DEFAULT {c.default}"
        if c.not_null:
            line += " NOT NULL"
        lines.append(line)
    lines.append(f"CONSTRAINT PK_{spec.name} PRIMARY KEY ({', '.join(spec.pk)})")
    for name, cols, parent, pcols in spec.fks:
        lines.append(f"CONSTRAINT {name} FOREIGN KEY ({', '.join(cols)}) "
                     f"REFERENCES {parent} ({', '.join(pcols)})")
    for name, expr in spec.checks:
        lines.append(f"CONSTRAINT {name} CHECK ({expr})")
    body = ",\n  ".join(lines)
    stmts = [f"CREATE TABLE {spec.name} (\n  {body}\n)"]
    for name, cols, unique in spec.indices:
        kind = "UNIQUE INDEX" if unique else "INDEX"
        stmts.append(f"CREATE {kind} {name} ON {spec.name} ({', '.join(cols)})")
    return stmts


def comment_ddl(spec: TableSpec) -> list[str]:
    """`COMMENT ON` statements for the table's and its columns' descriptions."""
    stmts = []
    if spec.description:
        stmts.append(f"COMMENT ON TABLE {spec.name} IS '{_sql_str(spec.description)}'")
    for col, text in spec.column_descriptions.items():
        stmts.append(f"COMMENT ON COLUMN {spec.name}.{col} IS '{_sql_str(text)}'")
    return stmts


def view_ddl(specs: list[TableSpec], count: int) -> list[tuple[str, str, int]]:
    """`count` views, each joining a table with the parent of its first FK.

    Returns (view name, statement, number of view columns).
    """
    with_fk = [s for s in specs if s.fks]
    views = []
    step = max(1, len(with_fk) // max(count, 1))
    for n, child in enumerate(with_fk[::step][:count], start=1):
        _, cols, parent, pcols = child.fks[0]
        on = " AND ".join(f"c.{a} = p.{b}" for a, b in zip(cols, pcols, strict=True))
        pick = [c.name for c in child.columns if not c.type.startswith("BLOB")][:4]
        select = ", ".join([f"c.{c}" for c in pick] + [f"p.{pcols[0]} AS PARENT_{pcols[0]}"])
        name = f"V_{child.name}"
        sql = f"CREATE VIEW {name} AS SELECT {select} FROM {child.name} c " \
              f"LEFT JOIN {parent} p ON {on}"
        if n % 2 == 0:
            sql += f" WHERE c.ID > {n}"
        views.append((name, sql, len(pick) + 1))
    return views


def summarize(specs: list[TableSpec], views: int, view_columns: int, rows: int
              ) -> SyntheticSummary:
    """Count what `specs` (and the views) describe."""
    return SyntheticSummary(
        tables=len(specs),
        columns=sum(len(s.columns) for s in specs),
        views=views,
        view_columns=view_columns,
        foreign_keys=sum(len(s.fks) for s in specs),
        composite_foreign_keys=sum(1 for s in specs for fk in s.fks if len(fk[1]) > 1),
        indices=sum(len(s.indices) for s in specs),
        table_descriptions=sum(1 for s in specs if s.description),
        column_descriptions=sum(len(s.column_descriptions) for s in specs),
        rows_per_table=rows,
    )


def build_synthetic(path: Path, tables: int = 1000, columns: int = 20, *, seed: int = 7,
                    rows: int = 0) -> Path:
    """Create the synthetic database at `path` (replacing any file there) and return `path`.

    Also writes a stamp file (`<path>.json`) with the parameters, the generator version,
    the `SyntheticSummary` and the build time, which `cached_synthetic` checks.
    Raises `ValueError` for fewer than 1 table or 3 columns, and the engine's
    `BadInput` when the folder does not exist.
    """
    path = Path(path).resolve()
    started = time.perf_counter()
    specs = plan_schema(tables, columns, seed=seed)
    views = view_ddl(specs, count=max(2, min(20, tables // 50)))
    stamp_path(path).unlink(missing_ok=True)
    con = create_database(path, overwrite=True)
    try:
        _run_batched(con, [s for spec in specs for s in table_ddl(spec)])
        _run_batched(con, [s for spec in specs for s in comment_ddl(spec)])
        _run_batched(con, [sql for _, sql, _ in views])
        if rows:
            _insert_rows(con, specs, rows, seed)
    finally:
        con.close()
    summary = summarize(specs, len(views), sum(n for _, _, n in views), rows)
    stamp = {"params": _params(tables, columns, seed, rows), "summary": asdict(summary),
             "build_seconds": round(time.perf_counter() - started, 2)}
    stamp_path(path).write_text(json.dumps(stamp, indent=2, sort_keys=True) + "\n")
    return path


def cached_synthetic(tables: int = 1000, columns: int = 20, *, seed: int = 7, rows: int = 0,
                     out_dir: Path = OUT_DIR) -> Path:
    """The synthetic database in `out_dir`, built only when missing or made differently."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"synthetic-{tables}x{columns}-s{seed}-r{rows}.fdb"
    stamp = read_stamp(path)
    if path.exists() and stamp and stamp.get("params") == _params(tables, columns, seed, rows):
        return path
    return build_synthetic(path, tables, columns, seed=seed, rows=rows)


def stamp_path(path: Path) -> Path:
    """Where the stamp file of the database at `path` lives."""
    return path.with_name(path.name + ".json")


def read_stamp(path: Path) -> dict | None:
    """The stamp written by `build_synthetic` for `path`, or None if missing or unreadable."""
    try:
        return json.loads(stamp_path(path).read_text())
    except (OSError, ValueError):
        return None


def read_summary(path: Path) -> SyntheticSummary:
    """The `SyntheticSummary` recorded when `path` was built (KeyError-free or ValueError)."""
    stamp = read_stamp(path)
    if not stamp or "summary" not in stamp:
        raise ValueError(f"no synthetic stamp for {path}")
    return SyntheticSummary(**stamp["summary"])


def _params(tables: int, columns: int, seed: int, rows: int) -> dict[str, int]:
    return {"tables": tables, "columns": columns, "seed": seed, "rows": rows,
            "generator_version": GENERATOR_VERSION}


def _run_batched(con, statements: list[str]) -> None:
    # DDL cannot be batched into one statement; committing every COMMIT_EVERY keeps
    # the transaction's metadata work small without paying a commit per statement.
    for n, sql in enumerate(statements, start=1):
        con.execute_immediate(sql)
        if n % COMMIT_EVERY == 0:
            con.commit()
    con.commit()


def _sql_str(text: str) -> str:
    return text.replace("'", "''")


def _insert_rows(con, specs: list[TableSpec], rows: int, seed: int) -> None:
    rng = random.Random(seed * 7919 + rows)
    by_name = {s.name: s for s in specs}
    cur = con.cursor()
    for spec in specs:
        fk_of = {}
        for _, cols, parent, _pcols in spec.fks:
            for c in cols:
                fk_of[c] = by_name[parent]
        data = [_row(rng, spec, r, rows, fk_of) for r in range(1, rows + 1)]
        names = [c.name for c in spec.columns]
        marks = ", ".join("?" for _ in names)
        cur.executemany(f"INSERT INTO {spec.name} ({', '.join(names)}) VALUES ({marks})", data)
    con.commit()


def _row(rng: random.Random, spec: TableSpec, r: int, rows: int,
         fk_of: dict[str, TableSpec]) -> list[object]:
    values: list[object] = []
    unique = {c for _, cols, is_unique in spec.indices if is_unique for c in cols}
    parent_key: dict[str, int] = {}
    for c in spec.columns:
        if c.name == "ID":
            values.append(r)
        elif c.name == "SEQ":
            values.append(1)
        elif c.name in fk_of:
            # Composite parents have (ID, 1) keys; one row id per parent keeps both halves
            # of a composite FK consistent.
            parent = fk_of[c.name].name
            if c.name.startswith("SEQ_"):
                values.append(1)
            else:
                parent_key.setdefault(parent, rng.randint(1, rows))
                values.append(parent_key[parent])
        elif c.name in unique:
            values.append(_unique_value(c, r))
        else:
            values.append(_value(rng, c, r))
    return values


def _unique_value(c: ColumnSpec, r: int) -> object:
    # Columns under a UNIQUE index get a value derived from the row number.
    t = c.type
    if t.startswith("DATE"):
        return dt.date(2020, 1, 1) + dt.timedelta(days=r)
    if t == "TIMESTAMP":
        return dt.datetime(2020, 1, 1) + dt.timedelta(seconds=r)
    if t.startswith("VARCHAR"):
        return str(r)
    return r


def _value(rng: random.Random, c: ColumnSpec, r: int) -> object:
    t = c.type
    if t == "INTEGER":
        return rng.randint(0, 100_000)
    if t == "SMALLINT":
        return rng.randint(0, 300)
    if t.startswith("VARCHAR"):
        size = int(t[8:-1])
        return f"{c.name.lower()} {r}"[:size]
    if t.startswith("NUMERIC"):
        return Decimal(rng.randint(0, 10_000_000)) / 100
    if t == "DATE":
        return dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 1500))
    if t == "TIMESTAMP":
        return dt.datetime(2020, 1, 1) + dt.timedelta(seconds=rng.randint(0, 10**8))
    if t == "CHAR(1)":
        return rng.choice("AIB")
    if t.startswith("BLOB"):
        return f"observacao {r} de {c.name.lower()}"
    raise ValueError(f"no value generator for {t}")


def main(argv: list[str] | None = None) -> None:
    """Command line: build (or reuse) a synthetic database and print its stamp."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None,
                        help="database file to (re)build; default: cached in bench/out/")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.out:
        path = build_synthetic(args.out, args.tables, args.columns, seed=args.seed,
                               rows=args.rows)
    else:
        path = cached_synthetic(args.tables, args.columns, seed=args.seed, rows=args.rows)
    print(path)
    print(json.dumps(read_stamp(path), indent=2, sort_keys=True))
    print(f"took {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
