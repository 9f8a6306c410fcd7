"""Role columns, stored values and join-path completion in retrieval, on a small
English-named shop schema indexed with the real Chroma and the real packaged embedding
model: what the chunks say, and that a question naming a role, a stored value or two
tables that are not adjacent ranks the table it needs. Where a mechanism is switched off
the same question misses, so each assertion rests on the mechanism it names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemachat.agent.retrieval import SchemaIndex, build_index, retriever
from schemachat.agent.retrieval.completion import Completion, join_path_tables, role_tables
from schemachat.agent.retrieval.embeddings import SentenceEmbeddings
from schemachat.agent.retrieval.fk_graph import FkGraph
from schemachat.agent.retrieval.index import document_analyzer, read_chunks
from schemachat.agent.retrieval.roles import Role, role_words, roles
from schemachat.agent.retrieval.values import ValueIndex, code_line
from schemachat.configs import Settings, load_settings
from schemachat.ingest.joins import join_edges
from schemachat.ingest.merge import merge
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.models.samples import Samples, TableSample, ValueCount
from schemachat.ingest.models.technical import (
    Column,
    DatabaseInfo,
    ForeignKey,
    PrimaryKey,
    Relation,
    TechnicalSchema,
)
from schemachat.ingest.models.values import ColumnValues, TextValues
from schemachat.ingest.workspace import Workspace, write_model

NOW = datetime(2024, 7, 1, tzinfo=UTC)

# table -> columns (name, type), primary key, foreign keys (columns, table, ref columns)
SHOP: dict[str, tuple[list[tuple[str, str]], list[str], list[tuple[list[str], str, list[str]]]]] = {
    "EMPLOYEES": ([("EMPLOYEE_ID", "INTEGER"), ("FULL_NAME", "VARCHAR(60)"),
                   ("HIRE_DATE", "DATE"), ("MANAGER_ID", "INTEGER")], ["EMPLOYEE_ID"],
                  [(["MANAGER_ID"], "EMPLOYEES", ["EMPLOYEE_ID"])]),
    "SUPPLIERS": ([("SUPPLIER_ID", "INTEGER"), ("SUPPLIER_NAME", "VARCHAR(60)"),
                   ("PHONE", "VARCHAR(20)")], ["SUPPLIER_ID"], []),
    "PURCHASE_ORDERS": ([("PO_ID", "INTEGER"), ("SUPPLIER_ID", "INTEGER"),
                         ("ORDER_DATE", "DATE"), ("APPROVED_BY", "INTEGER"),
                         ("TOTAL_AMT", "NUMERIC(12,2)")], ["PO_ID"],
                        [(["SUPPLIER_ID"], "SUPPLIERS", ["SUPPLIER_ID"]),
                         (["APPROVED_BY"], "EMPLOYEES", ["EMPLOYEE_ID"])]),
    "PURCHASE_ORDER_LINES": ([("PO_ID", "INTEGER"), ("LINE_NO", "SMALLINT"),
                              ("PRODUCT_ID", "INTEGER"), ("QTY", "NUMERIC(12,3)")],
                             ["PO_ID", "LINE_NO"],
                             [(["PO_ID"], "PURCHASE_ORDERS", ["PO_ID"]),
                              (["PRODUCT_ID"], "PRODUCTS", ["PRODUCT_ID"])]),
    "PRODUCT_GROUPS": ([("GROUP_ID", "SMALLINT"), ("GROUP_NAME", "VARCHAR(40)")],
                       ["GROUP_ID"], []),
    "PRODUCTS": ([("PRODUCT_ID", "INTEGER"), ("PRODUCT_NAME", "VARCHAR(80)"),
                  ("GROUP_ID", "SMALLINT"), ("LIST_PRICE", "NUMERIC(12,2)")], ["PRODUCT_ID"],
                 [(["GROUP_ID"], "PRODUCT_GROUPS", ["GROUP_ID"])]),
    "STATES": ([("STATE_CODE", "CHAR(2)"), ("STATE_NAME", "VARCHAR(40)")], ["STATE_CODE"], []),
    "CUSTOMERS": ([("CUSTOMER_ID", "INTEGER"), ("CUSTOMER_NAME", "VARCHAR(60)"),
                   ("CITY", "VARCHAR(40)"), ("STATE_CODE", "CHAR(2)"), ("STATUS", "CHAR(1)")],
                  ["CUSTOMER_ID"], [(["STATE_CODE"], "STATES", ["STATE_CODE"])]),
    "INVOICES": ([("INVOICE_ID", "INTEGER"), ("CUSTOMER_ID", "INTEGER"),
                  ("INVOICE_DATE", "DATE"), ("TOTAL_AMT", "NUMERIC(14,2)")], ["INVOICE_ID"],
                 [(["CUSTOMER_ID"], "CUSTOMERS", ["CUSTOMER_ID"])]),
    "INVOICE_LINES": ([("INVOICE_ID", "INTEGER"), ("LINE_NO", "SMALLINT"),
                       ("PRODUCT_ID", "INTEGER"), ("QTY", "NUMERIC(12,3)"),
                       ("UNIT_PRICE", "NUMERIC(12,2)")], ["INVOICE_ID", "LINE_NO"],
                      [(["INVOICE_ID"], "INVOICES", ["INVOICE_ID"]),
                       (["PRODUCT_ID"], "PRODUCTS", ["PRODUCT_ID"])]),
    "PAYMENTS": ([("PAYMENT_ID", "INTEGER"), ("INVOICE_ID", "INTEGER"), ("PAID_ON", "DATE"),
                  ("AMOUNT", "NUMERIC(14,2)"), ("METHOD", "VARCHAR(10)")], ["PAYMENT_ID"],
                 [(["INVOICE_ID"], "INVOICES", ["INVOICE_ID"])]),
    "WAREHOUSES": ([("WAREHOUSE_ID", "SMALLINT"), ("WAREHOUSE_NAME", "VARCHAR(40)")],
                   ["WAREHOUSE_ID"], []),
    "STOCK_LEVELS": ([("WAREHOUSE_ID", "SMALLINT"), ("PRODUCT_ID", "INTEGER"),
                      ("QTY_ON_HAND", "NUMERIC(12,3)")], ["WAREHOUSE_ID", "PRODUCT_ID"],
                     [(["WAREHOUSE_ID"], "WAREHOUSES", ["WAREHOUSE_ID"]),
                      (["PRODUCT_ID"], "PRODUCTS", ["PRODUCT_ID"])]),
    "CARRIERS": ([("CARRIER_ID", "SMALLINT"), ("CARRIER_NAME", "VARCHAR(40)")],
                 ["CARRIER_ID"], []),
    "SHIPMENTS": ([("SHIPMENT_ID", "INTEGER"), ("INVOICE_ID", "INTEGER"),
                   ("CARRIER_ID", "SMALLINT"), ("SHIPPED_ON", "DATE")], ["SHIPMENT_ID"],
                  [(["INVOICE_ID"], "INVOICES", ["INVOICE_ID"]),
                   (["CARRIER_ID"], "CARRIERS", ["CARRIER_ID"])]),
    "AUDIT_TRAIL": ([("AUDIT_ID", "INTEGER"), ("CHANGED_AT", "TIMESTAMP"),
                     ("TABLE_NAME", "VARCHAR(31)"), ("USER_NAME", "VARCHAR(31)")],
                    ["AUDIT_ID"], []),
}


def shop_technical() -> TechnicalSchema:
    """The shop schema (SHOP) as an extracted technical schema, without descriptions."""
    tables = []
    for name, (cols, pk, fks) in SHOP.items():
        tables.append(Relation(
            name=name, kind="table",
            columns=[Column(name=c, position=i, type=t, nullable=True)
                     for i, (c, t) in enumerate(cols)],
            primary_key=PrimaryKey(name=f"PK_{name}", columns=pk),
            foreign_keys=[ForeignKey(name=f"FK_{name}_{n}", columns=c, ref_table=t,
                                     ref_columns=r) for n, (c, t, r) in enumerate(fks)]))
    return TechnicalSchema(extracted_at=NOW, database=DatabaseInfo(name="shop.fdb"),
                           tables=tables)


def shop_samples() -> Samples:
    """Histograms of the code columns, as `schemachat samples` finds them."""
    return Samples(sampled_at=NOW, sample_rows=0, tables={
        "CUSTOMERS": TableSample(distributions={"STATUS": [
            ValueCount(value="A", count=40), ValueCount(value="I", count=5),
            ValueCount(value="B", count=3)]}),
        "PAYMENTS": TableSample(distributions={"METHOD": [
            ValueCount(value="CARD", count=90), ValueCount(value="CASH", count=30),
            ValueCount(value="WIRE", count=12)]}),
    })


def shop_values() -> TextValues:
    """The value index: stored city, warehouse, group and payment method names."""
    def col(*values: str) -> ColumnValues:
        return ColumnValues(values=list(values))

    return TextValues(collected_at=NOW, max_values=100, columns={
        "CUSTOMERS.CITY": col("Springfield", "Riverside", "Lakewood"),
        "CUSTOMERS.CUSTOMER_NAME": col("Acme Hardware", "Summit Builders"),
        "WAREHOUSES.WAREHOUSE_NAME": col("Main Depot", "North Depot"),
        "PRODUCT_GROUPS.GROUP_NAME": col("Fasteners", "Power Tools"),
        "PAYMENTS.METHOD": col("CARD", "CASH", "WIRE"),
        "STATES.STATE_NAME": col("Texas", "Ohio"),
    })


def shop_doc() -> CombinedSchema:
    """The shop schema merged with its samples (no annotations)."""
    return merge(shop_technical(), None, None, shop_samples())


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, embeddings: SentenceEmbeddings
         ) -> tuple[Settings, SchemaIndex]:
    """The shop workspace (combined document and text_values.json), indexed."""
    root = tmp_path_factory.mktemp("shop")
    ws = Workspace(root).ensure()
    write_model(ws.combined, shop_doc())
    write_model(ws.values, shop_values())
    settings = load_settings(workspace=root)
    build_index(settings, embeddings=embeddings)
    return settings, SchemaIndex.open(settings, embeddings=embeddings)


def _chunk(settings: Settings, table: str) -> str:
    chunks = read_chunks(Workspace(settings.workspace).index_dir)
    return next(c.text for c in chunks if c.id == f"table:{table}")


# ------------------------------------------------------------------ role columns

def test_role_words_are_what_the_name_says_beyond_the_referenced_table() -> None:
    analyzer = document_analyzer(shop_doc())
    assert role_words(["APPROVED_BY"], "EMPLOYEES", ["EMPLOYEE_ID"], analyzer) == ("approved",)
    assert role_words(["SALES_REP_ID"], "EMPLOYEES", ["EMPLOYEE_ID"], analyzer) == (
        "sales", "rep")
    assert role_words(["SUPPLIER_ID"], "SUPPLIERS", ["SUPPLIER_ID"], analyzer) == ()
    # Portuguese abbreviations: FUN is the employee table's own concept, GESTOR the role
    assert role_words(["FUN_GESTOR"], "CAD_FUNC", ["FUN_MAT"], analyzer) == ("gestor",)
    assert role_words(["COD_VEND"], "CAD_VEND", ["VEN_COD"], analyzer) == ()


def test_role_columns_are_written_into_both_chunks(shop: tuple[Settings, SchemaIndex]) -> None:
    settings, _ = shop
    orders = _chunk(settings, "PURCHASE_ORDERS")
    assert "Foreign key APPROVED_BY -> EMPLOYEES(EMPLOYEE_ID), role approved." in orders
    assert "Foreign key SUPPLIER_ID -> SUPPLIERS(SUPPLIER_ID)." in orders  # no role
    people = _chunk(settings, "EMPLOYEES")
    assert "Referenced as: approved (PURCHASE_ORDERS.APPROVED_BY)." in people
    assert "Foreign key MANAGER_ID -> EMPLOYEES(EMPLOYEE_ID), role manager." in people


def test_a_question_naming_a_role_finds_the_people_table(
        shop: tuple[Settings, SchemaIndex]) -> None:
    _, index = shop
    question = "quem aprovou cada pedido de compra?"
    found = index.search(question, k=2, expand=False)
    assert set(found.tables) == {"PURCHASE_ORDERS", "EMPLOYEES"}
    # the people table's chunk matches the role word itself
    lexical = index.lexical.search(question, 5)
    people = [h for h in lexical if index.chunks[h.position].object == "EMPLOYEES"]
    assert people and "aprovou" in people[0].matched


def test_role_ranking_names_the_referenced_table_of_a_named_role() -> None:
    found = [Role("PURCHASE_ORDERS", ("APPROVED_BY",), "EMPLOYEES", ("approved",)),
             Role("PURCHASE_ORDERS", ("BUYER_ID",), "EMPLOYEES", ("buyer",))]
    named = {("PURCHASE_ORDERS", ("APPROVED_BY",)): ["aprovou"]}
    added = role_tables(["PURCHASE_ORDERS", "SUPPLIERS"], found, named)
    assert [(c.table, c.because) for c in added] == [("EMPLOYEES", ("PURCHASE_ORDERS",))]
    assert added[0].why == "approved of PURCHASE_ORDERS (APPROVED_BY): aprovou"
    assert role_tables(["SUPPLIERS"], found, named) == []  # the orders are not ranked


def test_a_table_behind_a_named_role_comes_right_after_its_table() -> None:
    ranked = [("PURCHASE_ORDERS", 0.06), ("SUPPLIERS", 0.05), ("PRODUCTS", 0.045),
              ("EMPLOYEES", 0.03)]
    named = [Completion("EMPLOYEES", "approved of PURCHASE_ORDERS", ("PURCHASE_ORDERS",))]
    assert [t for t, _ in retriever._beside_anchors(ranked, named)] == [
        "PURCHASE_ORDERS", "EMPLOYEES", "SUPPLIERS", "PRODUCTS"]
    # a table already above stays where it is; an anchor not ranked raises nothing
    assert retriever._beside_anchors([("EMPLOYEES", 0.07), *ranked[:3]], named)[0][0] == (
        "EMPLOYEES")
    assert retriever._beside_anchors(ranked, [Completion("EMPLOYEES", "", ("QUOTES",))]) == (
        ranked)


def test_who_names_the_roles_of_the_best_tables(shop: tuple[Settings, SchemaIndex],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _, index = shop
    question = "who signed off each purchase order?"  # no word of the role 'approved'
    assert set(index.search(question, k=2, expand=False).tables) == {"PURCHASE_ORDERS",
                                                                     "EMPLOYEES"}
    monkeypatch.setattr(retriever, "PERSON_WORDS", frozenset())
    assert "EMPLOYEES" not in index.search(question, k=2, expand=False).tables


# ------------------------------------------------------------------ join paths

def test_join_path_tables_are_the_ones_between() -> None:
    doc = shop_doc()
    graph = FkGraph.from_doc(doc)
    between = join_path_tables(["INVOICES", "STATES"], graph)
    assert [(c.table, c.because) for c in between] == [("CUSTOMERS", ("INVOICES", "STATES"))]
    assert between[0].why == "on the join path STATES - CUSTOMERS - INVOICES"
    assert join_path_tables(["INVOICES", "CUSTOMERS"], graph) == []  # adjacent
    # at most two joins by default: the lines are three joins from the states
    assert join_path_tables(["INVOICE_LINES", "STATES"], graph) == []
    assert {c.table for c in join_path_tables(["INVOICE_LINES", "STATES"], graph,
                                              max_hops=3)} == {"INVOICES", "CUSTOMERS"}
    # a lower ranked table between two better ones is listed: it is needed to join them
    assert [c.table for c in join_path_tables(["INVOICES", "STATES", "CUSTOMERS"],
                                              graph)] == ["CUSTOMERS"]
    assert roles(join_edges(doc), document_analyzer(doc))  # the shop has role columns


def test_a_question_naming_two_distant_tables_ranks_the_one_between(
        shop: tuple[Settings, SchemaIndex], monkeypatch: pytest.MonkeyPatch) -> None:
    _, index = shop
    question = "invoices per state"
    found = index.search(question, k=3, expand=False)
    assert set(found.tables) == {"INVOICES", "STATES", "CUSTOMERS"}
    assert found.tables.index("CUSTOMERS") == 2  # below the two it joins
    monkeypatch.setitem(retriever.COMPLETION_WEIGHTS, "paths", 0.0)
    assert "CUSTOMERS" not in index.search(question, k=3, expand=False).tables
    hit = next(h for h in found.hits if h.name == "CUSTOMERS")
    assert hit.why().startswith("on the join path") and not hit.added_for_join


# ------------------------------------------------------------------ values

def test_code_values_with_counts_and_guessed_meanings(shop: tuple[Settings, SchemaIndex]) -> None:
    status = next(c for r in shop_doc().tables if r.name == "CUSTOMERS" for c in r.columns
                  if c.name == "STATUS")
    assert code_line(status) == (" Codes: A 40; I 5; B 3 (guess: A = ativo, I = inativo, "
                                 "B = bloqueado).")
    settings, index = shop
    assert "STATUS CHAR(1) Codes: A 40; I 5; B 3" in _chunk(settings, "CUSTOMERS")
    hits = index.lexical.search("bloqueados", 3)
    assert index.chunks[hits[0].position].object == "CUSTOMERS"


def test_a_stored_value_finds_its_table(shop: tuple[Settings, SchemaIndex],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    settings, index = shop
    saved = ValueIndex.load(Workspace(settings.workspace).index_dir / "values.json")
    assert saved.full["riverside"] == ["CUSTOMERS.CITY"]
    question = "quem mora em Riverside?"
    found = index.search(question, k=1, expand=False)
    assert found.tables == ["CUSTOMERS"]
    assert found.hits[0].why() == "stored value: CITY = riverside"
    # translated words name values too: "dinheiro" is the stored 'CASH'
    assert index.values.rank(["pagos", "em", "dinheiro"], index.lexical.analyzer)[0][:2] == (
        "PAYMENTS", "METHOD = cash (dinheiro)")
    monkeypatch.setitem(retriever.VALUES_WEIGHTS, "whole", 0.0)
    monkeypatch.setitem(retriever.VALUES_WEIGHTS, "words", 0.0)
    assert index.search(question, k=1, expand=False).tables != ["CUSTOMERS"]


def test_a_schema_word_alone_is_no_stored_value(shop: tuple[Settings, SchemaIndex]) -> None:
    _, index = shop
    # 'depot' is a word of stored warehouse names and of the glossary's warehouse
    # concept: "depósitos" names the WAREHOUSES table, it is not a value.
    ranked = index.values.rank(["depósitos"], index.lexical.analyzer, index._schema_terms())
    assert all(not whole for _, _, whole in ranked)
