"""Column names a question says in full (`agent/retrieval/column_names.py`)."""

from __future__ import annotations

from schemachat.agent.retrieval.chunks import Chunk
from schemachat.agent.retrieval.column_names import ColumnNames
from schemachat.agent.retrieval.text import Analyzer
from schemachat.ingest.vocabulary_glossary import glossary


def _chunk(table: str, columns: str) -> Chunk:
    return Chunk(id=f"table:{table}", object=table, kind="table", object_kind="table",
                 text=f"Table {table}\nColumns: {columns}.\nPrimary key: X.")


def _names() -> tuple[ColumnNames, Analyzer]:
    analyzer = Analyzer(glossary=glossary())
    chunks = [
        _chunk("PAYSLIPS", "PAYSLIP_ID INTEGER; EMPLOYEE_ID INTEGER; NET_PAY NUMERIC(12,2); "
                           "GROSS_PAY NUMERIC(12,2)"),
        _chunk("CAR_TIT", "TIT_NUM INTEGER; CLI_COD INTEGER; DT_VENC DATE; VL_TIT NUMERIC(12,2)"),
        _chunk("DEPARTMENTS", "DEPT_ID INTEGER; DEPT_NAME VARCHAR(40)"),
    ]
    return ColumnNames.of(chunks, analyzer), analyzer


def test_a_column_whose_every_word_the_question_says_ranks_its_table() -> None:
    names, analyzer = _names()
    assert names.rank(analyzer.query_terms("Net pay by department")) == [("PAYSLIPS", "NET_PAY")]


def test_the_words_of_a_portuguese_name_are_read_in_english_too() -> None:
    names, analyzer = _names()
    assert names.rank(analyzer.query_terms("Bills by due date")) == [("CAR_TIT", "DT_VENC")]


def test_one_word_of_a_name_or_a_key_is_not_enough() -> None:
    names, analyzer = _names()
    assert names.rank(analyzer.query_terms("What is paid?")) == []
    # DEPT_NAME: 'dept' names the table itself, so only 'name' is left: one word
    assert names.rank(analyzer.query_terms("department name")) == []
