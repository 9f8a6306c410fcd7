"""Extraction from RDB$ against a small real database holding every object kind once
(tests/data/mini_schema.sql), checked object by object; plus the pure type speller."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from firebird.driver import (
    Connection,
    Cursor,
    DatabaseError,
    DbAccessMode,
    connect,
    connect_server,
)
from firebird.driver.core import BlobReader

from schemachat.ingest import extract as extract_mod
from schemachat.ingest.extract import QUERIES, extract_schema, unwrap_parens
from schemachat.ingest.fbtypes import firebird_type, trigger_event
from schemachat.ingest.firebird import create_database, ensure_client
from schemachat.ingest.models.technical import Relation, TechnicalSchema
from schemachat.ingest.workspace import dump_model
from tests.support.paths import DATA_DIR

DATA = DATA_DIR
TYPES = json.loads((DATA / "fbtypes.json").read_text(encoding="utf-8"))
# Built in Python, not in the .sql file: reading a file folds CRLF, and 100 kB of
# source is better generated than stored.
LONG_SOURCE_LINES = 4000


def sql_statements(text: str) -> Iterator[str]:
    """Split a script into statements, honouring isql's `SET TERM x ;`."""
    term, buf = ";", []
    for line in text.splitlines():
        stripped = line.strip()
        if not buf and (not stripped or stripped.startswith("--")):
            continue
        set_term = re.fullmatch(r"SET\s+TERM\s+(\S+)\s+" + re.escape(term), stripped, re.I)
        if set_term and not buf:
            term = set_term.group(1)
            continue
        buf.append(line)
        if stripped.endswith(term):
            yield "\n".join(buf).rstrip()[: -len(term)].rstrip()
            buf = []
    assert not "".join(buf).strip(), f"unterminated statement: {buf}"


def run_script(con: Connection, statements: list[str]) -> None:
    """Execute statements one by one, committing each (DDL is visible only after)."""
    for statement in statements:
        with con.cursor() as cur:
            cur.execute(statement)
        con.commit()


def extra_statements() -> list[str]:
    long_body = "\n".join(f"  -- line {i:05d} of a long procedure"
                          for i in range(LONG_SOURCE_LINES))
    return [
        "COMMENT ON TABLE LOG_EVENTO IS 'Event log\r\nsecond line   \r\n'",
        f"CREATE PROCEDURE SP_LONGA AS\nBEGIN\n{long_body}\nEND",
    ]


def build_mini(path: Path, extra_tables: int = 0) -> Path:
    """The mini DB, optionally with `extra_tables` more tables (each with PK, FK,
    index, trigger and comment) to show the query count does not grow."""
    statements = [*sql_statements((DATA / "mini_schema.sql").read_text(encoding="utf-8")),
                  *extra_statements()]
    for i in range(extra_tables):
        statements += [
            f"CREATE TABLE EXTRA_{i} (ID INTEGER NOT NULL PRIMARY KEY, "
            f"CLI_COD INTEGER REFERENCES CLIENTE, NOME VARCHAR(10), CONSTRAINT CK_EXTRA_{i} "
            "CHECK (ID > 0))",
            f"CREATE INDEX IDX_EXTRA_{i} ON EXTRA_{i} (NOME)",
            f"COMMENT ON TABLE EXTRA_{i} IS 'extra {i}'",
            f"CREATE TRIGGER TRG_EXTRA_{i} FOR EXTRA_{i} BEFORE UPDATE AS BEGIN END",
            f"CREATE SEQUENCE GEN_EXTRA_{i}",
        ]
    con = create_database(path)
    try:
        run_script(con, statements)
    finally:
        con.close()
    return path


def open_db(path: Path) -> Connection:
    ensure_client()
    return connect(str(path), user="SYSDBA", charset="UTF8")


@pytest.fixture(scope="module")
def mini_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_mini(tmp_path_factory.mktemp("extract") / "mini.fdb")


@pytest.fixture(scope="module")
def con(mini_db: Path) -> Iterator[Connection]:
    connection = open_db(mini_db)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def schema(con: Connection) -> TechnicalSchema:
    return extract_schema(con, database_name="mini.fdb")


def rel(schema: TechnicalSchema, name: str) -> Relation:
    found = schema.relation(name)
    assert found is not None, f"{name} not extracted"
    return found


# --- fbtypes: pure, table-driven -----------------------------------------------------


@pytest.mark.parametrize("case", TYPES["cases"], ids=[c["expected"] for c in TYPES["cases"]])
def test_firebird_type_cases(case: dict[str, Any]) -> None:
    assert firebird_type(*case["args"]) == case["expected"], case["why"]


@pytest.mark.parametrize(("code", "expected"), sorted(TYPES["trigger_events"].items()))
def test_trigger_event(code: str, expected: str) -> None:
    assert trigger_event(int(code)) == expected


@pytest.mark.parametrize(("source", "expected"), [
    ("(QTD * PRECO)", "QTD * PRECO"),
    ("(UPPER(CLI_NOME))", "UPPER(CLI_NOME)"),
    ("(A) + (B)", "(A) + (B)"),
    ("(')' || X)", "')' || X"),
    ("A + B", "A + B"),
])
def test_unwrap_parens(source: str, expected: str) -> None:
    assert unwrap_parens(source) == expected


# --- the mini database, object by object ---------------------------------------------


@pytest.mark.parametrize(("column", "expected"), sorted(TYPES["columns"].items()))
def test_column_types(schema: TechnicalSchema, column: str, expected: str) -> None:
    table, name = column.split(".")
    col = rel(schema, table).column(name)
    assert col is not None, column
    assert col.type == expected


def test_database_info(schema: TechnicalSchema) -> None:
    db = schema.database
    assert db.name == "mini.fdb"
    assert db.charset == "UTF8"
    assert db.engine_version and db.engine_version.startswith("5.")
    assert db.ods and re.fullmatch(r"\d+\.\d+", db.ods)
    assert db.description == "Mini ERP for extraction tests"


def test_relations_and_kinds(schema: TechnicalSchema) -> None:
    assert [t.name for t in schema.tables] == [
        "CATEGORIA", "CLIENTE", "LOG_EVENTO", "PEDIDO", "PEDIDO_ITEM", "TIPOS", "TMP_SELECAO"]
    assert {t.name: t.kind for t in schema.tables}["TMP_SELECAO"] == "gtt"
    assert rel(schema, "TMP_SELECAO").on_commit == "DELETE ROWS"
    assert all(t.kind == "table" for t in schema.tables if t.name != "TMP_SELECAO")
    assert all(t.on_commit is None for t in schema.tables if t.name != "TMP_SELECAO")
    assert [v.name for v in schema.views] == ["V_PEDIDO_CLIENTE"]
    assert not any(r.name.startswith(("RDB$", "MON$", "SEC$")) for r in schema.relations())


def test_view(schema: TechnicalSchema) -> None:
    view = rel(schema, "V_PEDIDO_CLIENTE")
    assert view.kind == "view"
    assert view.description == "Orders with customer name"
    assert view.view_source == (
        "SELECT p.NUMERO, c.CLI_NOME, p.TOTAL\nFROM PEDIDO p\n"
        "JOIN CLIENTE c ON c.CLI_COD = p.CLI_COD"
    )
    assert [c.name for c in view.columns] == ["NUMERO", "CLI_NOME", "TOTAL"]
    assert view.primary_key is None and not view.indices


def test_columns_in_position_order(schema: TechnicalSchema) -> None:
    for relation in schema.relations():
        assert [c.position for c in relation.columns] == list(range(len(relation.columns)))
    assert [c.name for c in rel(schema, "PEDIDO").columns] == [
        "EMPRESA", "NUMERO", "CLI_COD", "EMISSAO", "TOTAL"]


# (table.column, nullable, default, domain, charset, collation, description)
COLUMN_DETAILS = [
    ("CLIENTE.CLI_COD", False, None, None, None, None, "Customer code"),
    ("CLIENTE.CLI_NOME", False, None, None, "UTF8", None, None),
    # NOT NULL and DEFAULT from the domain; WIN1252's default collation is not recorded
    ("CLIENTE.CLI_SITUACAO", False, "'A'", "D_SITUACAO", "WIN1252", None,
     "A = active, I = inactive"),
    # the column's DEFAULT 100 overrides the domain's DEFAULT 0
    ("CLIENTE.CLI_LIMITE", True, "100", "D_VALOR", None, None, None),
    ("CLIENTE.CLI_EMAIL", True, None, None, "UTF8", None, None),
    ("PEDIDO.EMISSAO", True, "CURRENT_DATE", None, None, None, None),
    ("CATEGORIA.CAT_NOME", True, None, None, "WIN1252", "WIN_PTBR", None),
    ("TIPOS.T_BLOB_BINARY", True, None, None, None, None, None),
    ("TIPOS.T_VARCHAR_OCTETS", True, None, None, "OCTETS", None, None),
    ("PEDIDO_ITEM.VALOR", True, None, None, None, None, "QTD times PRECO"),
    ("V_PEDIDO_CLIENTE.CLI_NOME", True, None, None, "UTF8", None, None),
]


@pytest.mark.parametrize("row", COLUMN_DETAILS, ids=[r[0] for r in COLUMN_DETAILS])
def test_column_details(schema: TechnicalSchema, row: tuple[Any, ...]) -> None:
    column, nullable, default, domain, charset, collation, description = row
    table, name = column.split(".")
    col = rel(schema, table).column(name)
    assert col is not None
    assert (col.nullable, col.default, col.domain, col.charset, col.collation,
            col.description) == (nullable, default, domain, charset, collation, description)


def test_computed_column(schema: TechnicalSchema) -> None:
    valor = rel(schema, "PEDIDO_ITEM").column("VALOR")
    assert valor is not None and valor.computed == "QTD * PRECO"
    assert all(c.computed is None for c in rel(schema, "PEDIDO_ITEM").columns[:-1])


def test_primary_keys(schema: TechnicalSchema) -> None:
    pks = {r.name: r.primary_key for r in schema.tables}
    assert pks["CLIENTE"] is not None and pks["CLIENTE"].columns == ["CLI_COD"]
    assert pks["PEDIDO"] is not None and pks["PEDIDO"].columns == ["EMPRESA", "NUMERO"]
    # composite, in declared (segment) order, not column order
    item_pk = pks["PEDIDO_ITEM"]
    assert item_pk is not None
    assert (item_pk.name, item_pk.columns) == ("PK_PEDIDO_ITEM", ["NUMERO", "EMPRESA", "ITEM"])
    assert pks["LOG_EVENTO"] is None and pks["TIPOS"] is None


def test_foreign_keys(schema: TechnicalSchema) -> None:
    (fk,) = rel(schema, "PEDIDO_ITEM").foreign_keys
    assert fk.model_dump() == {
        "name": "FK_ITEM_PEDIDO", "columns": ["EMPRESA", "NUMERO"], "ref_table": "PEDIDO",
        "ref_columns": ["EMPRESA", "NUMERO"], "on_update": "CASCADE", "on_delete": "CASCADE",
    }
    (fk,) = rel(schema, "PEDIDO").foreign_keys
    assert (fk.name, fk.columns, fk.ref_table, fk.ref_columns, fk.on_update, fk.on_delete) == (
        "FK_PEDIDO_CLIENTE", ["CLI_COD"], "CLIENTE", ["CLI_COD"], "RESTRICT", "RESTRICT")
    (self_ref,) = rel(schema, "CATEGORIA").foreign_keys
    assert (self_ref.columns, self_ref.ref_table, self_ref.ref_columns, self_ref.on_delete) == (
        ["CAT_PAI"], "CATEGORIA", ["CAT_ID"], "SET NULL")


def test_unique_and_check_constraints(schema: TechnicalSchema) -> None:
    assert [(u.name, u.columns) for u in rel(schema, "CLIENTE").unique_constraints] == [
        ("UQ_CLIENTE_EMAIL", ["CLI_EMAIL"])]
    # one entry although Firebird keeps two triggers per CHECK
    assert [(c.name, c.source) for c in rel(schema, "PEDIDO_ITEM").check_constraints] == [
        ("CK_ITEM_QTD", "CHECK (QTD > 0)")]
    # NOT NULL constraints live in the same RDB$ tables and must not show up as CHECKs
    assert not rel(schema, "CLIENTE").check_constraints


def test_indices(schema: TechnicalSchema) -> None:
    def index(table: str, name: str) -> dict[str, Any]:
        found = {i.name: i for i in rel(schema, table).indices}
        return found[name].model_dump()

    assert index("PEDIDO", "IDX_PEDIDO_EMISSAO") == {
        "name": "IDX_PEDIDO_EMISSAO", "columns": ["EMISSAO"], "expression": None,
        "unique": False, "descending": True, "active": True, "constraint": None}
    assert index("CLIENTE", "IDX_CLIENTE_NOME_UP") == {
        "name": "IDX_CLIENTE_NOME_UP", "columns": [], "expression": "UPPER(CLI_NOME)",
        "unique": False, "descending": False, "active": True, "constraint": None}
    assert index("LOG_EVENTO", "IDX_LOG_MOMENTO") == {
        "name": "IDX_LOG_MOMENTO", "columns": ["MOMENTO", "TEXTO"], "expression": None,
        "unique": False, "descending": False, "active": False, "constraint": None}
    assert index("TIPOS", "UQ_IDX_TIPOS")["unique"] is True
    assert index("PEDIDO_ITEM", "PK_PEDIDO_ITEM")["constraint"] == "PK_PEDIDO_ITEM"
    assert index("PEDIDO_ITEM", "PK_PEDIDO_ITEM")["columns"] == ["NUMERO", "EMPRESA", "ITEM"]
    assert index("PEDIDO_ITEM", "FK_ITEM_PEDIDO")["constraint"] == "FK_ITEM_PEDIDO"
    names = [i.name for i in rel(schema, "CLIENTE").indices]
    assert names == sorted(names)


def test_triggers(schema: TechnicalSchema) -> None:
    by_name = {t.name: t for t in schema.triggers}
    # user triggers only: no CHECK_n (constraint) or FK action triggers
    assert sorted(by_name) == ["TRG_CLIENTE_BI", "TRG_CONNECT", "TRG_PEDIDO_BIU"]
    bi = by_name["TRG_CLIENTE_BI"]
    assert (bi.table, bi.event, bi.position, bi.active) == ("CLIENTE", "BEFORE INSERT", 0, True)
    assert bi.description == "Fills CLI_COD from GEN_CLIENTE"
    assert bi.source is not None and bi.source.startswith("AS\nBEGIN")
    assert "NEXT VALUE FOR GEN_CLIENTE" in bi.source
    biu = by_name["TRG_PEDIDO_BIU"]
    assert (biu.table, biu.event, biu.position, biu.active) == (
        "PEDIDO", "BEFORE INSERT OR UPDATE", 5, False)
    db_trigger = by_name["TRG_CONNECT"]
    assert (db_trigger.table, db_trigger.event) == (None, "ON CONNECT")


def test_procedures(schema: TechnicalSchema) -> None:
    by_name = {p.name: p for p in schema.procedures}
    assert sorted(by_name) == ["SP_INATIVA_CLIENTE", "SP_LONGA", "SP_PEDIDOS_CLIENTE"]
    sel = by_name["SP_PEDIDOS_CLIENTE"]
    assert sel.kind == "selectable"
    assert sel.description == "Orders of a customer since a date"
    assert [p.model_dump() for p in sel.inputs] == [
        {"name": "P_CLI", "position": 0, "type": "INTEGER", "nullable": False,
         "default": None, "description": "Customer code"},
        {"name": "P_DESDE", "position": 1, "type": "DATE", "nullable": True,
         "default": "CURRENT_DATE", "description": None},
    ]
    assert [(p.name, p.type) for p in sel.outputs] == [
        ("NUMERO", "INTEGER"), ("TOTAL", "NUMERIC(15,2)")]
    assert sel.source is not None and "SUSPEND;" in sel.source
    exe = by_name["SP_INATIVA_CLIENTE"]
    assert exe.kind == "executable"
    assert [(p.name, p.type) for p in exe.inputs] == [("P_CLI", "INTEGER")]
    assert exe.outputs == []


def test_generators_and_domains(schema: TechnicalSchema) -> None:
    assert [(g.name, g.description) for g in schema.generators] == [
        ("GEN_CLIENTE", "Ids of CLIENTE"), ("GEN_PEDIDO", None)]
    assert [d.model_dump() for d in schema.domains] == [
        {"name": "D_SITUACAO", "type": "CHAR(1) CHARACTER SET WIN1252", "nullable": False,
         "default": "'A'", "check": "CHECK (VALUE IN ('A', 'I'))", "description": None},
        {"name": "D_VALOR", "type": "NUMERIC(15,2)", "nullable": True, "default": "0",
         "check": None, "description": "Monetary amount"},
    ]


def test_fk_reference_counts(schema: TechnicalSchema) -> None:
    assert schema.fk_reference_counts == {
        "CATEGORIA.CAT_ID": 1, "CLIENTE.CLI_COD": 1, "PEDIDO.EMPRESA": 1, "PEDIDO.NUMERO": 1}
    assert list(schema.fk_reference_counts) == sorted(schema.fk_reference_counts)


def test_text_normalised(schema: TechnicalSchema) -> None:
    # CRLF -> LF, trailing whitespace gone
    assert rel(schema, "LOG_EVENTO").description == "Event log\nsecond line"


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def test_no_padding_anywhere(schema: TechnicalSchema) -> None:
    data = schema.model_dump(mode="json")
    padded = [s for s in _strings(data) if s != s.strip() or "\r" in s]
    assert padded == []


# --- behaviour: stability, fixed query count, read-only, long BLOBs -------------------


def _blank_time(schema: TechnicalSchema) -> str:
    return dump_model(schema.model_copy(update={"extracted_at": schema.extracted_at.min}))


def test_stable_output(con: Connection, mini_db: Path, schema: TechnicalSchema) -> None:
    again = extract_schema(con, database_name="mini.fdb")
    other = open_db(mini_db)
    try:
        fresh = extract_schema(other, database_name="mini.fdb")
    finally:
        other.close()
    assert _blank_time(again) == _blank_time(schema) == _blank_time(fresh)
    assert again.extracted_at >= schema.extracted_at


class _CountingExecute:
    """Counts Cursor.execute calls and checks each runs in a read-only transaction."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.read_write = 0
        original = Cursor.execute

        def execute(cur: Cursor, *args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if not cur.transaction.info.is_read_only():
                self.read_write += 1
            return original(cur, *args, **kwargs)

        monkeypatch.setattr(Cursor, "execute", execute)


def test_query_count_is_fixed(
    mini_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big_db = build_mini(tmp_path / "big.fdb", extra_tables=25)
    counted = {}
    for path in (mini_db, big_db):
        with monkeypatch.context() as patch:
            counter = _CountingExecute(patch)
            connection = open_db(path)
            try:
                result = extract_schema(connection, database_name=path.name)
            finally:
                connection.close()
        assert counter.read_write == 0
        counted[path.name] = (counter.calls, len(result.tables))
    assert counted["mini.fdb"][1] + 25 == counted["big.fdb"][1]
    assert counted["mini.fdb"][0] == counted["big.fdb"][0] == len(QUERIES) <= 12


def test_extraction_works_on_a_read_only_database(mini_db: Path, tmp_path: Path) -> None:
    """A database in read-only mode refuses every write: extracting must still work."""
    copy = tmp_path / "ro.fdb"
    shutil.copyfile(mini_db, copy)
    ensure_client()
    with connect_server("service_mgr", user="SYSDBA") as srv:
        srv.database.set_access_mode(database=str(copy), mode=DbAccessMode.READ_ONLY)
    connection = open_db(copy)
    try:
        with pytest.raises(DatabaseError), connection.cursor() as cur:
            cur.execute("create sequence MUST_FAIL")  # the guard is real
        connection.rollback()
        result = extract_schema(connection, database_name="ro.fdb")
    finally:
        connection.close()
    assert [t.name for t in result.tables][:2] == ["CATEGORIA", "CLIENTE"]
    assert result.database.ods is not None


def test_long_blob_sources_read_fully(
    con: Connection, schema: TechnicalSchema, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a tiny threshold the driver hands back BlobReader streams: read to the end.
    monkeypatch.setattr(extract_mod, "_BLOB_THRESHOLD", 100)
    streamed = []
    original = extract_mod._value

    def value(item: Any) -> Any:
        if isinstance(item, BlobReader):
            streamed.append(item)
        return original(item)

    monkeypatch.setattr(extract_mod, "_value", value)
    result = extract_schema(con, database_name="mini.fdb")
    assert streamed, "the BlobReader path was not exercised"
    (longa,) = [p for p in result.procedures if p.name == "SP_LONGA"]
    assert longa.source is not None
    assert longa.source.count("\n") == LONG_SOURCE_LINES + 1
    assert longa.source.endswith("END")
    assert _blank_time(result) == _blank_time(schema)  # same as without streaming
