"""Extract the technical schema from Firebird's RDB$ system tables.

Every query is in `QUERIES` and each runs exactly once, whatever the number of tables:
a database with 2,000 tables costs the same dozen round trips as one with 5. Rows are
grouped per table in Python. Everything is sorted by name (columns by position, key
columns by segment order) so an unchanged database re-extracts to identical JSON,
apart from `extracted_at`.

RDB$ names are CHAR-padded (trimmed here); flags are often NULL where "0" is meant
(treated as false); BLOB sources have CRLF normalised and surrounding whitespace cut.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from firebird.driver import Connection, Cursor, DatabaseError
from firebird.driver.core import BlobReader

from schemachat.ingest.fbtypes import firebird_type, trigger_event
from schemachat.ingest.firebird import read_only
from schemachat.ingest.models.technical import (
    CheckConstraint,
    Column,
    DatabaseInfo,
    Domain,
    ForeignKey,
    Generator,
    Index,
    Parameter,
    PrimaryKey,
    Procedure,
    Relation,
    TechnicalSchema,
    Trigger,
    UniqueConstraint,
)

Row = Sequence[Any]

# The type columns of RDB$FIELDS f, plus character set cs and collation co, in the order
# `_type_of` reads them. Shared by columns, parameters and domains.
_TYPE_COLUMNS = """f.rdb$field_type, f.rdb$field_sub_type, f.rdb$field_length,
  f.rdb$character_length, f.rdb$field_precision, f.rdb$field_scale,
  f.rdb$segment_length, cs.rdb$character_set_name, co.rdb$collation_name,
  cs.rdb$default_collate_name"""


def _charset_joins(collation_override: str) -> str:
    # A column's own COLLATE (RDB$RELATION_FIELDS / RDB$PROCEDURE_PARAMETERS) wins over
    # its domain's.
    return f"""
left join rdb$character_sets cs on cs.rdb$character_set_id = f.rdb$character_set_id
left join rdb$collations co on co.rdb$character_set_id = f.rdb$character_set_id
  and co.rdb$collation_id = coalesce({collation_override}, f.rdb$collation_id)"""


#: Every statement `extract_schema` runs, each exactly once, in this order.
QUERIES: dict[str, str] = {
    "database": """
select d.rdb$character_set_name, d.rdb$description,
  rdb$get_context('SYSTEM', 'ENGINE_VERSION')
from rdb$database d""",
    # MON$ tables may be unreadable (old servers, odd grants): the ODS is then None.
    "ods": "select mon$ods_major, mon$ods_minor from mon$database",
    "relations": """
select r.rdb$relation_name, r.rdb$relation_type, r.rdb$view_blr is not null,
  r.rdb$external_file, r.rdb$view_source, r.rdb$description
from rdb$relations r
where coalesce(r.rdb$system_flag, 0) = 0""",
    "columns": f"""
select rf.rdb$relation_name, rf.rdb$field_name, rf.rdb$field_position,
  rf.rdb$field_source, rf.rdb$null_flag, f.rdb$null_flag,
  rf.rdb$default_source, f.rdb$default_source, f.rdb$computed_source,
  rf.rdb$description, {_TYPE_COLUMNS}
from rdb$relation_fields rf
join rdb$relations r on r.rdb$relation_name = rf.rdb$relation_name
join rdb$fields f on f.rdb$field_name = rf.rdb$field_source{_charset_joins("rf.rdb$collation_id")}
where coalesce(r.rdb$system_flag, 0) = 0""",
    # PK, UNIQUE and FK with their key columns; for an FK the referenced table and
    # columns come from the unique index it points at (RDB$INDICES.RDB$FOREIGN_KEY),
    # matched segment by segment.
    "keys": """
select rc.rdb$constraint_name, rc.rdb$constraint_type, rc.rdb$relation_name,
  s.rdb$field_name, s.rdb$field_position, ri.rdb$relation_name, rs.rdb$field_name,
  ref.rdb$update_rule, ref.rdb$delete_rule
from rdb$relation_constraints rc
join rdb$relations r on r.rdb$relation_name = rc.rdb$relation_name
join rdb$indices i on i.rdb$index_name = rc.rdb$index_name
join rdb$index_segments s on s.rdb$index_name = i.rdb$index_name
left join rdb$ref_constraints ref on ref.rdb$constraint_name = rc.rdb$constraint_name
left join rdb$indices ri on ri.rdb$index_name = i.rdb$foreign_key
left join rdb$index_segments rs on rs.rdb$index_name = ri.rdb$index_name
  and rs.rdb$field_position = s.rdb$field_position
where rc.rdb$constraint_type in ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
  and coalesce(r.rdb$system_flag, 0) = 0""",
    # Each CHECK has two triggers (before insert, before update) with the same source;
    # duplicates are dropped in Python (DISTINCT cannot compare BLOBs).
    "checks": """
select rc.rdb$constraint_name, rc.rdb$relation_name, t.rdb$trigger_source
from rdb$relation_constraints rc
join rdb$check_constraints cc on cc.rdb$constraint_name = rc.rdb$constraint_name
join rdb$triggers t on t.rdb$trigger_name = cc.rdb$trigger_name
where rc.rdb$constraint_type = 'CHECK'
order by t.rdb$trigger_type""",
    "indices": """
select i.rdb$index_name, i.rdb$relation_name, i.rdb$unique_flag, i.rdb$index_type,
  i.rdb$index_inactive, i.rdb$expression_source, s.rdb$field_name,
  s.rdb$field_position, rc.rdb$constraint_name
from rdb$indices i
join rdb$relations r on r.rdb$relation_name = i.rdb$relation_name
left join rdb$index_segments s on s.rdb$index_name = i.rdb$index_name
left join rdb$relation_constraints rc on rc.rdb$index_name = i.rdb$index_name
where coalesce(r.rdb$system_flag, 0) = 0 and coalesce(i.rdb$system_flag, 0) = 0""",
    # System triggers, FK action triggers (flag 4) and CHECK triggers (flag 3, and
    # listed in RDB$CHECK_CONSTRAINTS) are the engine's business, not the user's.
    "triggers": """
select t.rdb$trigger_name, t.rdb$relation_name, t.rdb$trigger_type,
  t.rdb$trigger_sequence, t.rdb$trigger_inactive, t.rdb$trigger_source, t.rdb$description
from rdb$triggers t
where coalesce(t.rdb$system_flag, 0) = 0
  and not exists (select 1 from rdb$check_constraints cc
                  where cc.rdb$trigger_name = t.rdb$trigger_name)""",
    # Packaged procedures are left out: the model has no package to put them in.
    "procedures": """
select p.rdb$procedure_name, p.rdb$procedure_type, p.rdb$procedure_source,
  p.rdb$description
from rdb$procedures p
where coalesce(p.rdb$system_flag, 0) = 0 and p.rdb$package_name is null""",
    "parameters": f"""
select pp.rdb$procedure_name, pp.rdb$parameter_name, pp.rdb$parameter_type,
  pp.rdb$parameter_number, pp.rdb$null_flag, f.rdb$null_flag,
  pp.rdb$default_source, f.rdb$default_source, pp.rdb$description, {_TYPE_COLUMNS}
from rdb$procedure_parameters pp
join rdb$procedures p on p.rdb$procedure_name = pp.rdb$procedure_name
  and p.rdb$package_name is null
join rdb$fields f on f.rdb$field_name = pp.rdb$field_source{_charset_joins("pp.rdb$collation_id")}
where coalesce(p.rdb$system_flag, 0) = 0 and pp.rdb$package_name is null""",
    # Identity columns' sequences are system objects (flag 6) and left out.
    "generators": """
select g.rdb$generator_name, g.rdb$description
from rdb$generators g
where coalesce(g.rdb$system_flag, 0) = 0""",
    # Implicit domains (one per column with an inline type) are named RDB$nnn.
    "domains": f"""
select f.rdb$field_name, f.rdb$null_flag, f.rdb$default_source,
  f.rdb$validation_source, f.rdb$description, {_TYPE_COLUMNS}
from rdb$fields f{_charset_joins("null")}
where coalesce(f.rdb$system_flag, 0) = 0 and f.rdb$field_name not starting 'RDB$'""",
}

_RELATION_KINDS = {0: "table", 1: "view", 2: "external", 4: "gtt", 5: "gtt"}
_GTT_ON_COMMIT = {4: "PRESERVE ROWS", 5: "DELETE ROWS"}
_PROCEDURE_KINDS = {1: "selectable", 2: "executable"}
_DEFAULT_KEYWORD = re.compile(r"^\s*(?:DEFAULT\b|=)\s*", re.IGNORECASE)
# firebird-driver returns BLOBs above this size as BlobReader streams; sources are
# small, so have them all materialised.
_BLOB_THRESHOLD = 64 * 1024 * 1024


def extract_schema(con: Connection, *, database_name: str) -> TechnicalSchema:
    """Read the whole technical schema of the database behind `con`.

    Runs the fixed set of `QUERIES` (each once) in a read-only transaction, so it
    changes nothing. `database_name` is recorded as `DatabaseInfo.name` as given:
    pass a file name or `host:path`, never credentials.
    """
    extracted_at = datetime.now(UTC)
    with read_only(con) as tra:
        cur = tra.cursor()
        cur.stream_blob_threshold = _BLOB_THRESHOLD
        try:
            rows = {key: _fetch(cur, key) for key in QUERIES}
        finally:
            cur.close()
    return build_schema(rows, database_name=database_name, extracted_at=extracted_at,
                        dialect=con.info.sql_dialect)


def _fetch(cur: Cursor, key: str) -> list[tuple[Any, ...]]:
    try:
        cur.execute(QUERIES[key])
    except DatabaseError:
        if key == "ods":
            return []
        raise
    # Read BLOBs while the cursor is open: a BlobReader dies with its cursor.
    return [tuple(_value(v) for v in row) for row in cur.fetchall()]


def _value(value: Any) -> Any:
    if isinstance(value, BlobReader):
        try:
            return value.read()
        finally:
            value.close()
    return value


def build_schema(
    rows: dict[str, list[tuple[Any, ...]]], *, database_name: str, extracted_at: datetime,
    dialect: int | None = None,
) -> TechnicalSchema:
    """Assemble the model from the rows of each of `QUERIES` (keyed as there) and the
    database's SQL `dialect` (the attachment's, not a query's)."""
    database = _database(rows["database"], rows["ods"], database_name, dialect)
    db_charset = database.charset
    columns = _columns(rows["columns"], db_charset)
    keys = _keys(rows["keys"])
    checks = _checks(rows["checks"])
    indices = _indices(rows["indices"])
    tables: list[Relation] = []
    views: list[Relation] = []
    for name, rel_type, has_blr, ext_file, view_source, description in rows["relations"]:
        name = _name(name)
        kind = _relation_kind(rel_type, has_blr, ext_file)
        pk, fks, uniques = keys.get(name, (None, [], []))
        relation = Relation(
            name=name,
            kind=kind,  # type: ignore[arg-type]
            description=_text(description),
            columns=columns.get(name, []),
            primary_key=pk,
            foreign_keys=sorted(fks, key=lambda c: c.name),
            unique_constraints=sorted(uniques, key=lambda c: c.name),
            check_constraints=sorted(checks.get(name, []), key=lambda c: c.name),
            indices=sorted(indices.get(name, []), key=lambda i: i.name),
            view_source=_text(view_source) if kind == "view" else None,
            external_file=_text(ext_file),
            on_commit=_GTT_ON_COMMIT.get(rel_type),  # type: ignore[arg-type]
        )
        (views if kind == "view" else tables).append(relation)
    return TechnicalSchema(
        extracted_at=extracted_at,
        database=database,
        tables=sorted(tables, key=lambda r: r.name),
        views=sorted(views, key=lambda r: r.name),
        triggers=_triggers(rows["triggers"]),
        procedures=_procedures(rows["procedures"], rows["parameters"], db_charset),
        generators=sorted(
            (Generator(name=_name(n), description=_text(d)) for n, d in rows["generators"]),
            key=lambda g: g.name,
        ),
        domains=_domains(rows["domains"], db_charset),
        fk_reference_counts=_fk_reference_counts(keys.values()),
    )


# --- value helpers -----------------------------------------------------------------


def _name(value: Any) -> str:
    # RDB$ names are CHAR(63): padded with spaces on the right.
    return str(value).rstrip()


def _opt_name(value: Any) -> str | None:
    return _name(value) if value is not None and str(value).strip() else None


def _text(value: Any) -> str | None:
    """A BLOB source or description: LF line ends, no surrounding whitespace, None if
    empty."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def _default(column_default: Any, domain_default: Any = None) -> str | None:
    # The column's DEFAULT overrides its domain's; the keyword itself is dropped.
    source = _text(column_default) or _text(domain_default)
    return _DEFAULT_KEYWORD.sub("", source, count=1) if source else None


def _flag(value: Any) -> bool:
    # NULL in a flag column means "not set".
    return bool(value)


def unwrap_parens(source: str) -> str:
    """`(QTD * PRECO)` -> `QTD * PRECO`: drop one pair of parentheses that encloses the
    whole expression (as Firebird stores COMPUTED BY and index expressions)."""
    text = source.strip()
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0 and i != len(text) - 1:
                return text  # `(a) + (b)`: the first paren closes early
    return text[1:-1].strip()


def _type_of(row: Row, db_charset: str | None) -> tuple[str, str | None, str | None]:
    """(type, charset, collation) from the `_TYPE_COLUMNS` part of a row; collation
    only when it is not the character set's default."""
    ftype, sub, length, char_len, precision, scale, segment, cs, co, default_co = row
    charset = _opt_name(cs)
    collation = _opt_name(co)
    if collation is not None and collation == _opt_name(default_co):
        collation = None
    spelled = firebird_type(ftype, sub, length, char_len, precision, scale, charset,
                            db_charset, segment)
    return spelled, charset, collation


def _domain_name(field_source: Any) -> str | None:
    name = _name(field_source)
    return None if name.startswith("RDB$") else name


# --- sections ----------------------------------------------------------------------


def _database(row: list[Row], ods_rows: list[Row], name: str,
              dialect: int | None) -> DatabaseInfo:
    charset, description, version = row[0]
    ods = f"{ods_rows[0][0]}.{ods_rows[0][1]}" if ods_rows else None
    return DatabaseInfo(name=name, engine_version=_opt_name(version),
                        charset=_opt_name(charset), ods=ods, dialect=dialect,
                        description=_text(description))


def _relation_kind(rel_type: int | None, has_blr: bool, ext_file: Any) -> str:
    if rel_type is not None:
        return _RELATION_KINDS.get(rel_type, "table")
    # Before RDB$RELATION_TYPE existed (ODS < 11.1) the kind shows in other columns.
    if has_blr:
        return "view"
    return "external" if ext_file else "table"


def _columns(rows: list[Row], db_charset: str | None) -> dict[str, list[Column]]:
    by_table: dict[str, list[Column]] = defaultdict(list)
    for row in rows:
        (table, name, position, source, null_flag, domain_null, default, domain_default,
         computed, description) = row[:10]
        spelled, charset, collation = _type_of(row[10:], db_charset)
        computed_text = _text(computed)
        by_table[_name(table)].append(Column(
            name=_name(name),
            position=position or 0,
            type=spelled,
            nullable=not (_flag(null_flag) or _flag(domain_null)),
            default=_default(default, domain_default),
            domain=_domain_name(source),
            computed=unwrap_parens(computed_text) if computed_text else None,
            charset=charset,
            collation=collation,
            description=_text(description),
        ))
    return {t: sorted(cols, key=lambda c: (c.position, c.name)) for t, cols in by_table.items()}


_Keys = tuple[PrimaryKey | None, list[ForeignKey], list[UniqueConstraint]]


def _keys(rows: list[Row]) -> dict[str, _Keys]:
    # constraint -> (type, table, [(segment position, column, ref table, ref column)], rules)
    segments: dict[str, list[tuple[int, str, str | None, str | None]]] = defaultdict(list)
    heads: dict[str, tuple[str, str, str | None, str | None]] = {}
    for name, ctype, table, column, pos, ref_table, ref_column, on_upd, on_del in rows:
        key = _name(name)
        heads[key] = (_name(ctype), _name(table), _opt_name(on_upd), _opt_name(on_del))
        segments[key].append((pos or 0, _name(column), _opt_name(ref_table),
                              _opt_name(ref_column)))
    result: dict[str, _Keys] = {}
    for key in sorted(heads):
        ctype, table, on_update, on_delete = heads[key]
        segs = sorted(segments[key])
        cols = [s[1] for s in segs]
        pk, fks, uniques = result.get(table, (None, [], []))
        if ctype == "PRIMARY KEY":
            pk = PrimaryKey(name=key, columns=cols)
        elif ctype == "UNIQUE":
            uniques.append(UniqueConstraint(name=key, columns=cols))
        else:
            fks.append(ForeignKey(
                name=key, columns=cols, ref_table=segs[0][2] or "",
                ref_columns=[s[3] or "" for s in segs],
                on_update=on_update or "RESTRICT", on_delete=on_delete or "RESTRICT",
            ))
        result[table] = (pk, fks, uniques)
    return result


def _checks(rows: list[Row]) -> dict[str, list[CheckConstraint]]:
    seen: set[str] = set()
    by_table: dict[str, list[CheckConstraint]] = defaultdict(list)
    for name, table, source in rows:
        key = _name(name)
        if key in seen:
            continue
        seen.add(key)
        by_table[_name(table)].append(CheckConstraint(name=key, source=_text(source) or ""))
    return by_table


def _indices(rows: list[Row]) -> dict[str, list[Index]]:
    heads: dict[str, tuple[str, Row]] = {}
    segments: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in rows:
        name, table = _name(row[0]), _name(row[1])
        heads[name] = (table, row)
        if row[6] is not None:
            segments[name].append((row[7] or 0, _name(row[6])))
    by_table: dict[str, list[Index]] = defaultdict(list)
    for name, (table, row) in heads.items():
        _, _, unique, index_type, inactive, expression, _, _, constraint = row
        expression_text = _text(expression)
        by_table[table].append(Index(
            name=name,
            columns=[c for _, c in sorted(segments[name])],
            expression=unwrap_parens(expression_text) if expression_text else None,
            unique=_flag(unique),
            descending=index_type == 1,
            active=not _flag(inactive),
            constraint=_opt_name(constraint),
        ))
    return by_table


def _triggers(rows: list[Row]) -> list[Trigger]:
    triggers = [
        Trigger(
            name=_name(name), table=_opt_name(table), event=trigger_event(ttype or 0),
            position=position or 0, active=not _flag(inactive), source=_text(source),
            description=_text(description),
        )
        for name, table, ttype, position, inactive, source, description in rows
    ]
    return sorted(triggers, key=lambda t: t.name)


def _procedures(
    rows: list[Row], param_rows: list[Row], db_charset: str | None
) -> list[Procedure]:
    params: dict[tuple[str, int], list[Parameter]] = defaultdict(list)
    for row in param_rows:
        (proc, name, direction, number, null_flag, domain_null, default, domain_default,
         description) = row[:9]
        spelled, _, _ = _type_of(row[9:], db_charset)
        params[(_name(proc), direction or 0)].append(Parameter(
            name=_name(name), position=number or 0, type=spelled,
            nullable=not (_flag(null_flag) or _flag(domain_null)),
            default=_default(default, domain_default), description=_text(description),
        ))
    procedures = []
    for name, ptype, source, description in rows:
        key = _name(name)
        procedures.append(Procedure(
            name=key,
            kind=_PROCEDURE_KINDS.get(ptype, "unknown"),  # type: ignore[arg-type]
            inputs=sorted(params.get((key, 0), []), key=lambda p: p.position),
            outputs=sorted(params.get((key, 1), []), key=lambda p: p.position),
            source=_text(source),
            description=_text(description),
        ))
    return sorted(procedures, key=lambda p: p.name)


def _domains(rows: list[Row], db_charset: str | None) -> list[Domain]:
    domains = []
    for row in rows:
        name, null_flag, default, check, description = row[:5]
        spelled, _, _ = _type_of(row[5:], db_charset)
        domains.append(Domain(
            name=_name(name), type=spelled, nullable=not _flag(null_flag),
            default=_default(default), check=_text(check), description=_text(description),
        ))
    return sorted(domains, key=lambda d: d.name)


def _fk_reference_counts(keys: Iterable[_Keys]) -> dict[str, int]:
    # Every FK segment counts: a composite FK references each of its columns once.
    counts: Counter[str] = Counter()
    for _, fks, _ in keys:
        for fk in fks:
            counts.update(f"{fk.ref_table}.{col}" for col in fk.ref_columns)
    return dict(sorted(counts.items()))
